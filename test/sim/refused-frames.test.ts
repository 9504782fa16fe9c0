/**
 * Frames the hub cannot take are answered as ZCL r8 §2.5.12.2 requires: a general command it does
 * not support, or an OTA command sent the wrong way, with a Default Response UNSUP_COMMAND; an OTA
 * command whose payload does not parse with MALFORMED_COMMAND — each echoing the frame's sequence
 * number and naming its command id. A Default Response is never answered with another.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes/hex.ts';
import { decodeOtaFrame } from '../../src/ota/frame-codec.ts';
import { HanHarness } from '../../src/testing/han-harness.ts';
import { FIXTURE_IMAGES } from '../helpers/sim.ts';

const IMAGE = (FIXTURE_IMAGES.find((f) => f.name === 'ihd-1.5-zigbee.ota') as (typeof FIXTURE_IMAGES)[number])
  .file;

/** A harness with one IHD whose first query is answered, so nothing else is in flight. */
function quiet(): HanHarness {
  const h = new HanHarness({ image: IMAGE, deviceTypes: ['IHD'], seed: 3 });
  h.settle();
  expect(h.inFlight).toEqual([]);
  return h;
}

/** The frames in flight to `node`, decoded. */
function toDevice(h: HanHarness, node: string) {
  return h.inFlight
    .filter((f) => f.to === node)
    .map((f) => {
      const decoded = decodeOtaFrame(f.bytes);
      return decoded.ok ? decoded.frame : undefined;
    });
}

describe('frames the hub cannot take', () => {
  const cases = [
    // General command 0x00 Read Attributes (attribute 0x0002), client to server.
    ['a general command other than the Default Response', '1021000200', 0x21, 0x00, 'UNSUP_COMMAND'],
    // Image Notify (0x00) is a server-to-client command: sent by a device, it is not one the hub takes.
    ['an OTA command sent the wrong way', '1122000064', 0x22, 0x00, 'UNSUP_COMMAND'],
    // A Query Next Image Request cut short after its manufacturer code.
    ['an OTA command whose payload is cut short', '1123010034', 0x23, 0x01, 'MALFORMED_COMMAND'],
  ] as const;
  for (const [what, hex, tsn, commandId, status] of cases)
    it(`answers ${what} with a Default Response ${status}`, () => {
      const h = quiet();
      const node = h.nodes[0] as string;
      h.inject({ from: node, to: 'hub', bytes: fromHex(hex, 'frame') });
      h.deliver(0);
      expect(toDevice(h, node)).toEqual([
        { transactionSequence: tsn, command: { name: 'defaultResponse', commandId, status } },
      ]);
    });

  it('does not answer a Default Response', () => {
    const h = quiet();
    const node = h.nodes[0] as string;
    h.inject({ from: node, to: 'hub', bytes: fromHex('10240b0100', 'frame') });
    h.deliver(0);
    expect(h.inFlight).toEqual([]);
  });
});
