/**
 * The OTA Upgrade cluster frame codec (ZCL r8 §11.13): every command 0x00–0x09 encoded and
 * decoded through zigbee-herdsman's `Zcl.Frame` — the only file in `src/` that imports
 * zigbee-herdsman (DESIGN.md §3) — behind guard rails for its known traps:
 * - `toBuffer()` silently truncates frames over 250 bytes: the length is computed here first
 *   and such frames are refused;
 * - decode does not check `dataSize` against the data (extra bytes join the data): checked;
 * - all-ones values (UTC 0xFFFFFFFF, 0xFFFF, 0xFF) decode to NaN and cannot be encoded as null:
 *   mapped both ways (`upgradeTime: 'wait'` ⇄ 0xFFFFFFFF);
 * - requests refuse image types above 0xFFBF: refused here with a typed error;
 * - anything it throws, and any frame that does not re-encode to the same bytes (trailing bytes,
 *   inconsistent field control), becomes a MALFORMED_COMMAND result, never an exception.
 */
import { createRequire } from 'node:module';
import type * as Zcl from 'zigbee-herdsman/dist/zspec/zcl/index.js';
import { hexNumber } from '../bytes/hex.ts';
import { EncodeError } from '../errors/errors.ts';
import {
  type ImageId,
  OTA_COMMAND_ID,
  type OtaCommand,
  type OtaCommandName,
  type OtaFrame,
  UPGRADE_TIME_WAIT,
  ZCL_STATUS,
} from './commands.ts';

let zcl: typeof Zcl | undefined;
/**
 * zigbee-herdsman's ZCL module, loaded on the first frame encoded or decoded (it is CommonJS, so
 * `require` loads it synchronously): importing hanota, or running a command that sends no frame,
 * does not pay for it.
 */
function herdsman(): typeof Zcl {
  zcl ??= createRequire(import.meta.url)('zigbee-herdsman/dist/zspec/zcl/index.js') as typeof Zcl;
  return zcl;
}

/** herdsman's frame buffer: `toBuffer()` writes into `Buffer.alloc(250)`. */
export const MAX_ZCL_FRAME_LENGTH = 250;
/** ZCL header without manufacturer code: frame control, sequence number, command id. */
const ZCL_HEADER_LENGTH = 3;
/** Image types at or above this are special files, refused in requests (ZCL r8 §11.4.2.6). */
export const MAX_REQUEST_IMAGE_TYPE = 0xffbf;
const ALL_ONES = { u8: 0xff, u16: 0xffff, u32: 0xffff_ffff } as const;

/** Commands the server sends (decoded with the server→client table). */
const SERVER_TO_CLIENT: ReadonlySet<OtaCommandName> = new Set([
  'imageNotify',
  'queryNextImageResponse',
  'imageBlockResponse',
  'upgradeEndResponse',
  'queryDeviceSpecificFileResponse',
]);

/** Outcome of decoding: a frame, or why not (the status a receiver would answer with). */
export type DecodeFrameResult =
  | { readonly ok: true; readonly frame: OtaFrame }
  | { readonly ok: false; readonly status: 'MALFORMED_COMMAND' | 'UNSUP_COMMAND'; readonly reason: string };

const NAME_BY_ID = new Map<number, OtaCommandName>(
  Object.entries(OTA_COMMAND_ID).map(([name, id]) => [id, name as OtaCommandName]),
);

/** Length of the payload `command` encodes to (ZCL r8 §11.13 field sizes). */
export function payloadLength(command: OtaCommand): number {
  switch (command.name) {
    case 'imageNotify':
      return (
        2 +
        (command.payloadType > 0 ? 2 : 0) +
        (command.payloadType > 1 ? 2 : 0) +
        (command.payloadType > 2 ? 4 : 0)
      );
    case 'queryNextImageRequest':
      return 9 + (command.hardwareVersion !== undefined ? 2 : 0);
    case 'queryNextImageResponse':
    case 'queryDeviceSpecificFileResponse':
      return command.status === 'SUCCESS' ? 13 : 1;
    case 'imageBlockRequest':
      return (
        14 +
        (command.requestNodeIeeeAddress !== undefined ? 8 : 0) +
        (command.minimumBlockPeriod !== undefined ? 2 : 0)
      );
    case 'imagePageRequest':
      return 18 + (command.requestNodeIeeeAddress !== undefined ? 8 : 0);
    case 'imageBlockResponse':
      return command.status === 'SUCCESS'
        ? 14 + command.data.length
        : command.status === 'WAIT_FOR_DATA'
          ? 11
          : 1;
    case 'upgradeEndRequest':
      return 9;
    case 'upgradeEndResponse':
      return 16;
    case 'queryDeviceSpecificFileRequest':
      return 18;
  }
}

/** The largest block of data an Image Block Response can carry in one frame. */
export const MAX_BLOCK_DATA = MAX_ZCL_FRAME_LENGTH - ZCL_HEADER_LENGTH - 14;

function ieee(eui: string): string {
  return `0x${eui}`;
}

function fromIeee(value: unknown): string {
  return String(value).replace(/^0x/, '').toLowerCase().padStart(16, '0');
}

/** Field control of a request: which optional fields follow (ZCL r8 §11.13.4.2, §11.13.6.2). */
function requestFieldControl(command: OtaCommand): number {
  switch (command.name) {
    case 'queryNextImageRequest':
      return command.hardwareVersion !== undefined ? 0x01 : 0x00;
    case 'imageBlockRequest':
      return (
        (command.requestNodeIeeeAddress !== undefined ? 0x01 : 0) |
        (command.minimumBlockPeriod !== undefined ? 0x02 : 0)
      );
    case 'imagePageRequest':
      return command.requestNodeIeeeAddress !== undefined ? 0x01 : 0;
    default:
      return -1;
  }
}

/**
 * herdsman's payload object for `command`. Built field by field, not by spreading the command:
 * this runs for every frame of every simulation.
 */
function toPayload(command: OtaCommand): Record<string, unknown> {
  switch (command.name) {
    case 'imageBlockResponse':
      if (command.status === 'SUCCESS') {
        const { data } = command;
        return {
          status: ZCL_STATUS.SUCCESS,
          manufacturerCode: command.manufacturerCode,
          imageType: command.imageType,
          fileVersion: command.fileVersion,
          fileOffset: command.fileOffset,
          dataSize: data.length,
          data: Buffer.from(data.buffer, data.byteOffset, data.length),
        };
      }
      return { ...command, status: ZCL_STATUS[command.status] };
    case 'imageBlockRequest':
      return {
        fieldControl: requestFieldControl(command),
        manufacturerCode: command.manufacturerCode,
        imageType: command.imageType,
        fileVersion: command.fileVersion,
        fileOffset: command.fileOffset,
        maximumDataSize: command.maximumDataSize,
        ...(command.requestNodeIeeeAddress !== undefined && {
          requestNodeIeeeAddress: ieee(command.requestNodeIeeeAddress),
        }),
        ...(command.minimumBlockPeriod !== undefined && { minimumBlockPeriod: command.minimumBlockPeriod }),
      };
    case 'queryNextImageRequest':
      return { ...command, fieldControl: requestFieldControl(command) };
    case 'imagePageRequest':
      return {
        ...command,
        fieldControl: requestFieldControl(command),
        ...(command.requestNodeIeeeAddress !== undefined && {
          requestNodeIeeeAddress: ieee(command.requestNodeIeeeAddress),
        }),
      };
    case 'queryNextImageResponse':
    case 'queryDeviceSpecificFileResponse':
    case 'upgradeEndRequest':
      return { ...command, status: ZCL_STATUS[command.status] };
    case 'upgradeEndResponse':
      return {
        ...command,
        upgradeTime: command.upgradeTime === UPGRADE_TIME_WAIT ? Number.NaN : command.upgradeTime,
      };
    case 'queryDeviceSpecificFileRequest':
      return { ...command, eui64: ieee(command.requestNodeIeeeAddress) };
    case 'imageNotify':
      return command;
  }
}

/** Requests whose image type must be an upgrade image type. */
const REQUESTS_WITH_IMAGE_TYPE: ReadonlySet<OtaCommandName> = new Set([
  'queryNextImageRequest',
  'imageBlockRequest',
  'imagePageRequest',
  'upgradeEndRequest',
]);

function checkRequestImageType(command: OtaCommand): void {
  if (
    REQUESTS_WITH_IMAGE_TYPE.has(command.name) &&
    'imageType' in command &&
    (command.imageType as number) > MAX_REQUEST_IMAGE_TYPE
  ) {
    throw new EncodeError(
      'IMAGE_TYPE_RESERVED',
      `imageType: ${hexNumber(command.imageType as number, 4)} is reserved in a ${command.name} (at most ${hexNumber(MAX_REQUEST_IMAGE_TYPE, 4)})`,
    );
  }
}

/** Encodes an OTA frame (disable-default-response set, no manufacturer code). */
export function encodeOtaFrame(frame: OtaFrame): Uint8Array {
  const { command } = frame;
  const length = ZCL_HEADER_LENGTH + payloadLength(command);
  if (length > MAX_ZCL_FRAME_LENGTH) {
    throw new EncodeError(
      'FRAME_TOO_LARGE',
      `${command.name}: ${length} bytes exceed the ${MAX_ZCL_FRAME_LENGTH}-byte frame (herdsman would truncate it)`,
    );
  }
  checkRequestImageType(command);
  const direction = SERVER_TO_CLIENT.has(command.name)
    ? herdsman().Direction.SERVER_TO_CLIENT
    : herdsman().Direction.CLIENT_TO_SERVER;
  let buffer: Buffer;
  try {
    buffer = herdsman()
      .Frame.create(
        herdsman().FrameType.SPECIFIC,
        direction,
        true,
        undefined,
        frame.transactionSequence,
        command.name,
        'genOta',
        toPayload(command),
        {},
      )
      .toBuffer();
  } catch (error) {
    throw new EncodeError(
      'FRAME_ENCODE',
      `${command.name}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (buffer.length !== length) {
    throw new EncodeError(
      'FRAME_ENCODE',
      `${command.name}: encoded ${buffer.length} bytes, expected ${length}`,
    );
  }
  // A Buffer is a Uint8Array: returned as it is, so that decoding it needs no new view.
  return buffer;
}

/** A decoded number, with herdsman's NaN for an all-ones field mapped back to the value. */
function num(value: unknown, width: keyof typeof ALL_ONES): number {
  return typeof value === 'number' && Number.isNaN(value) ? ALL_ONES[width] : (value as number);
}

const STATUS_BY_CODE = new Map<number, string>(
  Object.entries(ZCL_STATUS).map(([name, code]) => [code, name]),
);

function statusName<T extends string>(code: number, allowed: readonly T[]): T | undefined {
  const name = STATUS_BY_CODE.get(code);
  return allowed.find((a) => a === name);
}

/** The image identity fields of a decoded payload. */
function imageIdOf(p: Record<string, unknown>): ImageId {
  return {
    manufacturerCode: num(p.manufacturerCode, 'u16'),
    imageType: num(p.imageType, 'u16'),
    fileVersion: num(p.fileVersion, 'u32'),
  };
}

/** Our command from herdsman's decoded payload; a string when a field is not allowed. */
function fromPayload(name: OtaCommandName, p: Record<string, unknown>): OtaCommand | string {
  switch (name) {
    case 'imageNotify': {
      const payloadType = num(p.payloadType, 'u8');
      if (payloadType > 3) return `payloadType ${payloadType} is not defined`;
      return {
        name,
        payloadType,
        queryJitter: num(p.queryJitter, 'u8'),
        ...(payloadType > 0 && { manufacturerCode: num(p.manufacturerCode, 'u16') }),
        ...(payloadType > 1 && { imageType: num(p.imageType, 'u16') }),
        ...(payloadType > 2 && { fileVersion: num(p.fileVersion, 'u32') }),
      };
    }
    case 'queryNextImageRequest':
      return {
        name,
        ...imageIdOf(p),
        ...(p.hardwareVersion !== undefined && { hardwareVersion: num(p.hardwareVersion, 'u16') }),
      };
    case 'queryNextImageResponse':
    case 'queryDeviceSpecificFileResponse': {
      const status = statusName(num(p.status, 'u8'), [
        'SUCCESS',
        'NO_IMAGE_AVAILABLE',
        'NOT_AUTHORIZED',
      ] as const);
      if (!status) return `status ${hexNumber(num(p.status, 'u8'), 2)} is not allowed in a ${name}`;
      return status === 'SUCCESS'
        ? { name, status, ...imageIdOf(p), imageSize: num(p.imageSize, 'u32') }
        : { name, status };
    }
    case 'imageBlockRequest':
      return {
        name,
        ...imageIdOf(p),
        fileOffset: num(p.fileOffset, 'u32'),
        maximumDataSize: num(p.maximumDataSize, 'u8'),
        ...(p.requestNodeIeeeAddress !== undefined && {
          requestNodeIeeeAddress: fromIeee(p.requestNodeIeeeAddress),
        }),
        ...(p.minimumBlockPeriod !== undefined && { minimumBlockPeriod: num(p.minimumBlockPeriod, 'u16') }),
      };
    case 'imagePageRequest':
      return {
        name,
        ...imageIdOf(p),
        fileOffset: num(p.fileOffset, 'u32'),
        maximumDataSize: num(p.maximumDataSize, 'u8'),
        pageSize: num(p.pageSize, 'u16'),
        responseSpacing: num(p.responseSpacing, 'u16'),
        ...(p.requestNodeIeeeAddress !== undefined && {
          requestNodeIeeeAddress: fromIeee(p.requestNodeIeeeAddress),
        }),
      };
    case 'imageBlockResponse': {
      const status = statusName(num(p.status, 'u8'), ['SUCCESS', 'WAIT_FOR_DATA', 'ABORT'] as const);
      if (!status)
        return `status ${hexNumber(num(p.status, 'u8'), 2)} is not allowed in an imageBlockResponse`;
      if (status === 'ABORT') return { name, status };
      if (status === 'WAIT_FOR_DATA') {
        return {
          name,
          status,
          currentTime: num(p.currentTime, 'u32'),
          requestTime: num(p.requestTime, 'u32'),
          minimumBlockPeriod: num(p.minimumBlockPeriod, 'u16'),
        };
      }
      const data = p.data as Buffer;
      const dataSize = num(p.dataSize, 'u8');
      if (data.length !== dataSize) return `dataSize ${dataSize} but ${data.length} bytes of data`;
      return {
        name,
        status,
        ...imageIdOf(p),
        fileOffset: num(p.fileOffset, 'u32'),
        data: new Uint8Array(data),
      };
    }
    case 'upgradeEndRequest': {
      const status = statusName(num(p.status, 'u8'), [
        'SUCCESS',
        'INVALID_IMAGE',
        'REQUIRE_MORE_IMAGE',
        'ABORT',
      ] as const);
      if (!status)
        return `status ${hexNumber(num(p.status, 'u8'), 2)} is not allowed in an upgradeEndRequest`;
      return { name, status, ...imageIdOf(p) };
    }
    case 'upgradeEndResponse': {
      const upgradeTime = num(p.upgradeTime, 'u32');
      return {
        name,
        ...imageIdOf(p),
        currentTime: num(p.currentTime, 'u32'),
        upgradeTime: upgradeTime === ALL_ONES.u32 ? UPGRADE_TIME_WAIT : upgradeTime,
      };
    }
    case 'queryDeviceSpecificFileRequest':
      return {
        name,
        requestNodeIeeeAddress: fromIeee(p.eui64),
        ...imageIdOf(p),
        zigbeeStackVersion: num(p.zigbeeStackVersion, 'u16'),
      };
  }
}

/** Decodes an OTA cluster ZCL frame; never throws. */
export function decodeOtaFrame(bytes: Uint8Array): DecodeFrameResult {
  if (bytes.length > MAX_ZCL_FRAME_LENGTH) {
    return {
      ok: false,
      status: 'MALFORMED_COMMAND',
      reason: `${bytes.length} bytes, longer than a ${MAX_ZCL_FRAME_LENGTH}-byte frame`,
    };
  }
  if (bytes.length < ZCL_HEADER_LENGTH) {
    return {
      ok: false,
      status: 'MALFORMED_COMMAND',
      reason: `${bytes.length} bytes, shorter than a ZCL header`,
    };
  }
  const frameControl = bytes[0] as number;
  // ZCL r8 §2.4.1.1: bits 0–1 frame type (1: cluster specific), bit 2 manufacturer specific.
  if ((frameControl & 0x03) !== herdsman().FrameType.SPECIFIC) {
    return { ok: false, status: 'UNSUP_COMMAND', reason: 'not a cluster-specific command' };
  }
  if (frameControl & 0x04)
    return { ok: false, status: 'UNSUP_COMMAND', reason: 'manufacturer-specific command' };
  const name = NAME_BY_ID.get(bytes[2] as number);
  const serverToClient = (frameControl & 0x08) !== 0;
  if (!name || SERVER_TO_CLIENT.has(name) !== serverToClient) {
    return {
      ok: false,
      status: 'UNSUP_COMMAND',
      reason: `command ${hexNumber(bytes[2] as number, 2)} in this direction`,
    };
  }
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  let decoded: ReturnType<typeof Zcl.Frame.fromBuffer>;
  try {
    decoded = herdsman().Frame.fromBuffer(OTA_CLUSTER_ID, herdsman().Header.fromBuffer(buffer), buffer, {});
  } catch (error) {
    return {
      ok: false,
      status: 'MALFORMED_COMMAND',
      reason: `${name}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const command = fromPayload(name, decoded.payload as Record<string, unknown>);
  if (typeof command === 'string')
    return { ok: false, status: 'MALFORMED_COMMAND', reason: `${name}: ${command}` };
  const frame: OtaFrame = { transactionSequence: bytes[1] as number, command };
  // Canonical form: herdsman skips trailing bytes and tolerates field-control bits for fields
  // that are absent. Both show here; with them excluded the frame re-encodes to these bytes
  // (a property test checks that).
  const expectedLength = ZCL_HEADER_LENGTH + payloadLength(command);
  if (expectedLength !== bytes.length) {
    return {
      ok: false,
      status: 'MALFORMED_COMMAND',
      reason: `${name}: ${bytes.length} bytes do not match the ${expectedLength} its fields encode to`,
    };
  }
  const fieldControl = requestFieldControl(command);
  if (fieldControl >= 0 && bytes[ZCL_HEADER_LENGTH] !== fieldControl) {
    return {
      ok: false,
      status: 'MALFORMED_COMMAND',
      reason: `${name}: field control ${hexNumber(bytes[ZCL_HEADER_LENGTH] as number, 2)} does not match the fields present (${hexNumber(fieldControl, 2)})`,
    };
  }
  try {
    checkRequestImageType(command);
  } catch (error) {
    return {
      ok: false,
      status: 'MALFORMED_COMMAND',
      reason: error instanceof Error ? error.message : String(error),
    };
  }
  return { ok: true, frame };
}

/** The OTA Upgrade cluster id. */
const OTA_CLUSTER_ID = 0x0019;
