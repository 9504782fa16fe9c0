/**
 * A temporary stand-in for a checkout of hanota after `npm install` and `npm run build`, for the
 * tests that run the README's and the examples' commands as printed (test/readme.test.ts,
 * test/examples.test.ts).
 *
 * The package is built into the temporary checkout itself, from a copy of the sources, never into
 * the repository's `dist/`: the packaging test's `npm pack` rebuilds that folder (deleting it
 * first) while other test files run, and a command started in between would find half a build.
 * `npx hanota` in the checkout runs the project's own `bin` (`dist/cli/hanota.js`), as it does in
 * a real checkout; `npm_config_offline` makes sure it never reaches the registry instead.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, sep } from 'node:path';
import { ROOT, VECTORS_DIR } from './vectors.ts';

/** The shared folder next to the repository (`../shared`: the reference vectors, DESIGN.md). */
export const SHARED_DIR = dirname(VECTORS_DIR);

/** What the build needs, copied; the inputs the examples name, linked to the repository's. */
const COPIED = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src'] as const;
const LINKED = ['node_modules', 'fixtures', 'scenarios', 'examples'] as const;

/** A temporary checkout: `dir` is the checkout, `root` its parent (holding `shared`). */
export interface Checkout {
  readonly root: string;
  readonly dir: string;
}

/**
 * The environment of a user's shell in the checkout: without what npm and vitest set for this run
 * (the npm script context with the repository as local prefix, its `node_modules/.bin` on PATH,
 * vitest's worker state), offline so `npx` can only run what is installed, without colours.
 */
export function shellEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const npmScript = /^npm_/i.test(key) && !/^npm_config_/i.test(key);
    if (npmScript || /^(npm_config_local_prefix|init_cwd|node_env|force_color)$|^vitest/i.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    PATH: (process.env.PATH ?? '')
      .split(delimiter)
      .filter((p) => !p.includes(`node_modules${sep}.bin`))
      .join(delimiter),
    NO_COLOR: '1',
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

/**
 * Makes a checkout in a new temporary folder and builds the package in it with `npm run build`
 * (about a second). `shared` next to it links to the real shared folder, so `../shared/...` in a
 * command resolves as it does from the repository.
 */
export function makeCheckout(prefix: string): Checkout {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const dir = join(root, 'hanota');
  mkdirSync(dir);
  for (const name of COPIED) cpSync(join(ROOT, name), join(dir, name), { recursive: true });
  for (const name of LINKED) symlinkSync(join(ROOT, name), join(dir, name));
  symlinkSync(SHARED_DIR, join(root, 'shared'));
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: dir,
    env: shellEnv(),
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (build.status !== 0)
    throw new Error(
      `npm run build in ${dir} failed (exit ${build.status}, signal ${build.signal})\n` +
        `--- stdout\n${build.stdout}\n--- stderr\n${build.stderr}`,
    );
  return { root, dir };
}

/** Removes a checkout made by `makeCheckout`. */
export function removeCheckout(checkout: Checkout | undefined): void {
  if (checkout) rmSync(checkout.root, { recursive: true, force: true });
}
