/**
 * fast-check arbitraries for OTA cluster commands and frames (the public testing kit): every
 * command 0x00–0x09 with every status and optional field, within the limits the wire allows.
 */
import fc from 'fast-check';
import { toHex } from '../bytes/hex.ts';
import {
  type ImageId,
  type OtaCommand,
  type OtaFrame,
  UPGRADE_TIME_WAIT,
  ZCL_STATUS,
  type ZclStatusName,
} from '../ota/commands.ts';
import { MAX_BLOCK_DATA } from '../ota/frame-codec.ts';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const eui64 = fc.uint8Array({ minLength: 8, maxLength: 8 }).map(toHex);

/** Image identities usable in requests (image types 0xFFC0 and up are special files). */
export function requestImageIds(): fc.Arbitrary<ImageId> {
  return fc.record({
    manufacturerCode: u16,
    imageType: fc.integer({ min: 0, max: 0xffbf }),
    fileVersion: u32,
  });
}

/** Every OTA command. */
export function otaCommands(): fc.Arbitrary<OtaCommand> {
  const id = requestImageIds();
  const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
  const strip = <T extends object>(o: T): T =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
  return fc.oneof(
    fc
      .record({
        payloadType: fc.integer({ min: 0, max: 3 }),
        queryJitter: fc.integer({ min: 1, max: 100 }),
        id: fc.record({ manufacturerCode: u16, imageType: u16, fileVersion: u32 }),
      })
      .map(({ payloadType, queryJitter, id: i }) =>
        strip({
          name: 'imageNotify' as const,
          payloadType,
          queryJitter,
          manufacturerCode: payloadType > 0 ? i.manufacturerCode : undefined,
          imageType: payloadType > 1 ? i.imageType : undefined,
          fileVersion: payloadType > 2 ? i.fileVersion : undefined,
        }),
      ),
    fc
      .record({ id, hw: opt(u16) })
      .map(({ id: i, hw }) => strip({ name: 'queryNextImageRequest' as const, ...i, hardwareVersion: hw })),
    fc.record({ id, imageSize: u32 }).map(({ id: i, imageSize }) => ({
      name: 'queryNextImageResponse' as const,
      status: 'SUCCESS' as const,
      ...i,
      imageSize,
    })),
    fc
      .constantFrom('NO_IMAGE_AVAILABLE' as const, 'NOT_AUTHORIZED' as const)
      .map((status) => ({ name: 'queryNextImageResponse' as const, status })),
    fc
      .record({ id, fileOffset: u32, maximumDataSize: u8, ieee: opt(eui64), mbp: opt(u16) })
      .map(({ id: i, fileOffset, maximumDataSize, ieee, mbp }) =>
        strip({
          name: 'imageBlockRequest' as const,
          ...i,
          fileOffset,
          maximumDataSize,
          requestNodeIeeeAddress: ieee,
          minimumBlockPeriod: mbp,
        }),
      ),
    fc
      .record({
        id,
        fileOffset: u32,
        maximumDataSize: u8,
        pageSize: u16,
        responseSpacing: u16,
        ieee: opt(eui64),
      })
      .map(({ id: i, ieee, ...rest }) =>
        strip({ name: 'imagePageRequest' as const, ...i, ...rest, requestNodeIeeeAddress: ieee }),
      ),
    fc
      .record({ id, fileOffset: u32, data: fc.uint8Array({ minLength: 0, maxLength: MAX_BLOCK_DATA }) })
      .map(({ id: i, fileOffset, data }) => ({
        name: 'imageBlockResponse' as const,
        status: 'SUCCESS' as const,
        ...i,
        fileOffset,
        data,
      })),
    fc
      .record({ currentTime: u32, requestTime: u32, minimumBlockPeriod: u16 })
      .map((t) => ({ name: 'imageBlockResponse' as const, status: 'WAIT_FOR_DATA' as const, ...t })),
    fc.constant({ name: 'imageBlockResponse' as const, status: 'ABORT' as const }),
    fc.constant({ name: 'imageBlockResponse' as const, status: 'NO_IMAGE_AVAILABLE' as const }),
    fc
      .record({
        id,
        status: fc.constantFrom(
          'SUCCESS' as const,
          'INVALID_IMAGE' as const,
          'REQUIRE_MORE_IMAGE' as const,
          'ABORT' as const,
        ),
      })
      .map(({ id: i, status }) => ({ name: 'upgradeEndRequest' as const, status, ...i })),
    fc
      .record({
        id,
        currentTime: u32,
        upgradeTime: fc.oneof(fc.integer({ min: 0, max: 0xffff_fffe }), fc.constant(UPGRADE_TIME_WAIT)),
      })
      .map(({ id: i, ...t }) => ({ name: 'upgradeEndResponse' as const, ...i, ...t })),
    fc
      .record({
        ieee: eui64,
        manufacturerCode: u16,
        imageType: fc.integer({ min: 0xffc0, max: 0xfffe }),
        fileVersion: u32,
        zigbeeStackVersion: u16,
      })
      .map(({ ieee, ...rest }) => ({
        name: 'queryDeviceSpecificFileRequest' as const,
        requestNodeIeeeAddress: ieee,
        ...rest,
      })),
    fc
      .record({
        manufacturerCode: u16,
        imageType: fc.integer({ min: 0xffc0, max: 0xfffe }),
        fileVersion: u32,
        imageSize: u32,
      })
      .map((f) => ({ name: 'queryDeviceSpecificFileResponse' as const, status: 'SUCCESS' as const, ...f })),
    fc
      .record({ commandId: u8, status: fc.constantFrom(...(Object.keys(ZCL_STATUS) as ZclStatusName[])) })
      .map((f) => ({ name: 'defaultResponse' as const, ...f })),
  ) as fc.Arbitrary<OtaCommand>;
}

/** OTA frames: a command with a transaction sequence number. */
export function otaFrames(): fc.Arbitrary<OtaFrame> {
  return fc.record({ transactionSequence: u8, command: otaCommands() });
}
