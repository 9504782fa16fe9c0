/**
 * The cost of a frame against the number of devices on one hub (limit: flat). N ESMEs on one hub
 * with two download slots fetch the same image, as `hanota run` would run the scenario; the time
 * per frame sent is compared across N = 100, 1,000 and 2,000 in the same run. Before the trace
 * was indexed per device once, the scenario runner filtered the whole trace for every device
 * (100 devices 8.7 s, 1,000 73 s, 2,000 259 s). The session transport runs the same scenario
 * beside it: its cost per device and per trace event at the same sizes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildScenario } from '../src/scenario/build.ts';
import { parseScenario, referencedFiles } from '../src/scenario/load.ts';
import { runScenario } from '../src/scenario/run.ts';
import type { TransportName } from '../src/sim/frame-driver.ts';
import { type BenchResult, machine } from './harness.ts';

/** A scenario of `n` ESMEs on one hub, all given the same image. */
export function manyDevicesScenario(n: number): string {
  const ids = Array.from({ length: n }, (_, i) => `e${i}`);
  return [
    `name: ${n} ESMEs on one hub`,
    'suppliers:',
    '  A: { key: ../fixtures/keys/supplier-ds.key.pem }',
    'images:',
    '  fw12: ../fixtures/images/esme-1.2-gbcs.ota',
    'hubs:',
    '  - { id: hub, maxConcurrentDownloads: 2 }',
    'devices:',
    ...ids.map(
      (id) =>
        `  - { id: ${id}, type: ESME, manufacturerCode: 0x1234, imageType: 0, fileVersion: 0x00010001, hardwareVersion: 0x0100, supplier: A }`,
    ),
    'timeline:',
    '  - at: 1m',
    `    distribute: { image: fw12, to: [${ids.join(', ')}] }`,
    'expect: { noneBricked: true }',
    '',
  ].join('\n');
}

/** One timed run of the scenario over `transport`: wall seconds, frames, trace events, activation times by device. */
function timedRun(
  scenario: ReturnType<typeof parseScenario>,
  files: ReadonlyMap<string, Uint8Array>,
  transport: TransportName,
): { seconds: number; frames: number; events: number; activations: string } {
  const start = process.hrtime.bigint();
  const result = runScenario(scenario, files, 1, transport);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (!result.ok)
    throw new Error(`bench: the ${scenario.name} scenario failed over the ${transport} transport`);
  return {
    seconds,
    frames: result.framesSent,
    events: result.runs.reduce((n, r) => n + r.result.trace.events.length, 0),
    activations: JSON.stringify(result.devices.map((d) => [d.device, d.activations])),
  };
}

/**
 * Wall time per frame (frame transport) and per device and trace event (session transport) for
 * each device count, the scenario run as `hanota run` runs it. The link is loss-free, so both
 * transports must give the same activations (checked).
 */
export function benchHubScale(root: string, counts: readonly number[] = [100, 1000, 2000]): BenchResult {
  const rows: [string, string][] = [];
  let firstFrame: number | undefined;
  let firstSession: number | undefined;
  for (const n of counts) {
    const scenario = parseScenario(manyDevicesScenario(n));
    const base = join(root, 'scenarios');
    const files = new Map(
      referencedFiles(scenario).map((f) => [f, new Uint8Array(readFileSync(join(base, f)))]),
    );
    // What both transports spend before the first event: keys, CS06 commands built and signed.
    const buildStart = process.hrtime.bigint();
    buildScenario(scenario, files, 1);
    const buildS = Number(process.hrtime.bigint() - buildStart) / 1e9;
    const frame = timedRun(scenario, files, 'frame');
    const session = timedRun(scenario, files, 'session');
    if (session.activations !== frame.activations)
      throw new Error(`bench: the ${n}-device scenario activates differently over the two transports`);
    const perFrame = (frame.seconds * 1e6) / frame.frames;
    const perDevice = (session.seconds * 1e3) / n;
    firstFrame ??= perFrame;
    firstSession ??= perDevice;
    rows.push([`${n} devices, scenario built (in both runs)`, `${buildS.toFixed(2)} s`]);
    rows.push([
      `${n} devices, frame transport`,
      `${frame.seconds.toFixed(1)} s, ${frame.frames} frames, ${perFrame.toFixed(1)} µs per frame (${(perFrame / firstFrame).toFixed(2)}× the first), ${((frame.seconds * 1e3) / n).toFixed(1)} ms per device`,
    ]);
    rows.push([
      `${n} devices, session transport`,
      `${session.seconds.toFixed(2)} s, ${session.events} trace events, ${perDevice.toFixed(2)} ms per device (${(perDevice / firstSession).toFixed(2)}× the first), ${((session.seconds * 1e6) / session.events).toFixed(1)} µs per trace event; ${(frame.seconds / session.seconds).toFixed(1)}× faster than frame`,
    ]);
  }
  return {
    name: 'Frames on one hub against the number of devices',
    peer: `the ${counts[0]}-device run; limit: flat`,
    machine: machine(),
    rows,
  };
}
