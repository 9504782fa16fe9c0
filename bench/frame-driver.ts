/**
 * Frame driver throughput: frames per second through the full frame driver (encode, link,
 * decode, state machines, memory, trace) and the simulated-time speedup, next to the cost of
 * zigbee-herdsman's `Zcl.Frame` codec alone on the same frames, measured in the same run.
 * Goal: what the simulation adds per frame costs less than the codec itself.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Frame, Header } from 'zigbee-herdsman/dist/zspec/zcl/index.js';
import { DEVICE_PROFILES } from '../src/devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../src/hub/ota-server.ts';
import type { OtaFrame } from '../src/ota/commands.ts';
import { decodeOtaFrame, encodeOtaFrame } from '../src/ota/frame-codec.ts';
import { parseImage } from '../src/ota/image.ts';
import { runFrameSimulation } from '../src/sim/frame-driver.ts';
import type { DeviceSpec, FrameRunResult } from '../src/sim/frame-run.ts';
import { LINK_PROFILES } from '../src/sim/link.ts';
import { type BenchResult, machine, timeLoop } from './harness.ts';
import { type Category, profileSplit } from './profile-split.ts';

function runOnce(file: Uint8Array, devices: number, maxTimeUs = 30 * 86_400_000_000): FrameRunResult {
  const h = parseImage(file).header;
  const specs: DeviceSpec[] = Array.from({ length: devices }, (_, i) => ({
    node: `ihd-${i}`,
    profile: DEVICE_PROFILES.IHD,
    manufacturerCode: h.manufacturerCode,
    imageType: h.imageType,
    runningVersion: h.fileVersion - 1,
    link: LINK_PROFILES.typical,
  }));
  return runFrameSimulation({
    seed: 1,
    hub: { ...DEFAULT_HUB_CONFIG, maxConcurrentDownloads: devices },
    memory: { blockCount: 64, blockSize: 4096 },
    devices: specs,
    images: [{ file }],
    maxTimeUs,
  });
}

/** The frames of a run as herdsman decoded them, to re-decode and re-encode with herdsman alone. */
function herdsmanFrames(frames: readonly Uint8Array[]) {
  return frames.map((f) => {
    const b = Buffer.from(f);
    return { b, f: Frame.fromBuffer(0x0019, Header.fromBuffer(b), b, {}) };
  });
}

/** herdsman alone, one pass: decode then re-encode each frame. */
function herdsmanPass(decoded: ReturnType<typeof herdsmanFrames>): void {
  for (const { b, f } of decoded) {
    const again = Frame.fromBuffer(0x0019, Header.fromBuffer(b), b, {});
    Frame.create(
      f.header.frameControl.frameType,
      f.header.frameControl.direction,
      true,
      undefined,
      f.header.transactionSequenceNumber,
      f.command.name,
      'genOta',
      again.payload,
      {},
    ).toBuffer();
  }
}

/** Our codec (herdsman behind the guard rails), one pass: encode then decode each frame, as the driver does. */
function wrappedPass(frames: readonly OtaFrame[]): void {
  for (const frame of frames) decodeOtaFrame(encodeOtaFrame(frame));
}

/** Lower quartile, median and upper quartile of a non-empty list. */
function quartiles(values: readonly number[]): [number, number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.round(q * (sorted.length - 1))] as number;
  return [at(0.25), at(0.5), at(0.75)];
}

/** Profile categories, first match wins: herdsman's codec, our guard rails around it, the run's setup, the rest of the run. */
const PROFILE_CATEGORIES: readonly Category[] = [
  { name: 'herdsman', matches: (f) => f.url.includes('/node_modules/zigbee-herdsman/') },
  { name: 'guard rails', matches: (f) => f.url.endsWith('/src/ota/frame-codec.ts') },
  { name: 'setup', matches: (f) => f.functionName === '#distribute' || f.functionName === 'FrameSimulation' },
  { name: 'simulation', matches: (f) => f.functionName === 'runFrameSimulation' },
];
const CATEGORY_NAMES = PROFILE_CATEGORIES.map((c) => c.name);
const PROFILE_MS = 3000;
const ROUNDS = 11;
const LOOP_MS = 150;

/**
 * Runs the benchmark on the IHD fixture image with 1 and 8 devices. Every round times the four
 * workloads back to back (setup alone, the whole run, herdsman's codec, our codec), each as
 * a loop of at least LOOP_MS, and gives its own ratio; the table shows the median and the
 * quartiles over the rounds, so a disturbed round moves neither.
 */
export function benchFrameDriver(root: string): BenchResult {
  const file = new Uint8Array(readFileSync(join(root, 'fixtures/images/ihd-1.5-zigbee.ota')));
  const rows: [string, string][] = [];
  for (let i = 0; i < 5; i++) runOnce(file, 8); // warm up the JIT on the same code paths
  for (const devices of [1, 8]) {
    const run = runOnce(file, devices);
    const bytes = run.trace
      .frames()
      .filter((f) => f.fate !== 'lost')
      .map((f) => f.bytes as Uint8Array);
    const ours = bytes.map((f) => {
      const result = decodeOtaFrame(f);
      if (!result.ok) throw new Error(`bench: a traced frame does not decode: ${result.reason}`);
      return result.frame;
    });
    const theirs = herdsmanFrames(bytes);
    const perRound = { driver: [] as number[], herdsman: [] as number[], wrapped: [] as number[] };
    const ratios: number[] = [];
    const speedups: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // Setup (parsing and storing the image, building nodes) is timed on its own, with no
      // event run, so that the per-frame cost is the steady state.
      const setupUs = timeLoop(() => runOnce(file, devices, -1), LOOP_MS) * 1e6;
      const totalUs = timeLoop(() => runOnce(file, devices), LOOP_MS) * 1e6;
      const herdsmanUs = (timeLoop(() => herdsmanPass(theirs), LOOP_MS) * 1e6) / theirs.length;
      const wrappedUs = (timeLoop(() => wrappedPass(ours), LOOP_MS) * 1e6) / ours.length;
      const driverUs = (totalUs - setupUs) / run.framesSent;
      perRound.driver.push(driverUs);
      perRound.herdsman.push(herdsmanUs);
      perRound.wrapped.push(wrappedUs);
      ratios.push((driverUs - wrappedUs) / herdsmanUs);
      speedups.push(run.endUs / totalUs);
    }
    const driverUs = quartiles(perRound.driver)[1];
    const herdsmanUs = quartiles(perRound.herdsman)[1];
    const wrappedUs = quartiles(perRound.wrapped)[1];
    const [lowRatio, ratio, highRatio] = quartiles(ratios);
    const d = `${devices} device(s)`;
    const split = profileSplit(() => {
      const start = Date.now();
      while (Date.now() - start < PROFILE_MS) runOnce(file, devices);
    }, PROFILE_CATEGORIES);
    const cpu = (name: string) => split.shares.get(name) ?? 0;
    const gc = cpu('garbage collector');
    rows.push(
      [`${d}: frames through the frame driver`, String(run.framesSent)],
      [`${d}: frames per second, setup excluded`, Math.round(1e6 / driverUs).toLocaleString('en')],
      [`${d}: simulated time / wall time`, `${Math.round(quartiles(speedups)[1]).toLocaleString('en')}×`],
      [`${d}: frame driver, µs per frame`, driverUs.toFixed(2)],
      [`${d}: herdsman Zcl.Frame decode + encode alone, µs per frame`, herdsmanUs.toFixed(2)],
      [`${d}: hanota codec encode + decode (herdsman + guard rails), µs per frame`, wrappedUs.toFixed(2)],
      [`${d}: simulation beyond the codec, µs per frame`, (driverUs - wrappedUs).toFixed(2)],
      [
        `${d}: simulation beyond the codec / herdsman codec, median of ${ROUNDS} rounds [quartiles] (<1: goal met)`,
        `${ratio.toFixed(2)} [${lowRatio.toFixed(2)}–${highRatio.toFixed(2)}]`,
      ],
      [
        `${d}: CPU profile (${PROFILE_MS / 1000} s of runs): ${CATEGORY_NAMES.join(' / ')} / GC / other`,
        [...CATEGORY_NAMES, 'garbage collector', 'other']
          .map((c) => `${((100 * cpu(c)) / split.total).toFixed(1)}%`)
          .join(' / '),
      ],
      [
        `${d}: profile: simulation / herdsman codec, GC left out (<1: goal met)`,
        (cpu('simulation') / cpu('herdsman')).toFixed(2),
      ],
      [
        `${d}: profile: simulation + all GC / herdsman codec (<1: goal met with every GC charged to us)`,
        ((cpu('simulation') + gc) / cpu('herdsman')).toFixed(2),
      ],
    );
  }
  return {
    name: 'Frame driver throughput',
    peer: 'zigbee-herdsman Zcl.Frame codec alone',
    machine: machine(),
    rows,
  };
}
