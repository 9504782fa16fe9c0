/**
 * `catalog check`, `path plan` and `path check` through the CLI parser: exit codes, JSON shapes,
 * estates with devices that have no path, and errors that name the file, row and column.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogCsv } from '../../src/testing/catalog-arbitraries.ts';
import { hanota } from '../helpers/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hanota-path-'));
const hash = (n: number) => n.toString(16).padStart(64, '0');
const row = (id: string, version: string, bases: string, n: number, extra: Record<string, string> = {}) => ({
  cpl_entry_id: id,
  device_type: 'ESME',
  manufacturer: 'Acme',
  model: 'M',
  hardware_version: '1',
  firmware_version: version,
  manufacturer_image_hash: hash(n),
  base_cpl_entry_ids: bases,
  status: 'Active',
  ...extra,
});

function file(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

const CATALOG = file(
  'catalog.csv',
  catalogCsv([
    row('a', '1.0', 'N/A', 1),
    row('b', '1.1', 'a', 2),
    row('c', '1.2', 'b', 3),
    row('g', '1.0', 'N/A', 4, { model: 'G' }),
  ]),
);

describe('hanota catalog check', () => {
  it('exits 0 on a clean catalog and 1 with the problems on a broken one', async () => {
    expect((await hanota('catalog', 'check', CATALOG)).code).toBe(0);
    const broken = file('broken.csv', catalogCsv([row('a', '1.0', 'N/A', 1), row('b', '1.1', 'a;zz', 1)]));
    const run = await hanota('catalog', 'check', broken, '--json');
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ ok: false, entries: 2 });
    expect(doc.problems.map((p: { code: string }) => p.code)).toEqual(['DUPLICATE_HASH', 'UNKNOWN_BASE']);
  });

  it('exits 2 naming the file, row and column of a malformed CSV', async () => {
    const bad = file(
      'bad.csv',
      'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status\na,ESME,Acme\n',
    );
    const run = await hanota('catalog', 'check', bad, '--json');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.message).toBe(
      `${bad}: row 2, column 4: 3 fields, the header has 9 (line 2)`,
    );
  });
});

describe('hanota path', () => {
  it('plans one device', async () => {
    const run = await hanota('path', 'plan', '--catalog', CATALOG, '--from', 'a', '--to', 'c', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).plans).toEqual([{ from: 'a', target: 'c', ok: true, hops: ['b', 'c'] }]);
  });

  it('plans an estate, one device without a path failing none of the others, exit 1', async () => {
    const estate = file(
      'estate.csv',
      'device_id,device_type,hub_id,cpl_entry_id\n00DB000000000001,ESME,h,a\n00db000000000002,ESME,h,g\n00db000000000003,ESME,h,c\n',
    );
    const run = await hanota(
      'path',
      'plan',
      '--catalog',
      CATALOG,
      '--estate',
      estate,
      '--target',
      'c',
      '--json',
    );
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout);
    expect(doc.plans).toEqual([
      { deviceId: '00db000000000001', from: 'a', target: 'c', ok: true, hops: ['b', 'c'] },
      {
        deviceId: '00db000000000002',
        from: 'g',
        target: null,
        ok: false,
        reason: 'NO_TARGET',
        detail: 'no target for G hardware 1',
      },
      {
        deviceId: '00db000000000003',
        from: 'c',
        target: 'c',
        ok: true,
        hops: [],
        reason: 'ALREADY_AT_TARGET',
      },
    ]);
  });

  it('refuses an estate row with a bad device ID, naming row and column', async () => {
    const estate = file('bad-estate.csv', 'device_id,device_type,hub_id,cpl_entry_id\nnope,ESME,h,a\n');
    const run = await hanota('path', 'plan', '--catalog', CATALOG, '--estate', estate, '--target', 'c');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("row 2, column 1: device_id 'nope' is not an EUI-64");
  });

  it('checks a sequence: allowed, or the first illegal step with exit 1', async () => {
    expect((await hanota('path', 'check', '--catalog', CATALOG, '--sequence', 'a,b,c')).code).toBe(0);
    const run = await hanota('path', 'check', '--catalog', CATALOG, '--sequence', 'a,c', '--json');
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      step: 1,
      from: 'a',
      to: 'c',
      reason: 'NOT_DECLARED',
    });
  });

  it('refuses two targets for one model and hardware version, and a device listed twice', async () => {
    const estate = file(
      'estate-2.csv',
      'device_id,device_type,hub_id,cpl_entry_id\n00db000000000001,ESME,h,a\n',
    );
    const two = await hanota(
      'path',
      'plan',
      '--catalog',
      CATALOG,
      '--estate',
      estate,
      '--target',
      'b',
      '--target',
      'c',
    );
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('--target: b and c are for the same model and hardware version');
    const twice = file(
      'estate-3.csv',
      'device_id,device_type,hub_id,cpl_entry_id\n00db000000000001,ESME,h,a\n00DB000000000001,ESME,h,b\n',
    );
    const run = await hanota('path', 'plan', '--catalog', CATALOG, '--estate', twice, '--target', 'c');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('row 3, column 1: device 00db000000000001 is already on row 2');
  });

  it('refuses an empty entry in a sequence as usage', async () => {
    expect((await hanota('path', 'check', '--catalog', CATALOG, '--sequence', 'a,,c')).code).toBe(2);
  });
});
