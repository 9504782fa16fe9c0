/**
 * `hanota fuzz SCENARIO [--runs N] [--seed S] [--faults SPEC] [--out DIR] [--time-limit SECONDS]
 * [--vary-seed] [--json]`: runs the scenario under random fault schedules (src/testing/fuzz.ts),
 * checking its expectations and the invariants. On a failure prints the seed and the path, the
 * shrunk schedule and what failed, and writes the scenario that reproduces it for `hanota run`;
 * exit 1. Exit 0 when every run passes; 2 on bad input.
 */
import { basename, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { Argv } from 'yargs';
import { HanotaError } from '../../errors/errors.ts';
import { DEFAULT_FAULT_KINDS, describeFault, parseFaultSpec } from '../../testing/faults.ts';
import { fuzzScenario } from '../../testing/fuzz.ts';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { parseCount, parseUint, prepareOutputs, withJson } from '../options.ts';
import { loadScenarioFile, relocateScenario } from '../scenario-input.ts';

/** The `fuzz` command module. */
export function fuzzCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withJson(y)
        .positional('scenario', { type: 'string', demandOption: true, describe: 'scenario file' })
        .option('runs', { type: 'string', default: '100', describe: 'fault schedules to try' })
        .option('seed', { type: 'string', default: '1', describe: 'fast-check seed (printed)' })
        .option('faults', {
          type: 'string',
          default: DEFAULT_FAULT_KINDS.join(','),
          describe: 'kinds of fault: loss, power, hub, supplier, replay, forged, or all',
        })
        .option('out', {
          type: 'string',
          default: '.',
          describe: 'directory for the counterexample scenario',
        })
        .option('time-limit', {
          type: 'string',
          describe: 'stop trying new schedules after this many seconds',
        })
        .option('vary-seed', {
          type: 'boolean',
          default: false,
          describe: 'draw the simulation seed too (default: the scenario’s, else 1)',
        }),
    handler: (argv) => {
      const file = String(argv.scenario);
      const seed = parseUint(String(argv.seed), 32, 'seed');
      const runs = parseCount(String(argv.runs), 32, 'runs');
      let kinds: ReturnType<typeof parseFaultSpec>;
      try {
        kinds = parseFaultSpec(String(argv.faults));
      } catch (error) {
        throw new CliError('BAD_ARGUMENT', `--${(error as Error).message}`);
      }
      const limit =
        argv['time-limit'] === undefined
          ? undefined
          : parseCount(String(argv['time-limit']), 32, 'time-limit');
      prepareOutputs(ctx, { dirs: { out: argv.out } });
      const { scenario, files } = loadScenarioFile(ctx, file);
      let result: ReturnType<typeof fuzzScenario>;
      try {
        result = fuzzScenario({
          scenario,
          files,
          runs,
          seed,
          kinds,
          varySeed: argv['vary-seed'] === true,
          ...(limit !== undefined && { timeLimitMs: limit * 1000 }),
        });
      } catch (error) {
        if (error instanceof HanotaError) throw new CliError(error.code, `${file}: ${error.message}`);
        throw error;
      }
      if (result.ok) {
        const note = result.interrupted ? ` (stopped by the time limit after ${result.runs})` : '';
        if (argv.json)
          ctx.io.stdout(
            `${JSON.stringify({ ok: true, seed, runs: result.runs, interrupted: result.interrupted })}\n`,
          );
        else ctx.io.stdout(`${file}: ${result.runs} fault schedule(s) passed${note}, seed ${seed}\n`);
        return;
      }
      ctx.exit(1);
      const out = String(argv.out);
      const written = join(out, `${basename(file).replace(/\.ya?ml$/i, '')}-fuzz-${seed}.yaml`);
      const reproducer = relocateScenario(result.reproducer, dirname(file), out);
      ctx.io.writeFile(
        written,
        `# Written by hanota fuzz: replay with \`hanota run ${written}\`.\n${stringify(reproducer, { lineWidth: 0 })}`,
      );
      const faults = result.counterexample.faults.map(describeFault);
      if (argv.json) {
        ctx.io.stdout(
          `${JSON.stringify({
            ok: false,
            seed,
            path: result.path,
            runs: result.runs,
            shrinks: result.shrinks,
            faults,
            simulationSeed: result.counterexample.seed,
            failures: result.failures,
            written,
          })}\n`,
        );
        return;
      }
      ctx.io.stdout(
        [
          `${file}: FAILED on run ${result.runs} (seed ${seed}, path ${result.path}), shrunk in ${result.shrinks} step(s) to ${faults.length} fault(s):`,
          ...(faults.length ? faults.map((f) => `  - ${f}`) : ['  - none: the scenario fails as it is']),
          'what failed:',
          ...result.failures.map((f) => `  - ${f}`),
          `written: ${written} (replay: hanota run ${written})`,
          '',
        ].join('\n'),
      );
    },
  };
}
