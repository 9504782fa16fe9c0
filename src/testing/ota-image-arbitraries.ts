/**
 * fast-check arbitraries for OTA images (the public testing kit, DESIGN.md §3 "testing"):
 * valid header fields, sub-element lists, whole ZigBee and GBCS files, and mutations of valid
 * files for fuzzing decoders. Used by hanota's own property tests and exported for users'.
 */
import fc from 'fast-check';
import { toHex } from '../bytes/hex.ts';
import { buildGbcsImage, type GbcsImageInput } from '../ota/gbcs-image.ts';
import type { OtaHeaderFields } from '../ota/header.ts';
import type { SubElementInput } from '../ota/sub-elements.ts';
import { buildZigbeeImage, type ZigbeeImageInput } from '../ota/zigbee-image.ts';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });

/** Valid header fields, every combination of optional fields. */
export function otaHeaderFields(): fc.Arbitrary<OtaHeaderFields> {
  return fc
    .record({
      manufacturerCode: u16,
      imageType: u16,
      fileVersion: u32,
      zigbeeStackVersion: u16,
      headerString: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      securityCredentialVersion: fc.option(u8, { nil: undefined }),
      upgradeFileDestination: fc.option(fc.uint8Array({ minLength: 8, maxLength: 8 }).map(toHex), {
        nil: undefined,
      }),
      hardware: fc.option(fc.tuple(u16, u16), { nil: undefined }),
    })
    .map(({ hardware, securityCredentialVersion, upgradeFileDestination, ...rest }) => ({
      ...rest,
      ...(securityCredentialVersion !== undefined && { securityCredentialVersion }),
      ...(upgradeFileDestination !== undefined && { upgradeFileDestination }),
      ...(hardware && {
        minimumHardwareVersion: Math.min(...hardware),
        maximumHardwareVersion: Math.max(...hardware),
      }),
    }));
}

/** Sub-element lists, manufacturer-specific tags included. */
export function subElementInputs(options: { maxElements?: number; maxLength?: number } = {}) {
  const tag = fc.oneof(fc.constantFrom(0x0000, 0x0003, 0x0005, 0xf000, 0xffff), u16);
  return fc.array(fc.record({ tag, data: fc.uint8Array({ maxLength: options.maxLength ?? 200 }) }), {
    maxLength: options.maxElements ?? 5,
  }) as fc.Arbitrary<SubElementInput[]>;
}

/** Inputs of valid ZigBee OTA files. */
export function zigbeeImageInputs(): fc.Arbitrary<ZigbeeImageInput> {
  return fc.record({ header: otaHeaderFields(), elements: subElementInputs() });
}

/** Inputs of valid GBCS images, signed (with an arbitrary, not a verifying, signature) or not. */
export function gbcsImageInputs(): fc.Arbitrary<GbcsImageInput> {
  return fc
    .record({
      header: otaHeaderFields(),
      manufacturerImage: fc.uint8Array({ maxLength: 400 }),
      signature: fc.option(fc.record({ flag: u8, value: fc.uint8Array({ minLength: 64, maxLength: 64 }) }), {
        nil: undefined,
      }),
    })
    .map(({ signature, ...rest }) => ({ ...rest, ...(signature && { signature }) }));
}

/** Bytes of valid OTA files of either format. */
export function otaImageBytes(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(zigbeeImageInputs().map(buildZigbeeImage), gbcsImageInputs().map(buildGbcsImage));
}

/** One way of damaging a file. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly mask: number }
  | { readonly kind: 'truncate'; readonly length: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'overwrite'; readonly at: number; readonly bytes: Uint8Array };

/** Applies `mutation` to a copy of `bytes` (positions are taken modulo the length). */
export function applyMutation(bytes: Uint8Array, mutation: Mutation): Uint8Array {
  const n = Math.max(bytes.length, 1);
  switch (mutation.kind) {
    case 'flip': {
      const out = bytes.slice();
      if (out.length) out[mutation.at % n] = (out[mutation.at % n] as number) ^ (mutation.mask || 1);
      return out;
    }
    case 'truncate':
      return bytes.slice(0, mutation.length % n);
    case 'insert': {
      const at = mutation.at % n;
      const out = new Uint8Array(bytes.length + mutation.bytes.length);
      out.set(bytes.subarray(0, at));
      out.set(mutation.bytes, at);
      out.set(bytes.subarray(at), at + mutation.bytes.length);
      return out;
    }
    case 'overwrite': {
      const out = bytes.slice();
      out.set(mutation.bytes.subarray(0, Math.max(0, out.length - (mutation.at % n))), mutation.at % n);
      return out;
    }
  }
}

/** Mutations, biased towards the header where decoders make their decisions. */
export function mutations(): fc.Arbitrary<Mutation> {
  const position = fc.oneof(fc.integer({ min: 0, max: 70 }), fc.nat());
  return fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), length: fc.nat() }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: position,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
    fc.record({
      kind: fc.constant('overwrite' as const),
      at: position,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
  );
}

/** Valid files damaged by one to four mutations. */
export function mutatedOtaImageBytes(): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(otaImageBytes(), fc.array(mutations(), { minLength: 1, maxLength: 4 }))
    .map(([bytes, ms]) => ms.reduce(applyMutation, bytes));
}
