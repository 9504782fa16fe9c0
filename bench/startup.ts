/**
 * Start-up of the installed CLI against the limit of the package issue: `hanota --help` and
 * `hanota image inspect` of one fixture within 2.5× of `node -e 0`, the cost of starting Node at
 * all. Each is run as a fresh process, interleaved round by round so that the machine's drift
 * hits all three alike; the median of the rounds is compared. Runs the built CLI
 * (`dist/cli/hanota.js`, what `bin` points at): build first (`npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BenchResult, machine, median } from './harness.ts';

/** Wall-clock milliseconds of one run of `node ...args`, which must exit 0. */
function run(args: readonly string[], cwd: string): number {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`node ${args.join(' ')}: exit ${child.status}: ${child.stderr}`);
  return ms;
}

/** Medians of `rounds` interleaved runs of `node -e 0`, `hanota --help` and `hanota image inspect`. */
export function benchStartup(root: string, rounds = 21): BenchResult {
  const bin = join(root, 'dist/cli/hanota.js');
  if (!existsSync(bin)) throw new Error(`bench: ${bin} is missing: run npm run build first`);
  const commands = {
    'node -e 0': ['-e', '0'],
    'hanota --help': [bin, '--help'],
    'hanota image inspect': [bin, 'image', 'inspect', 'fixtures/images/esme-1.2-gbcs.ota'],
  } as const;
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let r = 0; r < rounds + 2; r++)
    for (const [name, args] of Object.entries(commands)) {
      const ms = run(args, root);
      // The first two rounds warm the file cache and are not counted.
      if (r >= 2) times[name]?.push(ms);
    }
  const node = median(times['node -e 0'] ?? []);
  const row = (name: string): [string, string] => {
    const m = median(times[name] ?? []);
    return [name, `${m.toFixed(0)} ms (${(m / node).toFixed(2)}× node -e 0)`];
  };
  return {
    name: `CLI start-up, median of ${rounds} interleaved runs`,
    peer: '`node -e 0`; limit 2.5×',
    machine: machine(),
    rows: [row('node -e 0'), row('hanota --help'), row('hanota image inspect')],
  };
}
