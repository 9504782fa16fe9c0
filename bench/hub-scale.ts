/**
 * The cost of a frame against the number of devices on one hub (limit: flat). N ESMEs on one hub
 * with two download slots fetch the same image, as `hanota run` would run the scenario; the time
 * per frame sent is compared across N = 100, 1,000 and 2,000 in the same run. Before the trace
 * was indexed per device once, the scenario runner filtered the whole trace for every device
 * (100 devices 8.7 s, 1,000 73 s, 2,000 259 s).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenario, referencedFiles } from '../src/scenario/load.ts';
import { runScenario } from '../src/scenario/run.ts';
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

/** Wall time per frame for each device count, the scenario run as `hanota run` runs it. */
export function benchHubScale(root: string, counts: readonly number[] = [100, 1000, 2000]): BenchResult {
  const rows: [string, string][] = [];
  let first: number | undefined;
  for (const n of counts) {
    const scenario = parseScenario(manyDevicesScenario(n));
    const base = join(root, 'scenarios');
    const files = new Map(
      referencedFiles(scenario).map((f) => [f, new Uint8Array(readFileSync(join(base, f)))]),
    );
    const start = process.hrtime.bigint();
    const result = runScenario(scenario, files, 1);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (!result.ok) throw new Error(`bench: the ${n}-device scenario failed`);
    const perFrame = (seconds * 1e6) / result.framesSent;
    first ??= perFrame;
    rows.push([
      `${n} devices`,
      `${seconds.toFixed(1)} s, ${result.framesSent} frames, ${perFrame.toFixed(1)} µs per frame (${(perFrame / first).toFixed(2)}× the first)`,
    ]);
  }
  return {
    name: 'Frames on one hub against the number of devices',
    peer: `the ${counts[0]}-device run; limit: flat`,
    machine: machine(),
    rows,
  };
}
