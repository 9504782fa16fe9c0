/**
 * Builds the published form of hanota into `dist/` (run by `npm run build`, and by `prepack` on
 * `npm pack` and `npm publish`; not on `npm install`, so that a user installing the package is
 * never asked to allow an install script). Inside a checkout the sources are what runs
 * (`npm start`, `npm run hanota`, the tests); `npx hanota` there needs `npm run build` first.
 *
 * - the library (`hanota`, `hanota/testing`) as plain `tsc` emit: one ESM file and one `.d.ts`
 *   per source file, imports rewritten from `.ts` to `.js`, so the declarations users' compilers
 *   read are exactly those of the sources;
 * - the CLI (`bin`: `dist/cli/hanota.js`, and the campaign worker) bundled by esbuild with code
 *   splitting: one small file for the parser and the command table, one chunk per command loaded
 *   when that command runs. Start-up is dominated by compiling and resolving modules; measured on
 *   `hanota --help`, the unbundled `tsc` emit of the CLI took about 4× `node -e 0`, the bundle
 *   under 2× (BENCHMARKS.md). yargs is bundled in (it has no install-time work and is the one
 *   package every command loads); the other packages stay ordinary dependencies, imported from
 *   `node_modules`.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });

const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) {
  console.error('build: tsc failed');
  process.exit(1);
}

const pkg = (await import(join(root, 'package.json'), { with: { type: 'json' } })).default as {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};
const external = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  ...Object.keys(pkg.optionalDependencies ?? {}),
].flatMap((name) => [name, `${name}/*`]);

await build({
  absWorkingDir: root,
  entryPoints: {
    hanota: 'src/cli/main.ts',
    'campaign-worker': 'src/cli/campaign-worker-main.ts',
  },
  outdir: join(dist, 'cli'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  minify: true,
  legalComments: 'eof',
  external,
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
});
