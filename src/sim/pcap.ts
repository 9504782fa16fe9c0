/**
 * Captures (DESIGN.md §3): a classic pcap file (link type 195, IEEE 802.15.4 with FCS) of the
 * frames a run put on the air, each wrapped in MAC, NWK and APS headers (profile 0x0109,
 * cluster 0x0019) so that Wireshark and tshark dissect them as the OTA Upgrade cluster.
 * Timestamps are the simulated times from a fixed epoch, so captures are reproducible.
 */
import { ByteWriter } from '../bytes/byte-writer.ts';
import { encapsulate, type StackAddressing } from './zigbee-stack.ts';

/** pcap magic (microsecond timestamps), version 2.4 (libpcap file format). */
const PCAP_MAGIC = 0xa1b2c3d4;
const PCAP_VERSION = [2, 4] as const;
const PCAP_SNAPLEN = 65_535;
/** LINKTYPE_IEEE802_15_4_WITHFCS. */
export const LINKTYPE_IEEE802_15_4_WITHFCS = 195;

/** One captured frame. */
export interface CapturedFrame {
  /** Simulated time, µs. */
  readonly timeUs: number;
  readonly zcl: Uint8Array;
  readonly addressing: StackAddressing;
}

/** The pcap file of `frames`, timestamps counted from `epochS` (Unix seconds). */
export function writePcap(frames: readonly CapturedFrame[], epochS: number): Uint8Array {
  const w = new ByteWriter({ littleEndian: true, initialCapacity: 24 + frames.length * 120 });
  w.u32(PCAP_MAGIC, 'magic')
    .u16(PCAP_VERSION[0], 'versionMajor')
    .u16(PCAP_VERSION[1], 'versionMinor')
    .u32(0, 'thiszone')
    .u32(0, 'sigfigs')
    .u32(PCAP_SNAPLEN, 'snaplen')
    .u32(LINKTYPE_IEEE802_15_4_WITHFCS, 'network');
  for (const frame of frames) {
    const mpdu = encapsulate(frame.zcl, frame.addressing);
    w.u32(epochS + Math.floor(frame.timeUs / 1_000_000), 'ts_sec')
      .u32(frame.timeUs % 1_000_000, 'ts_usec')
      .u32(mpdu.length, 'incl_len')
      .u32(mpdu.length, 'orig_len')
      .bytes(mpdu);
  }
  return w.finish();
}
