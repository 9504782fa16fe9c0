/**
 * SR 11.2 Read Firmware Version in GBCS (DESIGN.md §1): the three use cases that carry it and the
 * content of their commands and responses — ECS52 from an ESME (DLMS `get` of the firmware version
 * object, OBIS 0-0:0.2.1.255, class 1, attribute 2), GCS38 from a GSME (GBZ: a ZCL Read Attributes
 * of attribute 0x0206 of cluster 0x0702) and CS08 from a PPMID or HCALCS (DER: NULL, answered by
 * `SEQUENCE { firmwareVersion OCTET STRING, responseCode INTEGER }`, as SmartDCCInnovation/gbcs-parser
 * reads it). The layouts are those of the DCC RTDS 4.5.0 messages `{CS08,ECS52,GCS38}_11.2_SUCCESS_*`,
 * written down as data: fixed bytes with named holes for the DLMS invoke id and the version.
 */
import { ByteWriter } from '../bytes/byte-writer.ts';
import { DecodeError, EncodeError } from '../errors/errors.ts';

/** The message codes of the three use cases (GBCS Table 13.2.4). */
export const FIRMWARE_READ_CODE = { ecs52: 0x0059, gcs38: 0x0084, cs08: 0x0129 } as const;
/** Which use case reads a device's firmware version. */
export type FirmwareRead = keyof typeof FIRMWARE_READ_CODE;

/** The use case of a message code, when it is one of the three. */
export function firmwareReadOf(messageCode: number): FirmwareRead | undefined {
  for (const [name, code] of Object.entries(FIRMWARE_READ_CODE))
    if (code === messageCode) return name as FirmwareRead;
  return undefined;
}

/** Length of a GBCS firmware version (RTDS, DCC Boxed: four bytes). */
const VERSION_LENGTH = 4;

/** A fixed byte, the 4-byte DLMS invoke id, or the 4-byte firmware version. */
type Slot = number | 'invokeId' | 'version';

const DLMS_GET_FIRMWARE_VERSION = [0x01, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x01, 0xff, 0x02];
const GBZ_HEADER = [0x01, 0x09, 0x01, 0x01, 0x07, 0x02];

/** Command and response content of each use case, from the RTDS messages. */
const LAYOUT: Record<FirmwareRead, { command: readonly Slot[]; response: readonly Slot[] }> = {
  ecs52: {
    // access-request, invoke id, no date-time, one get of the version object, one null datum
    command: [0xd9, 'invokeId', 0x00, ...DLMS_GET_FIRMWARE_VERSION, 0x01, 0x00],
    // access-response, invoke id, no date-time, no request echo, one octet-string, one success
    response: [0xda, 'invokeId', 0x00, 0x00, 0x01, 0x09, VERSION_LENGTH, 'version', 0x01, 0x01, 0x00],
  },
  gcs38: {
    // GBZ profile 0x0109, one component, cluster 0x0702, 5 bytes: ZCL Read Attributes 0x0206
    command: [...GBZ_HEADER, 0x00, 0x05, 0x00, 0x00, 0x00, 0x06, 0x02],
    // 12 bytes: ZCL Read Attributes Response, 0x0206 SUCCESS, octet string of 4
    response: [
      ...GBZ_HEADER,
      0x00,
      0x0c,
      0x08,
      0x00,
      0x01,
      0x06,
      0x02,
      0x00,
      0x41,
      VERSION_LENGTH,
      'version',
    ],
  },
  cs08: {
    // DER NULL
    command: [0x05, 0x00],
    // SEQUENCE { OCTET STRING version, INTEGER 0 (read success) }
    response: [0x30, 0x09, 0x04, VERSION_LENGTH, 'version', 0x02, 0x01, 0x00],
  },
};

const HOLE_LENGTH = 4;

function encode(layout: readonly Slot[], holes: { invokeId?: number; version?: Uint8Array }): Uint8Array {
  const w = new ByteWriter({ littleEndian: false, initialCapacity: 32 });
  for (const slot of layout) {
    if (slot === 'invokeId') w.u32(holes.invokeId ?? 0, 'invokeId');
    else if (slot === 'version') {
      const version = holes.version ?? new Uint8Array(0);
      if (version.length !== VERSION_LENGTH)
        throw new EncodeError('GBCS_FIELD_LENGTH', `firmwareVersion: ${version.length} bytes, expected 4`);
      w.bytes(version);
    } else w.u8(slot, 'fixed byte');
  }
  return w.finish();
}

function decode(
  layout: readonly Slot[],
  content: Uint8Array,
  what: string,
  baseOffset: number,
): { invokeId?: number; version?: Uint8Array } {
  const length = layout.reduce<number>((n, s) => n + (typeof s === 'number' ? 1 : HOLE_LENGTH), 0);
  if (content.length !== length)
    throw new DecodeError(
      'GBCS_CONTENT',
      `${what}: ${content.length} bytes of content, expected ${length}`,
      baseOffset,
    );
  const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
  const out: { invokeId?: number; version?: Uint8Array } = {};
  let at = 0;
  for (const slot of layout) {
    if (slot === 'invokeId') out.invokeId = view.getUint32(at, false);
    else if (slot === 'version') out.version = content.slice(at, at + HOLE_LENGTH);
    else if (content[at] !== slot)
      throw new DecodeError(
        'GBCS_CONTENT',
        `${what}: byte 0x${(content[at] as number).toString(16).padStart(2, '0')}, expected 0x${slot.toString(16).padStart(2, '0')}`,
        baseOffset + at,
      );
    at += typeof slot === 'number' ? 1 : HOLE_LENGTH;
  }
  return out;
}

/** The content of a read command; `invokeId` is the DLMS one (ECS52 only). */
export function encodeFirmwareReadCommand(read: FirmwareRead, invokeId = 0): Uint8Array {
  return encode(LAYOUT[read].command, { invokeId });
}

/** Checks the content of a read command; its DLMS invoke id (0 for the others). */
export function decodeFirmwareReadCommand(read: FirmwareRead, content: Uint8Array, baseOffset = 0): number {
  return decode(LAYOUT[read].command, content, `${read.toUpperCase()} command`, baseOffset).invokeId ?? 0;
}

/** The content of a successful read response: the running version (4 bytes), the command's invoke id. */
export function encodeFirmwareReadResponse(
  read: FirmwareRead,
  version: Uint8Array,
  invokeId = 0,
): Uint8Array {
  return encode(LAYOUT[read].response, { invokeId, version });
}

/** The version a read response reports, and its DLMS invoke id (0 for the others). */
export function decodeFirmwareReadResponse(
  read: FirmwareRead,
  content: Uint8Array,
  baseOffset = 0,
): { version: Uint8Array; invokeId: number } {
  const holes = decode(LAYOUT[read].response, content, `${read.toUpperCase()} response`, baseOffset);
  return { version: holes.version as Uint8Array, invokeId: holes.invokeId ?? 0 };
}
