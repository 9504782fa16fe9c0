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
  OTA_COMMAND_ID,
  type OtaCommand,
  type OtaCommandName,
  type OtaFrame,
  UPGRADE_TIME_WAIT,
  ZCL_GLOBAL_COMMAND_ID,
  ZCL_STATUS,
  type ZclStatusName,
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

/** Outcome of decoding: a frame, or why not (the status a receiver would answer with). */
export type DecodeFrameResult =
  | { readonly ok: true; readonly frame: OtaFrame }
  | { readonly ok: false; readonly status: 'MALFORMED_COMMAND' | 'UNSUP_COMMAND'; readonly reason: string };

const NAME_BY_ID = new Map<number, OtaCommandName>(
  Object.entries(OTA_COMMAND_ID).map(([name, id]) => [id, name as OtaCommandName]),
);
const GLOBAL_NAME_BY_ID = new Map<number, OtaCommandName>(
  Object.entries(ZCL_GLOBAL_COMMAND_ID).map(([name, id]) => [id, name as OtaCommandName]),
);

/** How a field is carried: its width on the wire and how herdsman holds it. */
type FieldType = 'u8' | 'u16' | 'u32' | 'status' | 'eui64' | 'data' | 'utcOrWait';

/**
 * One field of an OTA command (ZCL r8 §11.13), in wire order. `when` says whether it is present,
 * from the fields before it (a status, a payload type); `controlBit` marks an optional field
 * announced in the request's field control. `herdsman` names it where herdsman's name differs.
 */
interface FieldSpec {
  readonly key: string;
  readonly type: FieldType;
  readonly when?: (command: Readonly<Record<string, unknown>>) => boolean;
  readonly controlBit?: number;
  readonly herdsman?: string;
}

/** One OTA command: who sends it, its fields once, and the statuses it may carry. */
interface CommandSpec {
  readonly serverToClient: boolean;
  /** A ZCL general command (frame type 0) sent within the cluster, and herdsman's name for it. */
  readonly global?: { readonly herdsman: string };
  /** Whether a field-control byte leads the payload (requests with optional fields). */
  readonly fieldControl?: boolean;
  readonly statuses?: readonly ZclStatusName[];
  readonly fields: readonly FieldSpec[];
  /** A rule on the decoded fields that herdsman does not check: the reason when broken. */
  readonly check?: (command: Readonly<Record<string, unknown>>) => string | undefined;
}

const success = (c: Readonly<Record<string, unknown>>) => c.status === 'SUCCESS';
const IMAGE_ID: readonly FieldSpec[] = [
  { key: 'manufacturerCode', type: 'u16' },
  { key: 'imageType', type: 'u16' },
  { key: 'fileVersion', type: 'u32' },
];
const onSuccess = (fields: readonly FieldSpec[]): FieldSpec[] => fields.map((f) => ({ ...f, when: success }));

/** A response offering an image (Query Next Image, Query Device Specific File): the same fields. */
const IMAGE_OFFER: CommandSpec = {
  serverToClient: true,
  statuses: ['SUCCESS', 'NO_IMAGE_AVAILABLE', 'NOT_AUTHORIZED'],
  fields: [{ key: 'status', type: 'status' }, ...onSuccess([...IMAGE_ID, { key: 'imageSize', type: 'u32' }])],
};

/**
 * The OTA Upgrade cluster's commands as data: length, encode and decode all read this table, so
 * adding a field is one edit (ZCL r8 §11.13.3–§11.13.9).
 */
const COMMANDS: { readonly [N in OtaCommandName]: CommandSpec } = {
  imageNotify: {
    serverToClient: true,
    fields: [
      { key: 'payloadType', type: 'u8' },
      { key: 'queryJitter', type: 'u8' },
      { key: 'manufacturerCode', type: 'u16', when: (c) => (c.payloadType as number) > 0 },
      { key: 'imageType', type: 'u16', when: (c) => (c.payloadType as number) > 1 },
      { key: 'fileVersion', type: 'u32', when: (c) => (c.payloadType as number) > 2 },
    ],
    check: (c) => ((c.payloadType as number) > 3 ? `payloadType ${c.payloadType} is not defined` : undefined),
  },
  queryNextImageRequest: {
    serverToClient: false,
    fieldControl: true,
    fields: [...IMAGE_ID, { key: 'hardwareVersion', type: 'u16', controlBit: 0x01 }],
  },
  queryNextImageResponse: IMAGE_OFFER,
  imageBlockRequest: {
    serverToClient: false,
    fieldControl: true,
    fields: [
      ...IMAGE_ID,
      { key: 'fileOffset', type: 'u32' },
      { key: 'maximumDataSize', type: 'u8' },
      { key: 'requestNodeIeeeAddress', type: 'eui64', controlBit: 0x01 },
      { key: 'minimumBlockPeriod', type: 'u16', controlBit: 0x02 },
    ],
  },
  imagePageRequest: {
    serverToClient: false,
    fieldControl: true,
    fields: [
      ...IMAGE_ID,
      { key: 'fileOffset', type: 'u32' },
      { key: 'maximumDataSize', type: 'u8' },
      { key: 'pageSize', type: 'u16' },
      { key: 'responseSpacing', type: 'u16' },
      { key: 'requestNodeIeeeAddress', type: 'eui64', controlBit: 0x01 },
    ],
  },
  imageBlockResponse: {
    serverToClient: true,
    statuses: ['SUCCESS', 'WAIT_FOR_DATA', 'ABORT', 'NO_IMAGE_AVAILABLE'],
    fields: [
      { key: 'status', type: 'status' },
      ...onSuccess([...IMAGE_ID, { key: 'fileOffset', type: 'u32' }, { key: 'data', type: 'data' }]),
      ...[
        { key: 'currentTime', type: 'u32' },
        { key: 'requestTime', type: 'u32' },
        { key: 'minimumBlockPeriod', type: 'u16' },
      ].map((f): FieldSpec => ({ ...(f as FieldSpec), when: (c) => c.status === 'WAIT_FOR_DATA' })),
    ],
  },
  upgradeEndRequest: {
    serverToClient: false,
    statuses: ['SUCCESS', 'INVALID_IMAGE', 'REQUIRE_MORE_IMAGE', 'ABORT'],
    fields: [{ key: 'status', type: 'status' }, ...IMAGE_ID],
  },
  upgradeEndResponse: {
    serverToClient: true,
    fields: [...IMAGE_ID, { key: 'currentTime', type: 'u32' }, { key: 'upgradeTime', type: 'utcOrWait' }],
  },
  queryDeviceSpecificFileRequest: {
    serverToClient: false,
    fields: [
      { key: 'requestNodeIeeeAddress', type: 'eui64', herdsman: 'eui64' },
      ...IMAGE_ID,
      { key: 'zigbeeStackVersion', type: 'u16' },
    ],
  },
  queryDeviceSpecificFileResponse: IMAGE_OFFER,
  // ZCL r8 §2.5.12: the id of the command answered, then the status.
  defaultResponse: {
    serverToClient: true,
    global: { herdsman: 'defaultRsp' },
    statuses: Object.keys(ZCL_STATUS) as ZclStatusName[],
    fields: [
      { key: 'commandId', type: 'u8', herdsman: 'cmdId' },
      { key: 'status', type: 'status', herdsman: 'statusCode' },
    ],
  },
};

const WIDTH: { readonly [T in FieldType]: number } = {
  u8: 1,
  u16: 2,
  u32: 4,
  status: 1,
  eui64: 8,
  data: 1,
  utcOrWait: 4,
};

/** Whether `field` is in `command` (as given to encode: an optional field is there when set). */
function present(field: FieldSpec, command: Readonly<Record<string, unknown>>): boolean {
  if (field.controlBit !== undefined) return command[field.key] !== undefined;
  return field.when ? field.when(command) : true;
}

/**
 * Payload length of each command whose fields are all always there (no optional field, no data),
 * computed once from the table: the session transport asks for a length per command it times.
 */
const FIXED_PAYLOAD_LENGTH: ReadonlyMap<string, number> = new Map(
  Object.entries(COMMANDS).flatMap(([name, spec]) =>
    spec.fields.every((f) => f.controlBit === undefined && !f.when && f.type !== 'data')
      ? [[name, (spec.fieldControl ? 1 : 0) + spec.fields.reduce((n, f) => n + WIDTH[f.type], 0)] as const]
      : [],
  ),
);

/** Length of the payload `command` encodes to, from its fields' widths. */
export function payloadLength(command: OtaCommand): number {
  const fixed = FIXED_PAYLOAD_LENGTH.get(command.name);
  if (fixed !== undefined) return fixed;
  const spec = COMMANDS[command.name];
  const c = command as unknown as Readonly<Record<string, unknown>>;
  let length = spec.fieldControl ? 1 : 0;
  for (const field of spec.fields)
    if (present(field, c))
      length += WIDTH[field.type] + (field.type === 'data' ? (c.data as Uint8Array).length : 0);
  return length;
}

/** Length of the ZCL frame `command` encodes to (header and payload), without encoding it. */
export function frameLength(command: OtaCommand): number {
  return ZCL_HEADER_LENGTH + payloadLength(command);
}

/** The largest block of data an Image Block Response can carry in one frame. */
export const MAX_BLOCK_DATA = MAX_ZCL_FRAME_LENGTH - ZCL_HEADER_LENGTH - 14;

/** Field control of a request: the bits of the optional fields present, or -1 without one. */
function requestFieldControl(command: OtaCommand): number {
  const spec = COMMANDS[command.name];
  if (!spec.fieldControl) return -1;
  const c = command as unknown as Readonly<Record<string, unknown>>;
  let bits = 0;
  for (const field of spec.fields)
    if (field.controlBit !== undefined && c[field.key] !== undefined) bits |= field.controlBit;
  return bits;
}

/** herdsman's payload object for `command`, field by field from the table. */
function toPayload(command: OtaCommand): Record<string, unknown> {
  const spec = COMMANDS[command.name];
  const c = command as unknown as Readonly<Record<string, unknown>>;
  const payload: Record<string, unknown> = {};
  if (spec.fieldControl) payload.fieldControl = requestFieldControl(command);
  for (const field of spec.fields) {
    if (!present(field, c)) continue;
    const value = c[field.key];
    const key = field.herdsman ?? field.key;
    switch (field.type) {
      case 'status':
        payload[key] = ZCL_STATUS[value as ZclStatusName];
        break;
      case 'eui64':
        payload[key] = `0x${value as string}`;
        break;
      case 'data': {
        const data = value as Uint8Array;
        payload.dataSize = data.length;
        payload[key] = Buffer.from(data.buffer, data.byteOffset, data.length);
        break;
      }
      case 'utcOrWait':
        // herdsman cannot encode null; NaN writes all ones (0xFFFFFFFF: wait for a later command).
        payload[key] = value === UPGRADE_TIME_WAIT ? Number.NaN : value;
        break;
      default:
        payload[key] = value;
    }
  }
  return payload;
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
  const spec = COMMANDS[command.name];
  const direction = spec.serverToClient
    ? herdsman().Direction.SERVER_TO_CLIENT
    : herdsman().Direction.CLIENT_TO_SERVER;
  let buffer: Buffer;
  try {
    buffer = herdsman()
      .Frame.create(
        spec.global ? herdsman().FrameType.GLOBAL : herdsman().FrameType.SPECIFIC,
        direction,
        true,
        undefined,
        frame.transactionSequence,
        spec.global?.herdsman ?? command.name,
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

/** Our command from herdsman's decoded payload, field by field from the table; a string when a field is not allowed. */
function fromPayload(name: OtaCommandName, p: Record<string, unknown>): OtaCommand | string {
  const spec = COMMANDS[name];
  const command: Record<string, unknown> = { name };
  for (const field of spec.fields) {
    const raw = p[field.herdsman ?? field.key];
    if (field.controlBit !== undefined ? raw === undefined : field.when && !field.when(command)) continue;
    switch (field.type) {
      case 'status': {
        const code = num(raw, 'u8');
        const status = spec.statuses?.find((s) => s === STATUS_BY_CODE.get(code));
        if (!status)
          return `status ${hexNumber(code, 2)} is not allowed in a${/^[aeiou]/.test(name) ? 'n' : ''} ${name}`;
        command[field.key] = status;
        break;
      }
      case 'eui64':
        command[field.key] = String(raw).replace(/^0x/, '').toLowerCase().padStart(16, '0');
        break;
      case 'data': {
        const data = raw as Buffer;
        const dataSize = num(p.dataSize, 'u8');
        if (data.length !== dataSize) return `dataSize ${dataSize} but ${data.length} bytes of data`;
        command[field.key] = new Uint8Array(data);
        break;
      }
      case 'utcOrWait': {
        const value = num(raw, 'u32');
        command[field.key] = value === ALL_ONES.u32 ? UPGRADE_TIME_WAIT : value;
        break;
      }
      default:
        command[field.key] = num(raw, field.type);
    }
  }
  return spec.check?.(command) ?? (command as unknown as OtaCommand);
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
  // ZCL r8 §2.4.1.1: bits 0–1 frame type (0: general, 1: cluster specific), bit 2 manufacturer specific.
  const frameType = frameControl & 0x03;
  if (frameType !== herdsman().FrameType.SPECIFIC && frameType !== herdsman().FrameType.GLOBAL) {
    return { ok: false, status: 'UNSUP_COMMAND', reason: `frame type ${frameType} is reserved` };
  }
  if (frameControl & 0x04)
    return { ok: false, status: 'UNSUP_COMMAND', reason: 'manufacturer-specific command' };
  const general = frameType === herdsman().FrameType.GLOBAL;
  const name = (general ? GLOBAL_NAME_BY_ID : NAME_BY_ID).get(bytes[2] as number);
  const serverToClient = (frameControl & 0x08) !== 0;
  if (!name || COMMANDS[name].serverToClient !== serverToClient) {
    return {
      ok: false,
      status: 'UNSUP_COMMAND',
      reason: `${general ? 'general ' : ''}command ${hexNumber(bytes[2] as number, 2)} in this direction`,
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
