/**
 * The README is executable (DESIGN.md §5): every command of every ```sh block runs exactly as
 * printed, with `bash -c`, in a temporary checkout (test/helpers/checkout.ts: the package built
 * with `npm run build`, `fixtures/`, `scenarios/` and `examples/` linked to the repository's,
 * `../shared` to the real shared folder), and exits as the README says. What the examples write
 * (campaign.json, conform.xml, esme.ota, ...) lands in that temporary checkout.
 *
 * The two fresh-machine commands are the exception: `npm install && npm test` would run this
 * very suite again, and `npm start` runs the scenario library the scenario tests already run; for
 * those the test checks the text and that the scripts they name exist.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Checkout, makeCheckout, removeCheckout, shellEnv } from './helpers/checkout.ts';
import { ROOT, VECTORS_DIR } from './helpers/vectors.ts';

/** One command of a ```sh block: the text as printed (continuations kept) and on one line. */
interface ShellCommand {
  readonly text: string;
  readonly oneLine: string;
  /** 1-based line of the README where the command starts. */
  readonly line: number;
}

/**
 * The commands of every ```sh block: `#` lines are comments, a line ending in `\` continues on
 * the next one, blank lines separate nothing.
 */
function shellCommands(markdown: string): ShellCommand[] {
  const lines = markdown.split('\n');
  const commands: ShellCommand[] = [];
  let inBlock = false;
  let pending: { lines: string[]; line: number } | undefined;
  lines.forEach((raw, index) => {
    const line = raw.trimEnd();
    if (!inBlock) {
      if (/^```sh$/.test(line)) inBlock = true;
      return;
    }
    if (line === '```') {
      if (pending)
        throw new Error(`README.md:${pending.line}: a continued line runs into the end of its block`);
      inBlock = false;
      return;
    }
    if (!pending && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    pending ??= { lines: [], line: index + 1 };
    pending.lines.push(line);
    if (line.endsWith('\\')) return;
    const text = pending.lines.join('\n');
    commands.push({ text, oneLine: text.replace(/\s*\\\n\s*/g, ' '), line: pending.line });
    pending = undefined;
  });
  if (inBlock) throw new Error('README.md: a ```sh block is never closed');
  return commands;
}

/**
 * The exit codes the README gives for its examples, by the command's first words (and an option
 * it must have, where the same command appears with another verdict). Every command not listed
 * must exit 0.
 */
const EXPECTED_EXIT: readonly { words: string; having?: string; exit: number; why: string }[] = [
  {
    words: 'npx hanota conform',
    exit: 1,
    why: 'the example model has planted defects: a declared edge that fails, undeclared ones that brick',
  },
  {
    words: 'npx hanota campaign',
    having: '--mode both',
    exit: 1,
    why: 'the direct side, blind to the pathways, bricks devices of the example estate',
  },
];

/** The fresh-machine commands, not run here: each with the package.json script it relies on. */
const NOT_RUN: Readonly<Record<string, string>> = {
  'npm install && npm start': 'start',
  'npm install && npm test': 'test',
};

/** Seconds a command may take (fuzz's 100 runs take about 10 s). */
const COMMAND_TIMEOUT_S = 120;

/** Options naming what a command writes: it must be there afterwards, in the temporary checkout. */
const OUTPUT_OPTIONS = ['--out', '--report', '--junit', '--pcap', '--trace'] as const;

/** Files the README says its examples write again byte for byte, with the file they equal. */
const REBUILT: Readonly<Record<string, string>> = {
  'esme.ota': 'fixtures/images/esme-1.2-gbcs.ota',
  'ihd.ota': 'fixtures/images/ihd-1.5-zigbee.ota',
};

function expectedExit(command: ShellCommand): number {
  const words = command.oneLine.split(/\s+/);
  const match = EXPECTED_EXIT.find(
    (e) =>
      e.words.split(' ').every((w, i) => words[i] === w) &&
      (e.having === undefined || command.oneLine.includes(e.having)),
  );
  return match?.exit ?? 0;
}

/** The files a command names with an output option (those with a shell variable left out). */
function outputsOf(command: ShellCommand): string[] {
  const words = command.oneLine.split(/\s+/);
  return words
    .flatMap((w, i) => ((OUTPUT_OPTIONS as readonly string[]).includes(w) ? [words[i + 1] ?? ''] : []))
    .filter((file) => file !== '' && !file.includes('$'));
}

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
const commands = shellCommands(readme);
const runnable = commands.filter((c) => NOT_RUN[c.oneLine] === undefined);

let checkout: Checkout | undefined;

beforeAll(() => {
  checkout = makeCheckout('hanota-readme-');
}, 180_000);

afterAll(() => removeCheckout(checkout));

describe('README.md', () => {
  it('has shell examples, and only the fresh-machine commands are not run', () => {
    expect(runnable.length).toBeGreaterThan(10);
    const fresh = commands.filter((c) => c.oneLine.startsWith('npm ')).map((c) => c.oneLine);
    expect(fresh).toEqual(Object.keys(NOT_RUN));
  });

  for (const [command, script] of Object.entries(NOT_RUN))
    it(`gives \`${command}\` for a fresh machine, and package.json has its ${script} script`, () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts: Record<string, string>;
      };
      expect(pkg.scripts[script]).toEqual(expect.any(String));
    });

  for (const command of runnable) {
    const exit = expectedExit(command);
    const needsVectors = command.oneLine.includes('../shared/vectors');
    it(`runs \`${command.oneLine}\` (README.md:${command.line}) with exit ${exit}`, () => {
      if (needsVectors && !existsSync(VECTORS_DIR)) {
        console.log(`skipping README.md:${command.line}: it needs the shared vectors at ${VECTORS_DIR}`);
        return;
      }
      const dir = (checkout as Checkout).dir;
      // -e: a failing command in a loop or a list fails the example, not only the last one.
      const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', command.text], {
        cwd: dir,
        env: shellEnv(),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: COMMAND_TIMEOUT_S * 1000,
      });
      if (result.error) throw result.error;
      const said =
        `README.md:${command.line}: ${command.oneLine}\nexit ${result.status} (signal ${result.signal})\n` +
        `--- stdout\n${result.stdout.slice(0, 4000)}\n--- stderr\n${result.stderr.slice(0, 4000)}`;
      expect(result.status, said).toBe(exit);
      expect(result.stderr, said).not.toMatch(/internal error|Error:|\n\s+at /);
      for (const file of outputsOf(command)) {
        expect(existsSync(join(dir, file)), `${file} written in the temporary checkout`).toBe(true);
        const same = REBUILT[file];
        if (same)
          expect(readFileSync(join(dir, file)).equals(readFileSync(join(ROOT, same))), file).toBe(true);
      }
    });
  }
});
