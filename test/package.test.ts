/**
 * The installed package, tested the way a user gets it (DESIGN.md §4 "Package", §5 "the packed
 * tarball is installed into an empty project and used from there"): `npm pack` (which runs the
 * build), an empty ESM project in the system's temporary folder, `npm install` of the tarball with
 * the fast-check, vitest and typescript versions this repository pins, then the CLI, both library
 * entries under plain Node, the published example tests under the user's vitest, the user's `tsc`
 * over the shipped declarations, the tarball's contents and what the CLI loads at start-up (read
 * with esbuild's metafile, not run).
 *
 * Needs the npm registry: when npm cannot reach it the install fails and so does this file, with
 * npm's output — there is deliberately no skip.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario, referencedFiles } from '../src/scenario/load.ts';
import { shellEnv } from './helpers/checkout.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};

/** The commands `hanota --help` lists today (DESIGN.md §4 "Commands"). */
const COMMANDS = [
  'image',
  'gbcs',
  'catalog',
  'path',
  'conform',
  'run',
  'fuzz',
  'campaign',
  'report',
  'simulate',
];
/** Packages only some commands need: the CLI's start-up must not load them. */
const LAZY_PACKAGES = ['vega', 'vega-lite', 'fast-check', 'zigbee-herdsman'];

let work = '';
let project = '';
let tarball = '';
let installLog = '';

/**
 * The environment of a user's shell (test/helpers/checkout.ts): nothing of the checkout's npm
 * script context or vitest leaks into the temporary project; online, since the install needs the
 * registry.
 */
const userEnv = () => shellEnv({ npm_config_offline: 'false', CI: 'true' });

/** Runs a program (never through a shell) and returns what it did. */
function exec(
  command: string,
  args: readonly string[],
  cwd = project,
  env: Record<string, string> = {},
): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...userEnv(), ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 240_000,
  });
  if (result.error) throw result.error;
  return result;
}

/** Runs a program that must succeed, printing how long it took; otherwise fails with its output. */
function mustRun(what: string, command: string, args: readonly string[], cwd = project, hint = ''): string {
  const started = performance.now();
  const result = exec(command, args, cwd);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (result.status !== 0)
    throw new Error(
      `${what} failed (exit ${result.status}, signal ${result.signal}) after ${seconds} s: ${command} ${args.join(' ')}\n${hint}` +
        `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  console.log(`package test: ${what} took ${seconds} s`);
  return `${result.stdout}${result.stderr}`;
}

/** `npx hanota ...` from the installed package; `--no` so npx never fetches a package instead. */
const hanota = (...args: string[]) => exec('npx', ['--no', '--', 'hanota', ...args]);

/** Copies a file or folder of the repository into the temporary project at the same relative path. */
function copyIn(path: string): void {
  const to = join(project, path);
  mkdirSync(dirname(to), { recursive: true });
  cpSync(join(ROOT, path), to, { recursive: true });
}

const isPackage = (specifier: string, name: string) => specifier === name || specifier.startsWith(`${name}/`);

beforeAll(() => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'hanota-package-')));
  project = join(work, 'project');
  mkdirSync(project);
  console.log(`package test: temporary folder ${work}`);

  mustRun('npm pack (with the build)', 'npm', ['pack', '--pack-destination', work], ROOT);
  const packed = readdirSync(work).filter((f) => f.endsWith('.tgz'));
  expect(packed, 'npm pack writes one tarball').toHaveLength(1);
  tarball = join(work, packed[0] as string);

  mustRun('npm init', 'npm', ['init', '-y']);
  const manifestPath = join(project, 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(manifestPath, `${JSON.stringify({ ...manifest, type: 'module' }, null, 2)}\n`);

  const pinned = ['fast-check', 'vitest', 'typescript'].map((name) => {
    const version = pkg.devDependencies[name];
    if (!version) throw new Error(`package.json pins no devDependency ${name}`);
    return `${name}@${version}`;
  });
  installLog = mustRun(
    `npm install of the tarball with ${pinned.join(', ')}`,
    'npm',
    ['install', '--no-audit', '--no-fund', tarball, ...pinned],
    project,
    'Is the npm registry reachable from here? This test needs it and does not skip.\n',
  );
  mustRun('npm ls (the installed tree is consistent)', 'npm', [
    'ls',
    'hanota',
    ...pinned.map((p) => p.split('@')[0] as string),
  ]);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('answers npx hanota --help with every command and --version with the package version', () => {
    const help = hanota('--help');
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toMatch(new RegExp(`^\\s+hanota ${command}\\b`, 'm'));

    const version = hanota('--version');
    expect(version.stderr).toBe('');
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('installs without asking the user to allow an install script of its own', () => {
    expect(installLog).not.toMatch(/hanota@[^\s]+ \((pre|post)?install|hanota@[^\s]+ \(prepare/);
  });

  it('runs campaigns on worker threads, and says what to install for fuzz without fast-check and --html without vega', () => {
    for (const file of [
      'fixtures/example-estate.csv',
      'fixtures/example-model',
      'fixtures/example-policy.yaml',
    ])
      copyIn(file);
    writeFileSync(join(project, 'policy-4.yaml'), 'buckets: 4\n');
    const args = [
      'campaign',
      '--estate',
      'fixtures/example-estate.csv',
      '--catalog',
      'fixtures/example-model/catalog.csv',
      '--target',
      'V130',
      '--behaviour',
      'fixtures/example-model/behaviour.yaml',
      '--policy',
      'policy-4.yaml',
    ];
    const one = hanota(...args, '--json');
    // The estate is streamed into spools in a temporary folder, which the run removes.
    const temporary = join(work, 'tmp');
    mkdirSync(temporary);
    const two = exec('npx', ['--no', '--', 'hanota', ...args, '--json', '--workers', '2'], project, {
      TMPDIR: temporary,
    });
    expect(readdirSync(temporary)).toEqual([]);
    expect(two.stderr).toBe('');
    expect(two.status).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(JSON.parse(two.stdout).devices).toBeGreaterThan(0);

    // Without fast-check (an optional peer: moved aside for the run), fuzz says what to install.
    const fastCheck = join(project, 'node_modules/fast-check');
    renameSync(fastCheck, `${fastCheck}.aside`);
    try {
      copyIn('scenarios/esme-happy-path.yaml');
      const fuzz = hanota('fuzz', 'scenarios/esme-happy-path.yaml', '--runs', '1');
      expect(fuzz.status).toBe(2);
      expect(fuzz.stderr).toBe(
        'error: hanota fuzz needs the package fast-check, an optional peer dependency: npm install fast-check\n',
      );
    } finally {
      renameSync(`${fastCheck}.aside`, fastCheck);
    }

    const html = hanota(...args, '--html', 'out/report.html');
    expect(html.status).toBe(2);
    expect(html.stderr).toMatch(
      /--html: the HTML report needs the optional packages vega and vega-lite: npm install vega@6/,
    );
    expect(html.stdout).toBe('');
  });

  it('runs a scenario and inspects an image from the installed CLI', () => {
    const scenario = 'scenarios/esme-happy-path.yaml';
    copyIn(scenario);
    const files = referencedFiles(parseScenario(readFileSync(join(ROOT, scenario), 'utf8')));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) copyIn(join(dirname(scenario), file));

    const run = hanota('run', scenario);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/esme-happy-path\.yaml\s+pass\b/);
    expect(run.stdout).toContain('1 scenario(s), 0 failed');

    copyIn('fixtures/images/esme-1.2-gbcs.ota');
    const inspect = hanota('image', 'inspect', '--json', 'fixtures/images/esme-1.2-gbcs.ota');
    expect(inspect.stderr).toBe('');
    expect(inspect.status).toBe(0);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ format: 'gbcs' });
  });

  it('imports both entries under plain Node, resolving no TypeScript file and not loading zigbee-herdsman', () => {
    const log = join(work, 'resolved.txt');
    // A resolve hook records every URL Node resolves while the two entries load.
    const hook = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
  return result;
}`;
    const script = `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
const lib = await import('hanota');
const { createRequire } = await import('node:module');
const required = () => Object.keys(createRequire(import.meta.url).cache);
const herdsmanAtImport = required().some((k) => k.includes('zigbee-herdsman'));
const kit = await import('hanota/testing');
const kinds = (m, names) => Object.fromEntries(names.map((n) => [n, typeof m[n]]));
console.log(JSON.stringify({
  hanota: kinds(lib, ['parseImage', 'loadCatalog', 'Planner']),
  testing: kinds(kit, ['otaImageBytes', 'genuineCs06', 'HanHarness']),
  herdsmanAtImport,
}));`;
    const node = exec(process.execPath, ['--input-type=module', '-e', script]);
    expect(node.stderr).toBe('');
    expect(node.status).toBe(0);
    expect(JSON.parse(node.stdout)).toEqual({
      hanota: { parseImage: 'function', loadCatalog: 'function', Planner: 'function' },
      testing: { otaImageBytes: 'function', genuineCs06: 'function', HanHarness: 'function' },
      // The frame codec loads zigbee-herdsman on its first frame, not when the library loads.
      herdsmanAtImport: false,
    });

    const resolved = readFileSync(log, 'utf8').trim().split('\n');
    const installed = pathToFileURL(join(project, 'node_modules/hanota/dist/')).href;
    expect(resolved).toContain(`${installed}library.js`);
    expect(resolved).toContain(`${installed}testing/kit.js`);
    expect(resolved.filter((url) => /\.[cm]?tsx?$/.test(url))).toEqual([]);
  });

  it('runs the published example tests under the user’s vitest', () => {
    copyIn('examples/testing/manufacturer.test.ts');
    copyIn('examples/testing/supplier.test.ts');
    copyIn('fixtures');
    const report = join(work, 'vitest-report.json');
    const vitest = exec('npx', [
      '--no',
      '--',
      'vitest',
      'run',
      'examples/testing',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
    ]);
    expect(vitest.status, `${vitest.stdout}\n${vitest.stderr}`).toBe(0);

    const results = JSON.parse(readFileSync(report, 'utf8')) as {
      numFailedTests: number;
      numPassedTests: number;
      testResults: { name: string; status: string }[];
    };
    expect(results.numFailedTests).toBe(0);
    expect(results.numPassedTests).toBeGreaterThan(0);
    expect(
      results.testResults.map((r) => [relative(project, r.name).split(sep).join('/'), r.status]).sort(),
    ).toEqual([
      ['examples/testing/manufacturer.test.ts', 'passed'],
      ['examples/testing/supplier.test.ts', 'passed'],
    ]);
  }, 180_000);

  it('type-checks a user’s strict program against the shipped declarations', () => {
    writeFileSync(
      join(project, 'user.ts'),
      `import type fc from 'fast-check';
import {
  type Catalog,
  type CatalogEntry,
  DecodeError,
  loadCatalog,
  type OtaImage,
  type Plan,
  Planner,
  parseImage,
  parseScenario,
  runScenario,
  type ScenarioFile,
  type ScenarioResult,
  type VerifyResult,
  verifyImage,
} from 'hanota';
import {
  type ArbitraryCs06,
  type Cs06Parties,
  genuineCs06,
  HanHarness,
  type HarnessOptions,
  otaImageBytes,
} from 'hanota/testing';

export function firstImageFile(csv: string): string | undefined {
  const catalog: Catalog = loadCatalog(csv);
  const first: CatalogEntry | undefined = catalog.entries[0];
  return first?.extra['image_file'];
}

export function hops(catalog: Catalog, from: string, to: string): readonly string[] {
  const plan: Plan = new Planner(catalog).plan(from, to);
  return plan.ok ? plan.hops : [];
}

export function check(bytes: Uint8Array): VerifyResult | string {
  try {
    const image: OtaImage = parseImage(bytes, { format: 'auto' });
    return image.format === 'gbcs' ? verifyImage(image) : \`zigbee \${image.header.fileVersion}\`;
  } catch (error) {
    if (error instanceof DecodeError) return \`\${error.code} at \${error.offset}\`;
    throw error;
  }
}

export function scenario(text: string, files: ReadonlyMap<string, Uint8Array>): boolean {
  const file: ScenarioFile = parseScenario(text);
  const result: ScenarioResult = runScenario(file, files, 1);
  return result.ok;
}

export function harness(image: Uint8Array): HanHarness {
  const options: HarnessOptions = { image, deviceTypes: ['ESME', 'PPMID'], seed: 1 };
  const h = new HanHarness(options);
  h.settle();
  return h;
}

export const images: fc.Arbitrary<Uint8Array> = otaImageBytes();
export const commands = (parties: Cs06Parties): fc.Arbitrary<ArbitraryCs06> => genuineCs06(parties);
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify(
        {
          compilerOptions: {
            target: 'es2023',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            strict: true,
            exactOptionalPropertyTypes: true,
            noPropertyAccessFromIndexSignature: true,
            noUncheckedIndexedAccess: true,
            skipLibCheck: false,
            // No @types/node: the declarations must not need it.
            types: [],
            noEmit: true,
          },
          files: ['user.ts'],
        },
        null,
        2,
      ),
    );
    const tsc = exec('npx', ['--no', '--', 'tsc', '-p', '.']);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);

    const listed = exec('npx', ['--no', '--', 'tsc', '-p', '.', '--listFiles']);
    expect(listed.status, listed.stdout + listed.stderr).toBe(0);
    const checked = listed.stdout.split('\n').map((f) => f.trim());
    const installed = join(project, 'node_modules/hanota/dist');
    expect(checked).toContain(join(installed, 'library.d.ts'));
    expect(checked).toContain(join(installed, 'testing/kit.d.ts'));
    expect(checked.filter((f) => f.startsWith(installed)).length).toBeGreaterThan(10);
  }, 120_000);

  it('packs what a user needs and nothing else', () => {
    const entries = mustRun('tar -tzf', 'tar', ['-tzf', tarball], work)
      .split('\n')
      .filter((e) => e !== '');
    for (const needed of [
      'package/package.json',
      'package/LICENSE',
      'package/README.md',
      'package/dist/cli/hanota.js',
      'package/dist/library.js',
      'package/dist/library.d.ts',
      'package/dist/testing/kit.js',
      'package/dist/testing/kit.d.ts',
    ])
      expect(entries).toContain(needed);
    for (const folder of ['src', 'test', 'bench', '.ci', 'scripts', 'examples', 'fixtures', 'node_modules'])
      expect(entries.filter((e) => e.startsWith(`package/${folder}/`))).toEqual([]);
    expect(entries.filter((e) => /\.[cm]?tsx?$/.test(e) && !/\.d\.[cm]?ts$/.test(e))).toEqual([]);
  });

  it('starts the CLI without loading vega, vega-lite, fast-check or zigbee-herdsman', async () => {
    // esbuild reads the installed bundle (following its chunks, leaving packages alone) and lists
    // every import of every file with its kind; start-up is what hanota.js reaches through static
    // imports alone, before a command's chunk is loaded with import().
    const { metafile } = await build({
      absWorkingDir: join(project, 'node_modules/hanota/dist/cli'),
      entryPoints: ['hanota.js'],
      bundle: true,
      splitting: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      outdir: 'unused',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const isStatic = (kind: string) => kind === 'import-statement' || kind === 'require-call';
    const startup = new Set<string>();
    const loadedAtStartup = new Set<string>();
    const pending = ['hanota.js'];
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      if (startup.has(file)) continue;
      startup.add(file);
      for (const imported of metafile.inputs[file]?.imports ?? []) {
        if (!isStatic(imported.kind)) continue;
        if (imported.external) loadedAtStartup.add(imported.path);
        else pending.push(imported.path);
      }
    }
    expect(startup.size).toBeGreaterThan(1);
    for (const name of LAZY_PACKAGES)
      expect(
        [...loadedAtStartup].filter((s) => isPackage(s, name)),
        `${name} at start-up`,
      ).toEqual([]);

    // Not vacuous: the same scan finds each of them imported where the commands need them
    // (zigbee-herdsman, CommonJS, is required by the frame codec on its first frame: by name).
    const dist = join(project, 'node_modules/hanota/dist/cli');
    const required = readdirSync(dist)
      .map((f) => readFileSync(join(dist, f), 'utf8'))
      .flatMap((text) => [...text.matchAll(/\("(zigbee-herdsman[^"]*)"\)/g)].map((m) => m[1] as string));
    const anywhere = [
      ...Object.values(metafile.inputs).flatMap((input) =>
        input.imports.filter((i) => i.external).map((i) => i.path),
      ),
      ...required,
    ];
    for (const name of LAZY_PACKAGES)
      expect(
        anywhere.some((s) => isPackage(s, name)),
        `some command loads ${name}`,
      ).toBe(true);
  });
});

describe('a fresh clone', () => {
  it('installs with no engine warning and leaves package-lock.json as committed', () => {
    const clone = join(work, 'clone');
    mustRun('git clone of the repository', 'git', ['clone', '--quiet', ROOT, clone], work);
    const install = mustRun(
      'npm install in the fresh clone',
      'npm',
      ['install', '--no-audit', '--no-fund'],
      clone,
    );
    expect(install).not.toMatch(/EBADENGINE/);
    expect(mustRun('git status', 'git', ['status', '--porcelain'], clone)).toBe('');
  }, 240_000);
});
