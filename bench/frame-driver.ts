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
import { decodeOtaFrame, encodeOtaFrame } from '../src/ota/frame-codec.ts';
import { parseImage } from '../src/ota/image.ts';
import { type DeviceSpec, type FrameRunResult, runFrameSimulation } from '../src/sim/frame-driver.ts';
import { LINK_PROFILES } from '../src/sim/link.ts';
import { type BenchResult, machine } from './harness.ts';

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

/** Wall time of `fn`, µs: the fastest of `rounds` (on a shared machine, the least disturbed). */
function wallUs(fn: () => unknown, rounds: number): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1_000);
  }
  return Math.min(...times);
}

/** herdsman alone: decode then re-encode each frame, µs per frame (fastest round). */
function herdsmanCodecUs(frames: readonly Uint8Array[]): number {
  const buffers = frames.map((f) => Buffer.from(f));
  const decoded = buffers.map((b) => ({ b, f: Frame.fromBuffer(0x0019, Header.fromBuffer(b), b, {}) }));
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = process.hrtime.bigint();
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
    rounds.push(Number(process.hrtime.bigint() - start) / 1_000 / frames.length);
  }
  return Math.min(...rounds);
}

/** Our codec (herdsman behind the guard rails): encode then decode each frame, as the driver does, µs per frame. */
function wrappedCodecUs(frames: readonly Uint8Array[]): number {
  const decoded = frames.map((f) => {
    const result = decodeOtaFrame(f);
    if (!result.ok) throw new Error(`bench: a traced frame does not decode: ${result.reason}`);
    return result.frame;
  });
  const rounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    const start = process.hrtime.bigint();
    for (const frame of decoded) decodeOtaFrame(encodeOtaFrame(frame));
    rounds.push(Number(process.hrtime.bigint() - start) / 1_000 / frames.length);
  }
  return Math.min(...rounds);
}

/** Runs the benchmark on the IHD fixture image with 1 and 8 devices. */
export function benchFrameDriver(root: string): BenchResult {
  const file = new Uint8Array(readFileSync(join(root, 'fixtures/images/ihd-1.5-zigbee.ota')));
  const rows: [string, string][] = [];
  for (let i = 0; i < 5; i++) runOnce(file, 8); // warm up the JIT on the same code paths
  for (const devices of [1, 8]) {
    const run = runOnce(file, devices);
    // Setup (parsing and storing the image, building nodes) is timed on its own, with no
    // event run, so that the per-frame cost is the steady state.
    const setupUs = wallUs(() => runOnce(file, devices, -1), 9);
    const totalUs = wallUs(() => runOnce(file, devices), 7);
    const frames = run.trace
      .frames()
      .filter((f) => f.fate !== 'lost')
      .map((f) => f.bytes);
    const driverUs = (totalUs - setupUs) / run.framesSent;
    const herdsmanUs = herdsmanCodecUs(frames);
    const wrappedUs = wrappedCodecUs(frames);
    rows.push(
      [`${devices} device(s): frames through the frame driver`, String(run.framesSent)],
      [`${devices} device(s): run setup (image stored, nodes built), µs`, setupUs.toFixed(0)],
      [
        `${devices} device(s): frames per second, setup excluded`,
        Math.round(run.framesSent / ((totalUs - setupUs) / 1e6)).toLocaleString('en'),
      ],
      [
        `${devices} device(s): simulated time / wall time`,
        `${Math.round(run.endUs / totalUs).toLocaleString('en')}×`,
      ],
      [`${devices} device(s): frame driver, µs per frame`, driverUs.toFixed(1)],
      [`${devices} device(s): herdsman Zcl.Frame decode + encode alone, µs per frame`, herdsmanUs.toFixed(1)],
      [
        `${devices} device(s): hanota codec encode + decode (herdsman + guard rails), µs per frame`,
        wrappedUs.toFixed(1),
      ],
      [`${devices} device(s): simulation beyond the codec, µs per frame`, (driverUs - wrappedUs).toFixed(1)],
      [
        `${devices} device(s): simulation beyond the codec / herdsman codec (<1: goal met)`,
        ((driverUs - wrappedUs) / herdsmanUs).toFixed(2),
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
