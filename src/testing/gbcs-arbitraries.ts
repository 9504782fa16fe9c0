/**
 * fast-check arbitraries for CS06 Activate Firmware commands (the public testing kit): genuine
 * ones sealed with the keys a test gives, and forged ones — signed by another key, addressed to
 * another device, carrying another hash, a payload counter that differs from the header's, or
 * a flipped byte — each labelled with what is wrong, so a property can say which refusal stage
 * it expects.
 */
import fc from 'fast-check';
import { deriveP256PrivateKey } from '../crypto/ecdsa-p256.ts';
import { buildCs06, type Cs06Spec } from '../gbcs/build-cs06.ts';

/** Who a command is between: the keys a genuine command is sealed with. */
export interface Cs06Parties {
  /** The supplier's system title (hex) and digital-signing private key. */
  readonly supplier: string;
  readonly supplierSigningKey: Uint8Array;
  /** The device's system title (hex) and key-agreement public key. */
  readonly device: string;
  readonly deviceKaPublic: Uint8Array;
  /** The Access Control Broker's key-agreement private key. */
  readonly acbKaPrivate: Uint8Array;
  /** The Manufacturer Image hash the device holds. */
  readonly hash: Uint8Array;
}

/** A command and how it was made. */
export interface ArbitraryCs06 {
  readonly bytes: Uint8Array;
  readonly counter: bigint;
  /** `genuine`, or what is wrong with it. */
  readonly kind:
    | 'genuine'
    | 'otherSigner'
    | 'otherRecipient'
    | 'otherHash'
    | 'payloadCounter'
    | 'flippedByte';
}

const counters = fc.bigInt({ min: 1n, max: 2n ** 63n - 1n });
const two = (n: number) => String(n).padStart(2, '0');
/** An execution time, 2026–2030 (days up to the 28th: every month has them), or none. */
const executeAt = fc.option(
  fc
    .tuple(
      fc.integer({ min: 2026, max: 2030 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 28 }),
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
    )
    .map(([y, mo, d, h, mi, s]) => `${y}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}Z`),
  { nil: undefined },
);

function spec(p: Cs06Parties, counter: bigint, at: string | undefined): Cs06Spec {
  return {
    supplier: p.supplier,
    signingKey: p.supplierSigningKey,
    recipient: p.device,
    macFor: p.deviceKaPublic,
    acbKaPrivate: p.acbKaPrivate,
    counter,
    hash: p.hash,
    ...(at !== undefined && { executeAt: at }),
  };
}

/** Genuine commands: any counter, immediate or future-dated. */
export function genuineCs06(parties: Cs06Parties): fc.Arbitrary<ArbitraryCs06> {
  return fc.tuple(counters, executeAt).map(([counter, at]) => ({
    bytes: buildCs06(spec(parties, counter, at)),
    counter,
    kind: 'genuine' as const,
  }));
}

/** Commands with exactly one thing wrong, labelled. */
export function forgedCs06(parties: Cs06Parties): fc.Arbitrary<ArbitraryCs06> {
  const base = fc.tuple(counters, executeAt, fc.nat());
  return fc.oneof(
    base.map(([counter, at, n]) => ({
      bytes: buildCs06({ ...spec(parties, counter, at), signingKey: deriveP256PrivateKey(`forger ${n}`) }),
      counter,
      kind: 'otherSigner' as const,
    })),
    base.map(([counter, at, n]) => ({
      bytes: buildCs06({
        ...spec(parties, counter, at),
        recipient: `ff${n.toString(16).padStart(14, '0').slice(-14)}`,
      }),
      counter,
      kind: 'otherRecipient' as const,
    })),
    fc
      .tuple(counters, executeAt, fc.uint8Array({ minLength: 32, maxLength: 32 }))
      .filter(([, , h]) => !h.every((b, i) => b === parties.hash[i]))
      .map(([counter, at, hash]) => ({
        bytes: buildCs06({ ...spec(parties, counter, at), hash }),
        counter,
        kind: 'otherHash' as const,
      })),
    base.map(([counter, at]) => ({
      bytes: buildCs06({ ...spec(parties, counter, at), payloadCounter: counter === 1n ? 2n : counter - 1n }),
      counter,
      kind: 'payloadCounter' as const,
    })),
    base.map(([counter, at, n]) => {
      const bytes = buildCs06(spec(parties, counter, at));
      const flipped = bytes.slice();
      const at8 = n % flipped.length;
      flipped[at8] = (flipped[at8] as number) ^ (1 << (n % 8));
      return { bytes: flipped, counter, kind: 'flippedByte' as const };
    }),
  );
}
