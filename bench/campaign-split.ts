/**
 * Where a campaign's time goes per device, by layer, against the national-scale limits (a
 * million devices in 15 s on one thread: 15 µs per device; ten million in 180 s: 18 µs). The estate,
 * catalog and policy of bench/campaign-scale.ts (about 244 devices per bucket), run in-process on
 * one thread under V8's sampling profiler. A sample with `stepClient` or `stepHub` on its stack is
 * charged to that step function, else one with other code of `src/devices/` or `src/hub/` (the
 * code the runtime calls outside the steps: hub memory, device storage, served images) to it
 * (so these shares include everything they call); any other, to the layer of its innermost frame
 * in `src/` (so a layer is charged what its own code does, not what it calls). A function the JIT
 * inlined is charged as its caller: a step function inlined into the runtime counts as runtime,
 * never the other way round (the steps call nothing of the runtime but a random stream), so the step functions'
 * figure is a lower bound; clock code inlined into the bucket's loop counts as the
 * bucket's, and the other layers' figures are approximate. `DEVICES=...` sets the estate size
 * (default 100,000).
 *
 * This runs with the process's young generation; `hanota campaign`'s workers have 192 MB, which
 * `NODE_OPTIONS=--max-semi-space-size=64` gives this process too. The collector is shown on its
 * own. The same run goes once without the profiler first (which also warms the JIT, as the first
 * buckets of a national run do): both times are shown.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { runCampaign } from '../src/campaign/campaign.ts';
import {
  type ClientEffect,
  type ClientState,
  type ClientStep,
  initialClientState,
  withState,
} from '../src/devices/ota-client-state.ts';
import { loadCatalog } from '../src/pathways/catalog.ts';
import { loadEstate } from '../src/pathways/estate.ts';
import { benchPolicy, catalogText, estateText } from './campaign.ts';
import { bucketsFor } from './campaign-scale.ts';
import { type BenchResult, machine } from './harness.ts';
import { type CallFrame, type Category, profileSplit } from './profile-split.ts';

/** The per-device budget of a million devices in 15 s, µs. */
const BUDGET_US = 15;

const inSrc = (url: string, ...paths: string[]) => paths.some((p) => url.includes(`/src/${p}`));

const CLIENT_STEP = 'device step function (stepClient)';
const HUB_STEP = 'hub step function (stepHub)';
const RULES =
  'device and hub code the runtime calls outside the steps (hub memory, device storage, served images)';

/** The step functions, then the rest of the state machines' code (charged with everything they call). */
const MACHINES: readonly Category[] = [
  { name: CLIENT_STEP, matches: (f) => f.functionName === 'stepClient' },
  { name: HUB_STEP, matches: (f) => f.functionName === 'stepHub' },
  { name: RULES, matches: (f) => inSrc(f.url, 'devices/', 'hub/') },
];

/** The layers around them: charged with what their own code does (the innermost frame in `src/`). */
const LAYERS: readonly Category[] = [
  {
    name: 'clock, timers, random streams',
    matches: (f) => inSrc(f.url, 'sim/clock.ts', 'sim/timers.ts', 'sim/rng.ts'),
  },
  {
    name: 'supplier, rollout, threshold',
    matches: (f) => inSrc(f.url, 'campaign/campaign-supplier.ts', 'campaign/rollout.ts', 'dcc/'),
  },
  {
    name: 'session transport, link model, frame lengths',
    matches: (f) =>
      inSrc(
        f.url,
        'sim/session-transport.ts',
        'sim/transport.ts',
        'sim/block-run.ts',
        'sim/link.ts',
        'sim/lost-exchanges.ts',
        'ota/',
      ),
  },
  { name: 'node runtime (dispatch, effects, idle polls)', matches: (f) => inSrc(f.url, 'sim/') },
  { name: 'estate, plans, buckets, judging, report', matches: (f) => inSrc(f.url, '') },
];

const NAMES = [...MACHINES, ...LAYERS].map((c) => c.name);

/** A state machine anywhere on the stack, else the layer of the innermost frame in `src/`. */
function classify(stack: readonly CallFrame[]): string {
  for (const m of MACHINES) if (stack.some(m.matches)) return m.name;
  for (const frame of stack) for (const l of LAYERS) if (l.matches(frame)) return l.name;
  return 'other';
}

/** Devices per bucket in this estate (`bucketsFor`'s aim), the working set of a bucket's steps. */
const BUCKET_DEVICES = 244;
/** A working set far past the caches, for contrast. */
const MANY_DEVICES = 400_000;

/**
 * The shape of a pure step alone, µs per step: each copies a client state with `withState` (as
 * every transition does), allocates its effects (a command to send, a timer) and its result, over
 * `devices` states in turn — what a step of the real machines does at least, without their rules.
 * The median of seven rounds of `steps` steps.
 */
function pureStepShapeUs(devices: number, steps: number): number {
  const states: ClientState[] = Array.from({ length: devices }, (_, i) => initialClientState(i));
  const rounds: number[] = [];
  let kept = 0;
  for (let round = 0; round < 7; round++) {
    const started = process.hrtime.bigint();
    for (let k = 0; k < steps; k++) {
      const i = k % devices;
      const before = states[i] as ClientState;
      const state = withState(before, {
        phase: before.phase === 'idle' ? 'querying' : 'idle',
        tsn: (before.tsn + 1) & 0xff,
      });
      const effects: ClientEffect[] = [];
      effects.push(
        {
          type: 'send',
          command: {
            name: 'queryNextImageRequest',
            manufacturerCode: 0x1234,
            imageType: 1,
            fileVersion: before.runningVersion,
          },
          transactionSequence: state.tsn,
        },
        { type: 'setTimer', timer: 'response', delayUs: 3_000_000 },
      );
      const step: ClientStep = { state, effects };
      states[i] = step.state;
      kept += step.effects.length;
    }
    rounds.push(Number(process.hrtime.bigint() - started) / 1000 / steps);
  }
  if (kept === 0) throw new Error('pureStepShapeUs: no steps ran');
  return rounds.sort((a, b) => a - b)[3] as number;
}

/** Runs the split once on `devices` devices. */
export function benchCampaignSplit(devices = Number(process.env.DEVICES ?? 100_000)): BenchResult {
  const { text, targets } = catalogText();
  const catalog = loadCatalog(text);
  const estate = loadEstate(estateText(devices));
  const buckets = bucketsFor(devices);
  const run = () =>
    runCampaign({
      estate,
      catalog,
      targets,
      images: new Map(),
      behaviours: new Map(),
      policy: benchPolicy(devices, buckets),
      mode: 'planned',
      seed: 1,
    }).report;
  const plain = process.hrtime.bigint();
  const events = run().events;
  const plainUs = Number(process.hrtime.bigint() - plain) / 1000;
  let wallUs = 0;
  const split = profileSplit(
    () => {
      const started = process.hrtime.bigint();
      run();
      wallUs = Number(process.hrtime.bigint() - started) / 1000;
    },
    classify,
    250,
  );
  const perDevice = (samples: number) => (wallUs * samples) / split.total / devices;
  const share = (name: string) => split.shares.get(name) ?? 0;
  const client = share(CLIENT_STEP);
  const hub = share(HUB_STEP);
  const rules = share(RULES);
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  const rows: [string, string][] = [
    // The figures assume the workers' young generation (see the header): shown, so a run without it is seen.
    ['young generation (new space), MB', young ? (young.space_size / 2 ** 20).toFixed(0) : 'unknown'],
    [
      'devices / buckets / events per device',
      `${devices.toLocaleString('en')} / ${buckets} / ${(events / devices).toFixed(1)}`,
    ],
    ['whole run without the profiler, µs per device', (plainUs / devices).toFixed(1)],
    ['whole run with it, µs per device (the shares below are of this)', perDevice(split.total).toFixed(1)],
  ];
  for (const name of [...NAMES, 'garbage collector', 'other'])
    rows.push([
      `${name}, µs per device (share)`,
      `${perDevice(share(name)).toFixed(1)} (${((100 * share(name)) / split.total).toFixed(1)}%)`,
    ]);
  // Each against the budget, at the pace of the run with the profiler and (the same share) without it.
  const against = (what: string, samples: number) => {
    const withIt = perDevice(samples);
    const without = (samples / split.total) * (plainUs / devices);
    const pct = (us: number) => `${((100 * us) / BUDGET_US).toFixed(0)}%`;
    rows.push([
      `${what} against the budget of ${BUDGET_US} µs per device`,
      `${withIt.toFixed(1)} µs, ${pct(withIt)} (at the pace without the profiler: ${without.toFixed(1)} µs, ${pct(without)})`,
    ]);
  };
  against('the step functions alone', client + hub);
  const perEvent = (((client + hub) / split.total) * plainUs) / events;
  rows.push([
    `the step functions, µs per event / the shape of a pure step alone, µs per step, over ${BUCKET_DEVICES.toLocaleString('en')} states / over ${MANY_DEVICES.toLocaleString('en')}`,
    `${perEvent.toFixed(3)} / ${pureStepShapeUs(BUCKET_DEVICES, 4_000_000).toFixed(3)} / ${pureStepShapeUs(MANY_DEVICES, 4_000_000).toFixed(3)}`,
  ]);
  against('the state machines with the rules the runtime calls', client + hub + rules);
  return {
    name: 'Where a campaign device’s time goes',
    peer: `budget: a million devices in 15 s on one thread (${BUDGET_US} µs per device)`,
    machine: machine(),
    rows,
  };
}
