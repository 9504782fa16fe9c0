/** Loading scenario files for tests as `hanota run` does: the file, then what it refers to, relative to it. */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseScenario, referencedFiles } from '../../src/scenario/load.ts';
import { runScenario, type ScenarioResult } from '../../src/scenario/run.ts';
import type { ScenarioFile } from '../../src/scenario/schema.ts';
import type { TransportName } from '../../src/sim/frame-driver.ts';
import { ROOT } from './vectors.ts';

/** The scenario library. */
export const SCENARIOS_DIR = join(ROOT, 'scenarios');

/** The library's scenario files, sorted. */
export function libraryFiles(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
}

/** Runs the scenario file `path` with `seed` (and, when asked, the invariants checked too, or over another transport). */
export function runScenarioFile(
  path: string,
  seed = 1,
  options: { invariants?: boolean; transport?: TransportName } = {},
): ScenarioResult {
  const { scenario: parsed, files } = loadScenarioFile(path);
  const scenario = options.invariants
    ? { ...parsed, expect: { ...parsed.expect, invariants: true } }
    : parsed;
  return runScenario(scenario, files, seed, options.transport ?? 'frame');
}

/** The scenario file `path` and the bytes of the files it refers to. */
export function loadScenarioFile(path: string): { scenario: ScenarioFile; files: Map<string, Uint8Array> } {
  const scenario = parseScenario(readFileSync(path, 'utf8'));
  const files = new Map(
    referencedFiles(scenario).map((ref) => [ref, new Uint8Array(readFileSync(join(dirname(path), ref)))]),
  );
  return { scenario, files };
}
