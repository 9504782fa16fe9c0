/**
 * Fuzzing a scenario (the public testing kit, and `hanota fuzz`): fast-check draws fault
 * schedules (and, unless the scenario fixes one, the simulation seed), runs the scenario with
 * them on the frame driver, and checks its expectations and the invariants. On a failure it
 * shrinks the schedule to a small one and returns the scenario that reproduces it — with the
 * faults in its timeline, the seed fixed and the invariants asked for — so that `hanota run`
 * replays the same failure.
 */
import fc from 'fast-check';
import { runScenario } from '../scenario/run.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import { type Fault, type FaultShape, faultSchedules, withFaults } from './faults.ts';

/** What to fuzz and how long. */
export interface FuzzOptions extends FaultShape {
  readonly scenario: ScenarioFile;
  /** The bytes of every file the scenario refers to, by its path as written. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Runs (default 100, fast-check's). */
  readonly runs?: number;
  /** fast-check's seed. */
  readonly seed: number;
  /** Stop drawing new runs after this long (wall clock, fast-check's own). */
  readonly timeLimitMs?: number;
  /** Draw the simulation seed too (default: the scenario's, else 1, as `hanota run` uses). */
  readonly varySeed?: boolean;
}

/** One drawn case: the faults and the simulation seed. */
export interface FuzzCase {
  readonly faults: readonly Fault[];
  readonly seed: number;
}

/** A fuzzing outcome. */
export type FuzzResult =
  | { readonly ok: true; readonly seed: number; readonly runs: number; readonly interrupted: boolean }
  | {
      readonly ok: false;
      readonly seed: number;
      /** fast-check's path to the shrunk counterexample (with the seed, replays it). */
      readonly path: string;
      readonly runs: number;
      readonly shrinks: number;
      readonly counterexample: FuzzCase;
      /** The scenario that reproduces the failure. */
      readonly reproducer: ScenarioFile;
      /** What failed in it. */
      readonly failures: readonly string[];
    };

/** The scenario of a case: the faults added, the seed fixed, the invariants asked for. */
export function caseScenario(scenario: ScenarioFile, c: FuzzCase): ScenarioFile {
  const faulted = withFaults(scenario, c.faults);
  return {
    ...faulted,
    seed: c.seed,
    expect: { ...faulted.expect, invariants: true },
  };
}

/** What fails when a case runs: its unmet expectations and invariants (a run that stops half way is one). */
export function caseFailures(
  scenario: ScenarioFile,
  files: ReadonlyMap<string, Uint8Array>,
  c: FuzzCase,
): string[] {
  const result = runScenario(caseScenario(scenario, c), files, c.seed);
  return result.expectations.filter((x) => !x.ok).map((x) => `${x.expectation}: ${x.detail}`);
}

/** Fuzzes a scenario. */
export function fuzzScenario(options: FuzzOptions): FuzzResult {
  const { scenario, files } = options;
  const fixedSeed = scenario.seed ?? 1;
  // Replays follow the command they repeat: a day after the run without faults ends.
  const baseline = runScenario(scenario, files, fixedSeed);
  const cases: fc.Arbitrary<FuzzCase> = fc.record({
    faults: faultSchedules(scenario, {
      ...options,
      replayAfterS: options.replayAfterS ?? Math.ceil(baseline.simulatedMs / 1000) + 86_400,
    }),
    seed: options.varySeed ? fc.nat({ max: 2 ** 32 - 1 }) : fc.constant(fixedSeed),
  });
  const details = fc.check(
    fc.property(cases, (c) => caseFailures(scenario, files, c).length === 0),
    {
      numRuns: options.runs ?? 100,
      seed: options.seed,
      ...(options.timeLimitMs !== undefined && { interruptAfterTimeLimit: options.timeLimitMs }),
    },
  );
  if (!details.failed)
    return { ok: true, seed: options.seed, runs: details.numRuns, interrupted: details.interrupted };
  const counterexample = (details.counterexample?.[0] as FuzzCase | undefined) ?? { faults: [], seed: 0 };
  const reproducer = caseScenario(scenario, counterexample);
  const described = counterexample.faults.length;
  return {
    ok: false,
    seed: options.seed,
    path: details.counterexamplePath ?? '',
    runs: details.numRuns,
    shrinks: details.numShrinks,
    counterexample,
    reproducer: {
      ...reproducer,
      name: `${scenario.name} — fuzz counterexample`,
      description: `Found by hanota fuzz (seed ${options.seed}, path ${details.counterexamplePath}): ${described} fault(s) added to the timeline, the simulation seed fixed, the invariants checked.`,
    },
    failures: caseFailures(scenario, files, counterexample),
  };
}
