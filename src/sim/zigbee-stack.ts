/**
 * The layers under a ZCL frame on the simulated radio: IEEE 802.15.4 MAC (2006 data frame,
 * short addresses, PAN ID compression, FCS), ZigBee PRO NWK (data frame, no security) and APS
 * (unicast data frame, no security) with the Smart Energy profile. Used for airtime and for
 * captures; the simulation itself exchanges ZCL frames.
 */
import { ByteWriter } from '../bytes/byte-writer.ts';

/** IEEE 802.15.4-2006 §5.2.1.1 frame control: data frame, ack request, PAN ID compression, short addresses. */
const MAC_FRAME_CONTROL = 0x0001 | 0x0020 | 0x0040 | 0x0800 | 0x8000;
/** ZigBee 05-3474 §3.3.1.1 NWK frame control: data frame, protocol version 2 (ZigBee PRO), route discovery enabled. */
const NWK_FRAME_CONTROL = 0x0048;
/** ZigBee 05-3474 §2.2.5.1.1 APS frame control: data frame, unicast, no security, no ack. */
const APS_FRAME_CONTROL = 0x00;
/** Default NWK radius: twice the maximum depth of a small mesh. */
const NWK_RADIUS = 30;

/** The Smart Energy application profile (ZigBee 07-5356). */
export const SMART_ENERGY_PROFILE = 0x0109;
/** The OTA Upgrade cluster (ZCL §11). */
export const OTA_CLUSTER = 0x0019;
/** The PAN identifier used by simulated HANs. */
export const SIMULATED_PAN_ID = 0x1a62;

/** Header and trailer bytes the stack adds to a ZCL frame: MAC 9 + FCS 2, NWK 8, APS 8. */
export const STACK_OVERHEAD_BYTES = 9 + 2 + 8 + 8;

/** aMaxPHYPacketSize of IEEE 802.15.4: the largest MPDU. */
export const MAX_MPDU_LENGTH = 127;

/** Image Block Response bytes besides the data: ZCL header 3, status, ids, offset, size 14. */
const BLOCK_RESPONSE_OVERHEAD = 3 + 14;

/**
 * The largest block an Image Block Response carries in one unfragmented frame, as captured
 * (no NWK security header): 127 − 27 − 17 = 83 bytes.
 */
export const MAX_UNFRAGMENTED_BLOCK_DATA = MAX_MPDU_LENGTH - STACK_OVERHEAD_BYTES - BLOCK_RESPONSE_OVERHEAD;

/** Addresses and counters of one transmission. */
export interface StackAddressing {
  /** 16-bit network addresses. */
  readonly source: number;
  readonly destination: number;
  readonly sourceEndpoint: number;
  readonly destinationEndpoint: number;
  /** Per-sender counters (wrap at 256). */
  readonly macSequence: number;
  readonly nwkSequence: number;
  readonly apsCounter: number;
}

/** CRC-16/KERMIT (ITU-T polynomial, reflected, init 0): the 802.15.4 FCS (§5.2.1.9). */
export function fcs16(data: Uint8Array): number {
  let crc = 0;
  for (const byte of data) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
  }
  return crc;
}

/** The 802.15.4 MPDU (MAC header, NWK, APS, ZCL, FCS) carrying `zcl`. */
export function encapsulate(zcl: Uint8Array, a: StackAddressing): Uint8Array {
  const w = new ByteWriter({ littleEndian: true, initialCapacity: zcl.length + STACK_OVERHEAD_BYTES });
  w.u16(MAC_FRAME_CONTROL, 'mac.frameControl')
    .u8(a.macSequence & 0xff, 'mac.sequence')
    .u16(SIMULATED_PAN_ID, 'mac.panId')
    .u16(a.destination, 'mac.destination')
    .u16(a.source, 'mac.source');
  w.u16(NWK_FRAME_CONTROL, 'nwk.frameControl')
    .u16(a.destination, 'nwk.destination')
    .u16(a.source, 'nwk.source')
    .u8(NWK_RADIUS, 'nwk.radius')
    .u8(a.nwkSequence & 0xff, 'nwk.sequence');
  w.u8(APS_FRAME_CONTROL, 'aps.frameControl')
    .u8(a.destinationEndpoint, 'aps.destinationEndpoint')
    .u16(OTA_CLUSTER, 'aps.cluster')
    .u16(SMART_ENERGY_PROFILE, 'aps.profile')
    .u8(a.sourceEndpoint, 'aps.sourceEndpoint')
    .u8(a.apsCounter & 0xff, 'aps.counter');
  w.bytes(zcl);
  const withoutFcs = w.finish();
  const out = new Uint8Array(withoutFcs.length + 2);
  out.set(withoutFcs);
  new DataView(out.buffer).setUint16(withoutFcs.length, fcs16(withoutFcs), true);
  return out;
}
