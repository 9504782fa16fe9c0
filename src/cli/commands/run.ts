/**
 * `hanota run PATH... [--driver frame|session] [--seed S] [--json] [--junit FILE] [--pcap DIR] [--trace DIR] [--keys-out DIR]`:
 * runs every scenario file (`*.yaml`, `*.yml`) under the paths, prints a summary and, for each
 * scenario that fails, the unmet expectations with the trace lines that show why. The trace holds
 * what GBCS devices send, signed; `--keys-out` writes their signing public keys (`<eui>-ds.pem`)
 * for `hanota gbcs parse --keys` to check them with. Exit 1 when any fails; exit 2
 * when a file is not a valid scenario (the message names the file and the path inside it).
 */
import { basename, join, sep } from 'node:path';
import type { Argv } from 'yargs';
import { HanotaError } from '../../errors/errors.ts';
import { junitXml } from '../../report/junit.ts';
import { runScenario, type ScenarioResult } from '../../scenario/run.ts';
import { TRANSPORTS, type TransportName } from '../../sim/frame-driver.ts';
import { writePcap } from '../../sim/pcap.ts';
import { CliError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { writeSigningKeys } from '../key-directory.ts';
import { parseUint, prepareOutputs, withJson } from '../options.ts';
import { loadScenarioFile } from '../scenario-input.ts';
import { renderTable } from '../table.ts';

const SCENARIO_FILE = /\.ya?ml$/i;

/** Scenario files under `path` (a file, or a directory searched recursively), sorted. */
function scenarioFiles(ctx: CliContext, path: string): string[] {
  let names: string[];
  try {
    names = ctx.io.listDir(path);
  } catch (error) {
    if (error instanceof CliError && /is a file/.test(error.message)) return [path];
    throw error;
  }
  return names.flatMap((name) => {
    // The folder as the user wrote it (`./scenarios/` stays `./scenarios/`), then the name.
    const child = /[\\/]$/.test(path) ? `${path}${name}` : `${path}${sep}${name}`;
    try {
      return scenarioFiles(ctx, child).filter((f) => f !== child || SCENARIO_FILE.test(f));
    } catch (error) {
      if (error instanceof CliError && /no such file/.test(error.message)) return [];
      throw error;
    }
  });
}

function loadAndRun(
  ctx: CliContext,
  file: string,
  seed: number,
  driver: TransportName,
  library?: string,
): ScenarioResult {
  const { scenario, files } = loadScenarioFile(ctx, file, library);
  try {
    return runScenario(scenario, files, seed, driver);
  } catch (error) {
    if (error instanceof HanotaError) throw new CliError(error.code, `${file}: ${error.message}`);
    throw error;
  }
}

function junit(results: readonly { file: string; result: ScenarioResult }[]): string {
  return junitXml(
    'hanota run',
    'hanota scenarios',
    results.map(({ file, result }) => {
      const unmet = result.expectations.filter((x) => !x.ok);
      return {
        classname: 'hanota run',
        name: `${result.name} (${file})`,
        timeS: result.simulatedMs / 1000,
        ...(unmet.length > 0 && {
          failure: {
            message: unmet.map((x) => `${x.expectation}: ${x.detail}`).join('; '),
            body: unmet
              .flatMap((x) => [`${x.expectation}: ${x.detail}`, ...(x.evidence ?? []).map((l) => `  ${l}`)])
              .join('\n'),
          },
        }),
      };
    }),
  );
}

/** The `run` command module. */
export function runCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withJson(y)
        .positional('paths', {
          type: 'string',
          array: true,
          demandOption: true,
          describe: 'scenario files or directories',
        })
        .option('seed', {
          type: 'string',
          default: '1',
          describe: 'seed for scenarios that do not set one (printed)',
        })
        .option('driver', {
          type: 'string',
          choices: TRANSPORTS,
          default: 'frame',
          describe:
            'frame: every ZCL frame as bytes over its link; session: commands as values, each download computed as one transfer',
        })
        .option('junit', { type: 'string', describe: 'write JUnit XML, one test case per scenario' })
        .option('library', {
          type: 'string',
          describe: "firmware library: a scenario's 'library:<ENTRY>' is the image held for that entry",
        })
        .option('pcap', {
          type: 'string',
          describe: 'write each scenario’s capture (one pcap per hub) into this directory',
        })
        .option('trace', {
          type: 'string',
          describe: 'write each scenario’s trace (JSON Lines, one per hub) into this directory',
        })
        .option('keys-out', {
          type: 'string',
          describe:
            'write the signing public key of each simulated GBCS device (<eui>-ds.pem) into this directory, to check the signed responses and alerts of the traces with',
        }),
    handler: (argv) => {
      const seed = parseUint(String(argv.seed), 32, 'seed');
      const driver = argv.driver as TransportName;
      if (driver === 'session' && typeof argv.pcap === 'string')
        throw new CliError('USAGE', 'run: --pcap needs --driver frame (the session driver sends no bytes)');
      const keysOut = argv['keys-out'];
      prepareOutputs(ctx, {
        files: { junit: argv.junit },
        dirs: { pcap: argv.pcap, trace: argv.trace, 'keys-out': keysOut },
      });
      const files = [...new Set((argv.paths as string[]).flatMap((p) => scenarioFiles(ctx, p)))];
      if (files.length === 0)
        throw new CliError(
          'USAGE',
          `run: no scenario files (*.yaml) under ${(argv.paths as string[]).join(', ')}`,
        );
      const library = typeof argv.library === 'string' ? argv.library : undefined;
      const results = files.map((file) => ({ file, result: loadAndRun(ctx, file, seed, driver, library) }));
      for (const { file, result } of results)
        for (const run of result.runs) {
          const stem = `${basename(file).replace(SCENARIO_FILE, '')}${result.runs.length > 1 ? `-${run.hub}` : ''}`;
          if (typeof argv.pcap === 'string')
            ctx.io.writeFile(
              join(argv.pcap, `${stem}.pcap`),
              writePcap(run.result.captured, run.result.startUnixS),
            );
          if (typeof argv.trace === 'string')
            ctx.io.writeFile(join(argv.trace, `${stem}.jsonl`), run.result.trace.toJsonLines());
        }
      if (typeof keysOut === 'string')
        for (const { result } of results) writeSigningKeys(ctx, keysOut, result.signingKeys);
      if (typeof argv.junit === 'string') ctx.io.writeFile(argv.junit, junit(results));
      const failed = results.filter((r) => !r.result.ok);
      if (failed.length > 0) ctx.exit(1);
      if (argv.json) {
        const doc = {
          seed,
          driver,
          scenarios: results.length,
          failed: failed.length,
          results: results.map(({ file, result }) => {
            const { runs: _runs, signingKeys: _keys, ...rest } = result;
            return { file, ...rest };
          }),
        };
        ctx.io.stdout(`${JSON.stringify(doc, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
        return;
      }
      // Each file as the user would name it: the path given, or that path joined with the name.
      const rows = results.map(({ file, result }) => [
        file,
        result.ok ? 'pass' : 'FAIL',
        String(result.devices.length),
        String(result.framesSent),
        `${(result.simulatedMs / 3_600_000).toFixed(1)} h`,
        result.name,
      ]);
      const details = failed.flatMap(({ file, result }) => {
        // Several unmet expectations about one device share their evidence: show it once.
        const shown = new Set<string>();
        return [
          '',
          `${file}: ${result.name}`,
          ...result.expectations
            .filter((x) => !x.ok)
            .flatMap((x) => {
              const evidence = (x.evidence ?? []).join('\n');
              const fresh = evidence !== '' && !shown.has(evidence);
              shown.add(evidence);
              return [
                `  not met: ${x.expectation} (${x.detail})`,
                ...(fresh ? (x.evidence ?? []).map((l) => `    ${l}`) : []),
              ];
            }),
        ];
      });
      ctx.io.stdout(
        `${renderTable(['SCENARIO', 'RESULT', 'DEVICES', 'FRAMES', 'SIMULATED', 'NAME'], rows)}\n${[...details, '', `${results.length} scenario(s), ${failed.length} failed, seed ${seed}, ${driver} driver`].join('\n')}\n`,
      );
    },
  };
}
