/**
 * The CLI contract where an independent review of the package found it broken: estates of real
 * size, inputs of any size (bounded reads), outputs that cannot be written (refused before the
 * work), options without their value or with a value they do not take, short flags, shards of
 * different campaigns, and folders as the user wrote them.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJsonWithList } from '../../src/cli/table.ts';
import { exampleCampaignArgs, FIXTURES } from '../helpers/campaign.ts';
import { hanota } from '../helpers/cli.ts';
import { SCENARIOS_DIR } from '../helpers/scenarios.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hanota-review-'));
const CATALOG = join(FIXTURES, 'example-model/catalog.csv');
const ESME_IMAGE = join(FIXTURES, 'images/esme-1.2-gbcs.ota');
const POLICY = join(FIXTURES, 'example-policy.yaml');

describe('estates of real size', () => {
  const estate = join(tmp, 'estate-200k.csv');
  const rows = ['device_id,device_type,hub_id,cpl_entry_id'];
  for (let i = 0; i < 200_000; i++)
    rows.push(`${(0x11220000000000n + BigInt(i)).toString(16).padStart(16, '0')},ESME,hub${i % 5000},V100`);
  writeFileSync(estate, `${rows.join('\n')}\n`);

  it('plans 200,000 devices as a table and as JSON', async () => {
    const table = await hanota('path', 'plan', '--catalog', CATALOG, '--estate', estate, '--target', 'V130');
    expect(table.stderr).toBe('');
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('200000 device(s), 0 without a path');
    const json = await hanota(
      'path',
      'plan',
      '--catalog',
      CATALOG,
      '--estate',
      estate,
      '--target',
      'V130',
      '--json',
    );
    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.plans).toHaveLength(200_000);
    expect(doc.plans[199_999]).toEqual({
      deviceId: '0011220000030d3f',
      from: 'V100',
      target: 'V130',
      ok: true,
      hops: ['V110', 'V120', 'V130'],
    });
  });

  it('writes a long JSON list in pieces, byte for byte as JSON.stringify would', () => {
    for (const n of [0, 1, 2, 5, 7]) {
      const items = Array.from({ length: n }, (_, i) => ({
        id: i,
        hops: ['a', 'b'],
        nested: { ok: i % 2 === 0 },
      }));
      const pieces: string[] = [];
      writeJsonWithList((t) => pieces.push(t), { devices: n, withoutPath: 0 }, 'plans', items, 2);
      expect(pieces.join('')).toBe(
        `${JSON.stringify({ devices: n, withoutPath: 0, plans: items }, null, 2)}\n`,
      );
    }
  });
});

describe('inputs of any size', () => {
  it('refuses an endless input instead of reading it whole', async () => {
    const run = await hanota('image', 'inspect', '/dev/zero');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'error: /dev/zero: larger than 268435456 bytes (256 MiB), the most this input may hold\n',
    );
  });

  it('refuses a key file larger than a key can be', async () => {
    const key = join(tmp, 'huge.pem');
    writeFileSync(key, Buffer.alloc(2 * 2 ** 20, 0x41));
    const run = await hanota('image', 'verify', '--key', key, ESME_IMAGE);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/huge\.pem: larger than 1048576 bytes \(1 MiB\)/);
  });

  it('refuses a catalog without the required columns before parsing the rest of it', async () => {
    const catalog = join(tmp, 'nul.csv');
    writeFileSync(catalog, Buffer.alloc(20 * 2 ** 20));
    const run = await hanota('catalog', 'check', catalog);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/nul\.csv: row 1: missing required columns cpl_entry_id/);
  });

  it('names an empty file name as such', async () => {
    const run = await hanota('image', 'inspect', '');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/an empty file name was given/);
  });
});

describe('outputs that cannot be written', () => {
  for (const [what, report] of [
    ['a folder', FIXTURES],
    ['an empty name', ''],
    ['a place no file can be made', '/proc/hanota-report.json'],
  ] as const)
    it(`refuses --report naming ${what} before the campaign runs`, async () => {
      const run = await hanota(...exampleCampaignArgs(POLICY), '--report', report);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^error: --report/);
    });
});

describe('options and their values', () => {
  it('refuses an option that takes a value given without one', async () => {
    const run = await hanota('simulate', '--device', 'ESME', '--image', ESME_IMAGE, '--seed');
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: --seed: needs a value\n');
  });

  it('refuses a value on a flag other than true or false', async () => {
    const run = await hanota('image', 'inspect', ESME_IMAGE, '--json=maybe');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--json: a flag takes no value \(or =true, =false\), got 'maybe'/);
    expect((await hanota('image', 'inspect', ESME_IMAGE, '--json=true')).code).toBe(0);
  });

  it('refuses --no- on an option that takes a value', async () => {
    const run = await hanota('simulate', '--device', 'ESME', '--image', ESME_IMAGE, '--no-loss');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--no-loss: --loss takes a value and has no --no- form/);
  });

  it('names an unknown short flag with its dash', async () => {
    const run = await hanota('image', 'inspect', '-j', ESME_IMAGE);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: Unknown argument: -j (see --help)\n');
  });
});

describe('shards of one campaign only', () => {
  const policy = join(tmp, 'policy-2.yaml');
  writeFileSync(policy, 'buckets: 2\n');
  const shard = (k: number, file: string, ...extra: string[]) =>
    hanota(
      ...exampleCampaignArgs(policy).filter(
        (a, i, all) => all[i - 1] !== '--behaviour' && a !== '--behaviour',
      ),
      ...extra,
      '--shard',
      `${k}/2`,
      '--report',
      file,
    );

  it('refuses to merge shards run on different inputs, naming what differs', async () => {
    const a = join(tmp, 'with-behaviour.json');
    const b = join(tmp, 'without-behaviour.json');
    await shard(1, a, '--behaviour', join(FIXTURES, 'example-model/behaviour.yaml'));
    await shard(2, b);
    const run = await hanota('report', 'merge', a, b);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /without-behaviour\.json: not a shard of the same campaign as .*with-behaviour\.json: other behaviours/,
    );
  });

  it('names a shard given twice and a shard missing, counted as --shard counts', async () => {
    const a = join(tmp, 's1.json');
    await shard(1, a);
    const twice = await hanota('report', 'merge', a, a);
    expect(twice.stderr).toMatch(/shard 1\/2 given 2 times/);
    const missing = await hanota('report', 'merge', a);
    expect(missing.stderr).toBe('error: shard 2/2 not given: a report needs all 2\n');
  });
});

describe('folders as the user wrote them', () => {
  it('keeps ./ and a trailing slash in the paths of the scenarios found', async () => {
    const root = join(tmp, 'tree');
    mkdirSync(join(root, 'scenarios'), { recursive: true });
    symlinkSync(FIXTURES, join(root, 'fixtures'));
    copyFileSync(join(SCENARIOS_DIR, 'esme-happy-path.yaml'), join(root, 'scenarios/esme-happy-path.yaml'));
    const dir = `./${relative(process.cwd(), join(root, 'scenarios'))}/`;
    const run = await hanota('run', dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${dir}esme-happy-path.yaml  `);
    expect(readFileSync(join(root, 'scenarios/esme-happy-path.yaml'), 'utf8')).toContain('../fixtures/');
  });
});
