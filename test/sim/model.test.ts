/**
 * Model-based test of the hub and device state machines (fast-check `fc.commands` over the
 * testing kit's harness): random interleavings of block requests and responses, losses,
 * duplicates, reorderings, timers, power cycles and hub restarts never corrupt what a device
 * has assembled and never leave a device with no way forward; afterwards, with the faults
 * gone, every device completes with the image byte for byte.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { headerStringFromText } from '../../src/ota/header.ts';
import { buildZigbeeImage } from '../../src/ota/zigbee-image.ts';
import { hanCommands } from '../../src/testing/han-commands.ts';
import { HanHarness } from '../../src/testing/han-harness.ts';

const IMAGE = buildZigbeeImage({
  header: {
    manufacturerCode: 0x1234,
    imageType: 0x10,
    fileVersion: 9,
    zigbeeStackVersion: 2,
    headerString: headerStringFromText('model'),
  },
  elements: [{ tag: 0, data: Uint8Array.from({ length: 700 }, (_, i) => (i * 7) & 0xff) }],
});

it('keeps assembled images intact and devices able to proceed under any interleaving of faults', () => {
  fc.assert(
    fc.property(hanCommands(), fc.integer({ min: 1, max: 1000 }), (commands, seed) => {
      const real = new HanHarness({
        image: IMAGE,
        deviceTypes: ['ESME', 'PPMID', 'GSME'],
        seed,
        maxDataSize: 64,
      });
      fc.modelRun(() => ({ model: { nodes: real.nodes }, real }), commands);
      real.settle();
      // A device that gave up after repeated aborts is revived by an Image Notify.
      if (real.nodes.some((n) => real.device(n).state.phase === 'failed')) {
        real.notifyAll();
        real.settle();
      }
      for (const node of real.nodes) {
        const device = real.device(node);
        expect(device.state.phase, node).toBe('upgraded');
        expect(Buffer.from(device.bytes).equals(Buffer.from(IMAGE)), node).toBe(true);
        expect(device.runningVersion).toBe(9);
      }
      expect(real.pins()).toEqual([]);
    }),
    { numRuns: 100 },
  );
});
