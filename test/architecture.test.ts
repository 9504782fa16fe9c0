/**
 * The import and purity rules of DESIGN.md §3, checked over the sources: zigbee-herdsman only
 * in the OTA frame codec, @noble/* only in src/crypto/, the filesystem, process and console
 * only in src/cli/, and no wall-clock time, timers or unseeded randomness outside the clock
 * and rng modules.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from './helpers/vectors.ts';

const SRC = join(ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(name) ? [path] : [];
  });
}

const files = sources(SRC).map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));

function offenders(pattern: RegExp, allowed: (path: string) => boolean): string[] {
  return files.filter((f) => !allowed(f.path) && pattern.test(f.text)).map((f) => f.path);
}

it('imports zigbee-herdsman only from the OTA frame codec', () => {
  expect(offenders(/from ['"]zigbee-herdsman/, (p) => p === 'src/ota/frame-codec.ts')).toEqual([]);
});

it('imports libxml2-wasm only from the DUIS XML module, xml-crypto and xmldom only from the DUIS signature module', () => {
  expect(offenders(/from ['"]libxml2-wasm/, (p) => p === 'src/duis/xml.ts')).toEqual([]);
  expect(
    offenders(/from ['"](xml-crypto|@xmldom\/xmldom)/, (p) => p === 'src/duis/xml-signature.ts'),
  ).toEqual([]);
});

it('imports @noble/* only from src/crypto/', () => {
  expect(offenders(/from ['"]@noble\//, (p) => p.startsWith('src/crypto/'))).toEqual([]);
});

it('touches the filesystem, process and the console only from src/cli/', () => {
  const io = /from ['"](node:)?(fs|fs\/promises|process|child_process)['"]|\bprocess\.|\bconsole\./;
  expect(offenders(io, (p) => p.startsWith('src/cli/'))).toEqual([]);
});

it('uses no wall-clock time, timers or Math.random outside the clock and rng modules', () => {
  const time = /Math\.random|Date\.now\(|new Date\(|setTimeout\(|setInterval\(/;
  // …and the DUIS server, the one place where virtual time is mapped to real time (DESIGN.md §3).
  expect(
    offenders(time, (p) => /^src\/(sim\/)?(clock|rng)[^/]*\.ts$/.test(p) || p === 'src/cli/duis-server.ts'),
  ).toEqual([]);
});

it('has no barrel files and uses explicit .ts extensions on relative imports', () => {
  expect(files.filter((f) => /\/index\.ts$/.test(f.path)).map((f) => f.path)).toEqual([]);
  const bare = files.filter((f) => /from ['"]\.{1,2}\/[^'"]*(?<!\.ts)['"]/.test(f.text)).map((f) => f.path);
  expect(bare).toEqual([]);
});

it('lets imports flow one way: the pure core below hub and devices, those below sim, cli on top', () => {
  const layerOf = (path: string) => path.split('/')[1] as string;
  // Scenario runs and conformance checks drive the simulation; what they send (CS06) is gbcs/.
  const RUNNERS_MAY_IMPORT = [
    'bytes',
    'errors',
    'crypto',
    'ota',
    'gbcs',
    'pathways',
    'hub',
    'devices',
    'dcc',
    'sim',
    'report',
  ];
  const below: Record<string, readonly string[]> = {
    bytes: ['errors'],
    errors: [],
    crypto: ['bytes', 'errors'],
    ota: ['bytes', 'errors', 'crypto'],
    gbcs: ['bytes', 'errors', 'crypto'],
    pathways: ['bytes', 'errors'],
    hub: ['bytes', 'errors', 'crypto', 'ota', 'gbcs', 'pathways'],
    devices: ['bytes', 'errors', 'crypto', 'ota', 'gbcs', 'pathways'],
    dcc: ['errors'],
    sim: ['bytes', 'errors', 'crypto', 'ota', 'gbcs', 'pathways', 'hub', 'devices'],
    report: ['errors'],
    campaign: [
      'bytes',
      'errors',
      'crypto',
      'ota',
      'gbcs',
      'pathways',
      'hub',
      'devices',
      'dcc',
      'sim',
      'report',
    ],
    conform: RUNNERS_MAY_IMPORT,
    scenario: RUNNERS_MAY_IMPORT,
    // The supplier's interface drives the emulation as a campaign does.
    duis: [...RUNNERS_MAY_IMPORT, 'campaign'],
    // The firmware library checks images against the catalog; its filesystem is a port.
    'firmware-library': ['bytes', 'errors', 'crypto', 'ota', 'pathways'],
  };
  const wrong = files.flatMap((f) => {
    const layer = layerOf(f.path);
    const allowed = below[layer];
    if (!allowed) return [];
    // Type-only imports are free: a state machine may name the type of the rng it is handed.
    return [...f.text.matchAll(/^import (?!type )[^;]*?from '\.\.\/([a-z-]+)\//gms)]
      .map((m) => m[1] as string)
      .filter((target) => !allowed.includes(target))
      .map((target) => `${f.path} imports ${target}/`);
  });
  expect(wrong).toEqual([]);
});

it('has two public entry points that only re-export, and no source imports them', () => {
  const entries = ['src/library.ts', 'src/testing/kit.ts'];
  for (const entry of entries) {
    const text = files.find((f) => f.path === entry)?.text ?? '';
    const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    expect(code.replace(/export (type )?\{[^}]*\} from '[^']+';/g, '').trim(), entry).toBe('');
  }
  expect(offenders(/from '[./]*(library|testing\/kit)\.ts'/, () => false)).toEqual([]);
});

it('loads a command module only when that command runs (start-up in proportion to the work)', () => {
  // The parser and the command table import no command module statically, and the heavy
  // optional packages are reached only through a command or an explicit dynamic import.
  expect(offenders(/^import [^;]*from '\.\/commands\//m, () => false)).toEqual([]);
  expect(offenders(/^import (?!type )[^;]*from '(vega|vega-lite)'/m, () => false)).toEqual([]);
  expect(offenders(/^import (?!type )[^;]*from 'fast-check'/m, (p) => p.startsWith('src/testing/'))).toEqual(
    [],
  );
});

it('keeps the testing kit out of production code: only the CLI (hanota fuzz) and the kit import it', () => {
  const wrong = files
    .filter((f) => !f.path.startsWith('src/testing/') && !f.path.startsWith('src/cli/'))
    .filter((f) => /^import (?!type )[^;]*from '[./]*testing\//m.test(f.text))
    .map((f) => f.path);
  expect(wrong).toEqual([]);
});

it('runs every driver of the state machines through the one node runtime: scenarios, the testing kit and the herdsman interop test', () => {
  // Only the runtime calls the step functions (node-runtime.ts and the GBCS side it hands GBCS
  // events to); everything that runs a HAN goes through it.
  const steps = /\b(stepHub|stepClient|stepActivation)\(/;
  const callers = files.filter((f) => steps.test(f.text)).map((f) => f.path);
  expect(callers.sort()).toEqual(
    [
      'src/devices/gbcs-activation.ts',
      'src/devices/ota-client.ts',
      'src/hub/ota-server.ts',
      'src/sim/gbcs-side.ts',
      'src/sim/node-runtime.ts',
    ].sort(),
  );
  const text = (path: string) => readFileSync(join(ROOT, path), 'utf8');
  expect(text('src/testing/han-harness.ts')).toMatch(/from '\.\.\/sim\/node-runtime\.ts'/);
  const interop = text('test/sim/herdsman-interop.test.ts');
  expect(interop).toMatch(/from '\.\.\/\.\.\/src\/testing\/han-harness\.ts'/);
  expect(interop).not.toMatch(steps);
  expect(text('test/sim/model.test.ts')).toMatch(/from '\.\.\/\.\.\/src\/testing\/han-harness\.ts'/);
});
