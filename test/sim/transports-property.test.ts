/**
 * The equivalence of the two transports as a property (DESIGN.md §3): generated HANs — mixed
 * device types (sleepy GSMEs among them), hub memory and download slots smaller than the demand,
 * hardware-version refusals, multi-hop upgrade chains, later distributions, power cuts and hub
 * restarts at generated times — on loss-free, jitter-free links give, frame by frame and over
 * the session transport, the same device outcomes, the same distributions and memory peak, and
 * the same state changes and notes in the same order at the same times. The seed is printed.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { DEVICE_PROFILES, type DeviceType } from '../../src/devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../../src/hub/ota-server.ts';
import { headerStringFromText } from '../../src/ota/header.ts';
import { buildZigbeeImage } from '../../src/ota/zigbee-image.ts';
import { runSimulation } from '../../src/sim/frame-driver.ts';
import type { DeviceSpec, FrameRunInput, FrameRunResult } from '../../src/sim/frame-run.ts';

const MANUFACTURER = 0x1234;
const IMAGE_TYPE = 7;
const TYPES: readonly DeviceType[] = ['ESME', 'HCALCS', 'IHD', 'PPMID', 'GSME'];

/** A small image of `version`, `size` bytes of payload, for hardware 1..3 when `ranged`. */
function image(version: number, size: number, ranged: boolean): Uint8Array {
  return buildZigbeeImage({
    header: {
      manufacturerCode: MANUFACTURER,
      imageType: IMAGE_TYPE,
      fileVersion: version,
      zigbeeStackVersion: 2,
      headerString: headerStringFromText(`v${version}`),
      ...(ranged && { minimumHardwareVersion: 1, maximumHardwareVersion: 3 }),
    },
    elements: [{ tag: 0, data: Uint8Array.from({ length: size }, (_, i) => (i * 31 + version) & 0xff) }],
  });
}

const han: fc.Arbitrary<FrameRunInput> = fc
  .record({
    seed: fc.integer({ min: 1, max: 2 ** 31 }),
    sizes: fc.tuple(
      fc.integer({ min: 200, max: 4000 }),
      fc.integer({ min: 200, max: 4000 }),
      fc.integer({ min: 200, max: 4000 }),
    ),
    ranged: fc.boolean(),
    slots: fc.integer({ min: 1, max: 3 }),
    blocks: fc.integer({ min: 2, max: 10 }),
    devices: fc.array(
      fc.record({
        type: fc.constantFrom(...TYPES),
        hardware: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
        latencyUs: fc.integer({ min: 500, max: 30_000 }),
        startUs: fc.option(fc.integer({ min: 0, max: 3_000_000 }), { nil: undefined }),
        chain: fc.boolean(),
        maxDataSize: fc.option(fc.integer({ min: 16, max: 80 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    powerCuts: fc.array(
      fc.record({
        device: fc.nat(),
        atUs: fc.integer({ min: 0, max: 120_000_000 }),
        offUs: fc.integer({ min: 0, max: 600_000_000 }),
      }),
      { maxLength: 2 },
    ),
    restarts: fc.array(fc.integer({ min: 0, max: 120_000_000 }), { maxLength: 1 }),
    later: fc.option(fc.integer({ min: 1_000_000, max: 600_000_000 }), { nil: undefined }),
  })
  .map((g) => {
    const files = [2, 3, 4].map((v, k) => image(v, g.sizes[k] as number, g.ranged));
    const devices: DeviceSpec[] = g.devices.map((d, i) => ({
      node: `${d.type.toLowerCase()}-${i}`,
      // Activation comes with the hub's Upgrade End Response: no CS06 keys in these HANs.
      profile: { ...DEVICE_PROFILES[d.type], gbcsActivation: false },
      manufacturerCode: MANUFACTURER,
      imageType: IMAGE_TYPE,
      runningVersion: 1,
      ...(d.hardware !== undefined && { hardwareVersion: d.hardware }),
      ...(d.maxDataSize !== undefined && { maxDataSize: d.maxDataSize }),
      link: {
        band: '2.4GHz',
        latencyUs: d.latencyUs,
        jitterUs: 0,
        lossProbability: 0,
        duplicateProbability: 0,
      },
      ...(d.startUs !== undefined && { startUs: d.startUs }),
    }));
    const chained = devices.filter((_, i) => g.devices[i]?.chain);
    return {
      seed: g.seed,
      hub: { ...DEFAULT_HUB_CONFIG, maxConcurrentDownloads: g.slots },
      memory: { blockCount: g.blocks, blockSize: 1024 },
      devices,
      images: chained.length === devices.length ? [] : [{ file: files[0] as Uint8Array }],
      upgradeChains: chained.map((d) => ({ node: d.node, images: files.map((file) => ({ file })) })),
      ...(g.later !== undefined && {
        laterImages: [
          { atUs: g.later, image: { file: files[2] as Uint8Array }, notify: devices.map((d) => d.node) },
        ],
      }),
      powerCycles: g.powerCuts.map((p) => ({
        atUs: p.atUs,
        node: (devices[p.device % devices.length] as DeviceSpec).node,
        offUs: p.offUs,
      })),
      hubRestartsUs: g.restarts,
      maxTimeUs: 3 * 86_400_000_000,
    } satisfies FrameRunInput;
  });

/** What must agree: outcomes (frame counts aside: a computed run is not frames), distributions, memory, and every state change and note. */
function comparable(result: FrameRunResult) {
  return {
    devices: result.devices.map(({ framesReceived: _r, framesSent: _s, ...d }) => d),
    distributions: result.distributions,
    hubMemoryPeakBlocks: result.hubMemoryPeakBlocks,
    events: result.trace.events.filter((e) => e.kind !== 'frame'),
  };
}

it('gives the same outcomes, events and times over both transports on loss-free links', () => {
  // What the generated HANs went through, so that the property is seen to cover it.
  const seen = { upgraded: 0, multiHop: 0, hardwareRefused: 0, memoryRefused: 0, waitForData: 0, resumed: 0 };
  fc.assert(
    fc.property(han, (input) => {
      const frame = runSimulation(input, 'frame');
      expect(comparable(runSimulation(input, 'session'))).toEqual(comparable(frame));
      seen.upgraded += frame.devices.filter((d) => d.phase === 'upgraded').length;
      seen.multiHop += frame.devices.filter((d) => d.runningVersion === 4).length;
      seen.memoryRefused += frame.distributions.filter((d) => !d.ok).length;
      for (const e of frame.trace.events) {
        if (e.kind === 'state' && /hardware version/.test(e.reason)) seen.hardwareRefused++;
        if (e.kind === 'state' && /^power on with \d+ bytes/.test(e.reason)) seen.resumed++;
        if (e.kind === 'frame' && e.command === 'imageBlockResponse' && e.bytes?.[3] === 0x97)
          seen.waitForData++;
      }
    }),
    { numRuns: 200 },
  );
  for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
});
