/**
 * How far the session driver's model of lost frames and jitter is from the frame driver's frame
 * by frame truth: the same devices and seeds on lossy links, the time of each activation compared.
 * (On loss-free links without jitter they agree exactly: test/campaign/session-driver.test.ts.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../src/bytes/hex.ts';
import { runSessionSimulation } from '../src/campaign/session-driver.ts';
import { sha256 } from '../src/crypto/hashes.ts';
import { DEVICE_PROFILES } from '../src/devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../src/hub/ota-server.ts';
import { parseImage } from '../src/ota/image.ts';
import { runFrameSimulation } from '../src/sim/frame-driver.ts';
import { LINK_PROFILES, type LinkProfile } from '../src/sim/link.ts';
import { type BenchResult, machine, median } from './harness.ts';

/** Runs `devices` PPMIDs on `link` with both drivers over `seeds`; relative errors of the activation times. */
function errors(root: string, link: LinkProfile, seeds: number, devices: number): number[] {
  const file = new Uint8Array(readFileSync(join(root, 'fixtures/images/unsigned-gbcs/ppmid-3.1-gbcs.ota')));
  const h = parseImage(file, { format: 'gbcs' }).header;
  const hub = { ...DEFAULT_HUB_CONFIG, maxConcurrentDownloads: devices };
  const memory = { blockCount: 64, blockSize: 4096 };
  const out: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const nodes = Array.from({ length: devices }, (_, i) => `ppmid-${i}`);
    const frame = runFrameSimulation({
      seed,
      hub,
      memory,
      devices: nodes.map((node) => ({
        node,
        profile: DEVICE_PROFILES.PPMID,
        manufacturerCode: h.manufacturerCode,
        imageType: h.imageType,
        runningVersion: h.fileVersion - 1,
        link,
        imageFormat: { format: 'gbcs' },
      })),
      images: [{ file, parse: { format: 'gbcs' } }],
      maxTimeUs: 86_400_000_000,
    });
    const session = runSessionSimulation({
      seed,
      hub,
      memory,
      maxTimeUs: 86_400_000_000,
      devices: nodes.map((node) => ({
        node,
        profile: DEVICE_PROFILES.PPMID,
        link,
        manufacturerCode: h.manufacturerCode,
        imageType: h.imageType,
        runningVersion: h.fileVersion - 1,
        hops: [
          {
            key: toHex(sha256(file)),
            manufacturerCode: h.manufacturerCode,
            imageType: h.imageType,
            fileVersion: h.fileVersion,
            size: file.length,
            ...(h.minimumHardwareVersion !== undefined && {
              minimumHardwareVersion: h.minimumHardwareVersion,
              maximumHardwareVersion: h.maximumHardwareVersion as number,
            }),
            valid: true,
          },
        ],
      })),
    });
    for (const node of nodes) {
      const truth = frame.trace.states(node).find((e) => e.to.startsWith('upgraded'))?.timeUs;
      const model = session.devices.find((d) => d.node === node)?.activationsUs[0];
      if (truth !== undefined && model !== undefined) out.push((model - truth) / truth);
    }
  }
  return out;
}

/** Runs the comparison on the typical and poor links. */
export function benchSessionAccuracy(root: string): BenchResult {
  const rows: [string, string][] = [];
  for (const [name, link] of [
    ['typical (2% loss, 10 ms jitter)', LINK_PROFILES.typical],
    ['10% loss, 20 ms jitter', { ...LINK_PROFILES.typical, lossProbability: 0.1, jitterUs: 20_000 }],
    ['poor (30% loss, 60 ms jitter, 5% duplicates)', LINK_PROFILES.poor],
  ] as const) {
    const e = errors(root, link, 5, 8).sort((a, b) => a - b);
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    rows.push([
      `${name}: activation time, session vs frame driver, median [min, max] of ${e.length}`,
      `${pct(median(e))} [${pct(e[0] as number)}, ${pct(e[e.length - 1] as number)}]`,
    ]);
  }
  return {
    name: 'Session driver accuracy on lossy links',
    peer: 'the frame driver, frame by frame',
    machine: machine(),
    rows,
  };
}
