/**
 * How far the session transport's model of lost frames and jitter is from the frame transport's
 * frame by frame truth (DESIGN.md §3 "One engine, several transports"): the same devices, seeds
 * and links run with `runSimulation(input, 'frame')` and `runSimulation(input, 'session')`, the
 * time of each device's first activation compared.
 * Three workloads: PPMIDs with a download slot each; sleepy GSMEs (awake 30 s every 30 min,
 * activated by the supplier's CS06); PPMIDs contending for two download slots.
 * (On loss-free links without jitter the transports agree exactly; the `ideal` row shows it.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEVICE_PROFILES } from '../src/devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../src/hub/ota-server.ts';
import { parseImage } from '../src/ota/image.ts';
import { buildScenario } from '../src/scenario/build.ts';
import { parseScenario, referencedFiles } from '../src/scenario/load.ts';
import { runSimulation } from '../src/sim/frame-driver.ts';
import type { FrameRunInput, FrameRunResult } from '../src/sim/frame-run.ts';
import { LINK_PROFILES, type LinkProfile } from '../src/sim/link.ts';
import { type BenchResult, machine, median } from './harness.ts';

/** Ten days of simulated time, µs: every device of every workload activates within it on every link (GSMEs on the poor link take more than a day). */
const HORIZON_US = 10 * 86_400_000_000;

/** A set of devices on one hub, as a run's input for a seed and a link. */
interface Workload {
  readonly name: string;
  readonly input: (seed: number, link: LinkProfile) => FrameRunInput;
}

/** `devices` PPMIDs fetching the PPMID fixture (12 KB, hub-managed activation), `slots` downloads at a time. */
function ppmids(root: string, devices: number, slots: number): Workload['input'] {
  const file = new Uint8Array(readFileSync(join(root, 'fixtures/images/unsigned-gbcs/ppmid-3.1-gbcs.ota')));
  const h = parseImage(file, { format: 'gbcs' }).header;
  return (seed, link) => ({
    seed,
    hub: { ...DEFAULT_HUB_CONFIG, maxConcurrentDownloads: slots },
    memory: { blockCount: 64, blockSize: 4096 },
    devices: Array.from({ length: devices }, (_, i) => ({
      node: `ppmid-${i}`,
      profile: DEVICE_PROFILES.PPMID,
      manufacturerCode: h.manufacturerCode,
      imageType: h.imageType,
      runningVersion: h.fileVersion - 1,
      link,
      imageFormat: { format: 'gbcs' },
    })),
    images: [{ file, parse: { format: 'gbcs' } }],
    maxTimeUs: HORIZON_US,
  });
}

/**
 * `devices` GSMEs (sleepy: awake 30 s every 30 minutes) fetching the signed GSME fixture (9 KB),
 * each activated by the supplier's CS06 once its receipt alert is in: the scenario runner's
 * inputs (keys, CS06 built and signed), with the link replaced.
 */
function gsmes(root: string, devices: number): Workload['input'] {
  const ids = Array.from({ length: devices }, (_, i) => `gsme-${i}`);
  const scenario = parseScenario(
    [
      `name: ${devices} GSMEs`,
      'suppliers:',
      '  A: { key: ../fixtures/keys/supplier-ds.key.pem }',
      'images:',
      '  gsme2: ../fixtures/images/gsme-2.0-gbcs.ota',
      `hubs: [{ id: hub, maxConcurrentDownloads: ${devices} }]`,
      'devices:',
      ...ids.map(
        (id) =>
          `  - { id: ${id}, type: GSME, manufacturerCode: 0x1234, imageType: 1, fileVersion: 0x00010000, hardwareVersion: 3, supplier: A }`,
      ),
      'timeline:',
      `  - distribute: { image: gsme2, to: [${ids.join(', ')}] }`,
      ...ids.map((id) => `  - activate: { device: ${id}, image: gsme2 }`),
      'expect: { noneBricked: true }',
      '',
    ].join('\n'),
  );
  const base = join(root, 'scenarios');
  const files = new Map(
    referencedFiles(scenario).map((f) => [f, new Uint8Array(readFileSync(join(base, f)))]),
  );
  const built = buildScenario(scenario, files, 1).runs[0]?.input as FrameRunInput;
  return (seed, link) => ({
    ...built,
    seed,
    devices: built.devices.map((d) => ({ ...d, link })),
    maxTimeUs: HORIZON_US,
    capture: false,
  });
}

/** Each device's first activation in a run of the node runtime (its client entering `upgraded`), µs. */
function activations(input: FrameRunInput, result: FrameRunResult): Map<string, number> {
  const devices = new Set(input.devices.map((d) => d.node));
  const out = new Map<string, number>();
  for (const e of result.trace.events)
    if (e.kind === 'state' && devices.has(e.node) && e.to.startsWith('upgraded') && !out.has(e.node))
      out.set(e.node, e.timeUs);
  return out;
}

/** Activation times of the truth and of a model, device by device, pooled over seeds. */
interface Pairs {
  /** Per device activated in both: the truth's time and the model's, µs. */
  readonly both: (readonly [number, number])[];
  /** Activation times of every device each activated, µs. */
  readonly truth: number[];
  readonly model: number[];
  /** Devices only the frame transport activated, and only the model. */
  truthOnly: number;
  modelOnly: number;
}

function pairs(): Pairs {
  return { both: [], truth: [], model: [], truthOnly: 0, modelOnly: 0 };
}

function compare(truth: ReadonlyMap<string, number>, model: ReadonlyMap<string, number>, into: Pairs): void {
  into.truth.push(...truth.values());
  into.model.push(...model.values());
  for (const node of new Set([...truth.keys(), ...model.keys()])) {
    const t = truth.get(node);
    const m = model.get(node);
    if (t === undefined) into.modelOnly++;
    else if (m === undefined) into.truthOnly++;
    else into.both.push([t, m]);
  }
}

const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}%`;
const sec = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(1)} s`;

/** The `q`-quantile of a non-empty list. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Device by device: the relative and absolute error, median [min, max]. */
function perDevice(p: Pairs): string {
  if (p.both.length === 0) return 'no device activated in both';
  const r = p.both.map(([t, m]) => (m - t) / t).sort((a, b) => a - b);
  const s = p.both.map(([t, m]) => (m - t) / 1e6).sort((a, b) => a - b);
  return (
    `${pct(median(r))} [${pct(r[0] as number)}, ${pct(r[r.length - 1] as number)}]; ` +
    `${sec(median(s))} [${sec(s[0] as number)}, ${sec(s[s.length - 1] as number)}]`
  );
}

/**
 * As a campaign reads them: the mean, median and 90th percentile of every activation time, the
 * model's against the truth's, and the devices only one of them activated.
 */
function overall(p: Pairs): string {
  if (p.truth.length === 0 || p.model.length === 0) return 'no activations to compare';
  const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const rel = (f: (v: readonly number[]) => number) => pct(f(p.model) / f(p.truth) - 1);
  return (
    `mean ${rel(mean)}, median ${rel((v) => quantile(v, 0.5))}, 90th percentile ${rel((v) => quantile(v, 0.9))}` +
    ` (frame: mean ${(mean(p.truth) / 1e6).toFixed(0)} s)` +
    (p.truthOnly + p.modelOnly > 0
      ? `; activated by the frame transport only ${p.truthOnly}, by the model only ${p.modelOnly}`
      : '')
  );
}

/** The links compared: loss-free (the check), typical, 10% loss, poor. */
const LINKS: readonly (readonly [string, LinkProfile])[] = [
  ['ideal (no loss, no jitter)', LINK_PROFILES.ideal],
  ['typical (2% loss, 10 ms jitter)', LINK_PROFILES.typical],
  ['10% loss, 20 ms jitter', { ...LINK_PROFILES.typical, lossProbability: 0.1, jitterUs: 20_000 }],
  ['poor (30% loss, 60 ms jitter, 5% duplicates)', LINK_PROFILES.poor],
];

/** Runs every workload on every link over `seeds` seeds with the frame and session transports. */
export function benchSessionAccuracy(root: string, seeds = 20): BenchResult {
  const workloads: readonly Workload[] = [
    { name: '8 PPMIDs, a slot each', input: ppmids(root, 8, 8) },
    { name: '8 GSMEs (sleepy), a slot each', input: gsmes(root, 8) },
    { name: '8 PPMIDs, 2 slots', input: ppmids(root, 8, 2) },
  ];
  const rows: [string, string][] = [];
  for (const workload of workloads)
    for (const [linkName, link] of LINKS) {
      const transport = pairs();
      let frameS = 0;
      let sessionS = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const input = workload.input(seed, link);
        let start = process.hrtime.bigint();
        const truth = activations(input, runSimulation(input, 'frame'));
        frameS += Number(process.hrtime.bigint() - start) / 1e9;
        start = process.hrtime.bigint();
        const session = activations(input, runSimulation(input, 'session'));
        sessionS += Number(process.hrtime.bigint() - start) / 1e9;
        compare(truth, session, transport);
      }
      const what = `${workload.name}, ${linkName}`;
      const n = seeds * workload.input(1, link).devices.length;
      rows.push([
        `${what}: session transport vs frame, per device (${n}), median [min, max]`,
        perDevice(transport),
      ]);
      rows.push([`${what}: session transport vs frame, all activations`, overall(transport)]);
      rows.push([
        `${what}: wall time, frame / session transport`,
        `${frameS.toFixed(2)} s / ${sessionS.toFixed(2)} s`,
      ]);
    }
  return {
    name: 'Session transport accuracy on lossy links',
    peer: 'the frame transport, frame by frame',
    machine: machine(),
    rows,
  };
}
