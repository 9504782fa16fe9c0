/**
 * `hanota conform` through the CLI on the example model: the matrix, JSON and JUnit outputs,
 * exit 1 for a model with defects, exit 2 naming the file for a broken behaviour file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { ROOT } from '../helpers/vectors.ts';

const DIR = join(ROOT, 'fixtures/example-model');
const tmp = mkdtempSync(join(tmpdir(), 'hanota-conform-'));
const ARGS = [
  'conform',
  '--catalog',
  join(DIR, 'catalog.csv'),
  '--model',
  'Volta',
  '--images',
  join(DIR, 'images'),
  '--supplier-key',
  join(ROOT, 'fixtures/keys/supplier-ds.key.pem'),
];

describe('hanota conform', () => {
  it('prints the matrix and the findings, writes JUnit, and exits 1 on the example model', async () => {
    const junit = join(tmp, 'conform.xml');
    const run = await hanota(
      ...ARGS,
      '--hardware-version',
      '0x0100',
      '--behaviour',
      join(DIR, 'behaviour.yaml'),
      '--junit',
      junit,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('RUNNING \\ IMAGE');
    expect(run.stdout).toContain(
      'BRICK V110 → V130: brick (activated, then lost supply control, prepayment)',
    );
    expect(run.stdout).toContain('FAIL  V121 → V130: firmware refusal');
    expect(run.stdout.trim().endsWith('DOES NOT CONFORM')).toBe(true);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(20);
    expect(xml.match(/<failure /g)).toHaveLength(5);
  });

  it('exits 0 for hardware 2, which conforms, and prints JSON', async () => {
    const run = await hanota(
      ...ARGS,
      '--hardware-version',
      '0x0200',
      '--behaviour',
      join(DIR, 'behaviour.yaml'),
      '--json',
    );
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ ok: true, model: 'Volta', deviceType: 'ESME', seed: 1 });
    expect(doc.pairs).toEqual([{ running: 'V200', image: 'V210', declared: true, verdict: 'declaredWorks' }]);
  });

  it('exits 2 naming the behaviour file and its line, or the model that is not there', async () => {
    const broken = join(tmp, 'broken.yaml');
    writeFileSync(broken, 'model: Volta\nfirmware:\n  V110: [\n');
    const run = await hanota(...ARGS, '--hardware-version', '0x0100', '--behaviour', broken, '--json');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.message).toMatch(
      new RegExp(`^${broken.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: line \\d+, column \\d+: `),
    );
    const none = await hanota(
      ...ARGS,
      '--hardware-version',
      '0x0300',
      '--behaviour',
      join(DIR, 'behaviour.yaml'),
    );
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no entries of model Volta hardware 0x0300');
  });
});
