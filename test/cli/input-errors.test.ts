/**
 * Bad input found by fuzzing every input through the CLI: each gets a clear error that names the
 * file and the key, line, row or byte offset, and exit code 2 — never an abort, a hang or an
 * internal error. Policies with values the simulation cannot honour, YAML with too many aliases,
 * hex arguments that are not whole bytes, CSV files that are not UTF-8.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogCsv } from '../../src/testing/catalog-arbitraries.ts';
import { exampleCampaignArgs, FIXTURES } from '../helpers/campaign.ts';
import { hanota } from '../helpers/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hanota-input-errors-'));

function file(name: string, content: string | Uint8Array): string {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
}

/** `hanota campaign` over the example estate with this policy text; the policy's path too. */
async function campaignWith(name: string, policy: string) {
  const path = file(name, policy);
  return { path, run: await hanota(...exampleCampaignArgs(path), '--json') };
}

/** The error document of a `--json` run. */
const errorOf = (stdout: string) =>
  JSON.parse(stdout).error as { code: string; message: string; offset?: number };

describe('campaign policies', () => {
  it('refuses an ADT window of 999999999 days at once, naming the key, the value and the range', async () => {
    const { path, run } = await campaignWith('huge-window.yaml', 'adt: { limit: 12, window: 999999999d }\n');
    expect(run.code).toBe(2);
    expect(errorOf(run.stdout)).toEqual({
      code: 'POLICY',
      message: `${path}: adt.window: expected a duration from 1s to 3650d, got '999999999d'`,
    });
    expect(run.stderr).not.toMatch(/internal error|at .*\.ts:\d+/);
  });

  it('refuses every other duration and count the simulation cannot honour the same way', async () => {
    const cases: [string, string][] = [
      ['adt: { limit: 12, window: 0s }', "adt.window: expected a duration from 1s to 3650d, got '0s'"],
      [
        'retry: { attempts: 2, backoff: 99999999d }',
        "retry.backoff: expected a duration from 1s to 3650d, got '99999999d'",
      ],
      [
        'retry: { attempts: 2, backoff: 1h, maxBackoff: 1e12 }',
        'retry.maxBackoff: expected a duration from 1s to 3650d, got 1000000000000',
      ],
      [
        'retry: { attempts: 100000000, backoff: 1h }',
        'retry.attempts: expected a whole number from 0 to 1000, got 100000000',
      ],
      [
        'retry: { attempts: 2, backoff: 1h, factor: 1e300 }',
        'retry.factor: expected a number from 1 to 1000, got 1e+300',
      ],
      ['maxDays: 1e9', 'maxDays: expected a number of days over 0 and at most 3650, got 1000000000'],
      ['buckets: 200000', 'buckets: expected a whole number from 1 to 131072, got 200000'],
      [
        'activationWindow: { fromHour: 22, toHour: 30 }',
        'activationWindow.toHour: expected a whole number from 0 to 24, got 30',
      ],
    ];
    for (const [k, [policy, message]] of cases.entries()) {
      const { path, run } = await campaignWith(`bound-${k}.yaml`, `${policy}\n`);
      expect(run.code, policy).toBe(2);
      expect(errorOf(run.stdout).message, policy).toBe(`${path}: ${message}`);
    }
  });

  it('says what a duration looks like when retry.backoff is not one, is a list or is missing', async () => {
    const expected = 'a duration like 30s, 5m, 2h or 1d (or a number of seconds)';
    const cases: [string, string][] = [
      ['retry: { attempts: 2, backoff: abc }', `retry.backoff: expected ${expected}, got 'abc'`],
      ['retry: { attempts: 2, backoff: [1] }', `retry.backoff: expected ${expected}, got a list`],
      ['retry: { attempts: 2 }', `retry.backoff: missing: expected ${expected}`],
    ];
    for (const [k, [policy, message]] of cases.entries()) {
      const { path, run } = await campaignWith(`backoff-${k}.yaml`, `${policy}\n`);
      expect(run.code, policy).toBe(2);
      expect(errorOf(run.stdout).message, policy).toBe(`${path}: ${message}`);
    }
  });

  it('names what was expected for an option, a type, a rollout group and an unknown key', async () => {
    const cases: [string, string][] = [
      ['mode: sideways', "mode: expected planned, direct or both, got 'sideways'"],
      ['concurrency: 3', 'concurrency: expected a mapping, got 3'],
      [
        'rollout: { groups: [{ name: a, percent: 120, successThreshold: 1, errorThreshold: 1 }] }',
        'rollout.groups[0].percent: expected a percentage over 0 and at most 100, got 120',
      ],
      [
        'retry: { attempts: 2, bakoff: 1h }',
        "retry: unknown key 'bakoff' (expected attempts, backoff, factor, maxBackoff)",
      ],
    ];
    for (const [k, [policy, message]] of cases.entries()) {
      const { path, run } = await campaignWith(`schema-${k}.yaml`, `${policy}\n`);
      expect(run.code, policy).toBe(2);
      expect(errorOf(run.stdout).message, policy).toBe(`${path}: ${message}`);
    }
  });
});

describe('YAML aliases', () => {
  const aliases = (n: number) => Array.from({ length: n }, () => '*d').join(', ');
  /** A scenario distributing one image to device `e1` named `n` times through an alias. */
  const scenario = (n: number) =>
    [
      'name: many aliases',
      'images: { fw: missing.ota }',
      'devices:',
      '  - { id: &d e1, type: ESME, manufacturerCode: 1, fileVersion: 1 }',
      'timeline:',
      `  - distribute: { image: fw, to: [${aliases(n)}] }`,
      'expect: {}',
      '',
    ].join('\n');

  it('reads a scenario with more alias uses than yaml allows by default (100)', async () => {
    const run = await hanota('run', file('150-aliases.yaml', scenario(150)), '--json');
    // Past the YAML: the next problem is the image file, which does not exist.
    expect(run.code).toBe(2);
    expect(errorOf(run.stdout).message).toMatch(/missing\.ota: cannot read: no such file/);
  });

  it('refuses a scenario with more than 1000 alias uses, naming the file, line and column', async () => {
    const path = file('1001-aliases.yaml', scenario(1001));
    const run = await hanota('run', path, '--json');
    expect(run.code).toBe(2);
    const error = errorOf(run.stdout);
    expect(error.code).toBe('SCENARIO');
    expect(error.message).toMatch(
      new RegExp(
        `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 6, column \\d+: too many alias uses: more than 1000 .*at most 1000 in one file$`,
      ),
    );
    expect(run.stderr).not.toMatch(/internal error/);
  });

  it('refuses a policy that expands aliases exponentially ("billion laughs")', async () => {
    const level = (name: string, of: string) => `${name}: &${name} [${Array(10).fill(`*${of}`).join(', ')}]`;
    const policy = [
      'a: &a [lol]',
      level('b', 'a'),
      level('c', 'b'),
      level('d', 'c'),
      level('e', 'd'),
      '',
    ].join('\n');
    const { path, run } = await campaignWith('laughs.yaml', policy);
    expect(run.code).toBe(2);
    expect(errorOf(run.stdout).message).toMatch(
      new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: line 4, column \\d+: too many alias uses`),
    );
  });

  it('refuses a behaviour file with too many aliases, and an alias that names no anchor', async () => {
    const many = file(
      'behaviour-aliases.yaml',
      `model: Volta\nfirmware:\n  V130: { accepts: [&v V120, ${Array(1001).fill('*v').join(', ')}], otherwise: refuse }\n`,
    );
    const args = exampleCampaignArgs(join(FIXTURES, 'example-policy.yaml'));
    const at = args.indexOf('--behaviour') + 1;
    const withBehaviour = (path: string) => args.map((a, k) => (k === at ? path : a));
    const run = await hanota(...withBehaviour(many), '--json');
    expect(run.code).toBe(2);
    expect(errorOf(run.stdout).message).toMatch(
      new RegExp(`^${many}: line 3, column \\d+: too many alias uses`),
    );
    const unresolved = file('behaviour-unresolved.yaml', 'model: Volta\nfirmware: *nothing\n');
    const second = await hanota(...withBehaviour(unresolved), '--json');
    expect(second.code).toBe(2);
    expect(errorOf(second.stdout).message).toBe(
      `${unresolved}: line 2, column 11: alias *nothing names no anchor &nothing before it`,
    );
  });
});

describe('hex arguments', () => {
  it('takes an odd number of hex digits as hex, and says it is not whole bytes', async () => {
    const run = await hanota('gbcs', 'parse', 'DF090', '--json');
    expect(run.code).toBe(2);
    expect(errorOf(run.stdout)).toEqual({
      code: 'BAD_HEX',
      message: "the hex argument 'DF090' has an odd number of hex digits (5): a byte is two digits",
    });
  });

  it('never takes a long hex argument for a file name', async () => {
    const run = await hanota('gbcs', 'parse', 'a'.repeat(301));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/has an odd number of hex digits \(301\)/);
    expect(run.stderr).not.toMatch(/ENAMETOOLONG|cannot read/);
    expect(run.stderr.length).toBeLessThan(300);
  });

  it('does not hand the filesystem an argument too long to name a file', async () => {
    const run = await hanota('gbcs', 'parse', `${'a'.repeat(300)}g`);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /not hex \('g' at character 300 is not a hex digit\), and longer than a file name can be \(255 bytes\)/,
    );
    expect(run.stderr).not.toMatch(/ENAMETOOLONG/);
  });

  it('names the file of hex text with an odd number of digits once', async () => {
    const path = file('odd.hex', 'DF 09 0\n');
    const run = await hanota('gbcs', 'parse', path);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error: ${path}: the hex text has an odd number of hex digits (5): a byte is two digits\n`,
    );
  });
});

describe('CSV files that are not UTF-8', () => {
  const header =
    'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status';
  const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

  it('names the row, column and byte offset of the first byte of a catalog that is not UTF-8', async () => {
    const text = `${header}\nV1,ESME,Acme,Volta,1,1.0,${'a'.repeat(64)},N/A,Active\nV2,ESME,Acm\u00e9,Volta,1,2.0,${'b'.repeat(64)},V1,Active\n`;
    const path = file('latin1-catalog.csv', latin1(text));
    const offset = text.indexOf('\u00e9');
    const run = await hanota('catalog', 'check', path, '--json');
    expect(run.code).toBe(2);
    expect(errorOf(run.stdout)).toEqual({
      code: 'CSV_ENCODING',
      message: `${path}: row 3, column 3: byte 0xe9 at byte offset ${offset} is not UTF-8: save the file as UTF-8`,
      offset,
    });
  });

  it('names the row, column and byte offset in an estate, counting a quoted line break as one row', async () => {
    const catalog = file(
      'utf8-catalog.csv',
      catalogCsv(
        [
          {
            cpl_entry_id: 'V1',
            device_type: 'ESME',
            manufacturer: 'Acme',
            model: 'Volta',
            hardware_version: '1',
            firmware_version: '1.0',
            manufacturer_image_hash: 'a'.repeat(64),
            base_cpl_entry_ids: 'N/A',
            status: 'Active',
          },
        ],
        header.split(','),
      ),
    );
    const text =
      'device_id,device_type,hub_id,cpl_entry_id,note\n00db000000000001,ESME,h1,V1,"two\nlines"\n00db000000000002,ESME,h1,V1,caf\u00e9\n';
    const path = file('latin1-estate.csv', latin1(text));
    const offset = text.indexOf('\u00e9');
    const run = await hanota(
      'path',
      'plan',
      '--catalog',
      catalog,
      '--estate',
      path,
      '--target',
      'V1',
      '--json',
    );
    expect(run.code).toBe(2);
    expect(errorOf(run.stdout)).toEqual({
      code: 'CSV_ENCODING',
      message: `${path}: row 3, column 5: byte 0xe9 at byte offset ${offset} (line 4) is not UTF-8: save the file as UTF-8`,
      offset,
    });
  });

  it('says a UTF-16 catalog is UTF-16', async () => {
    const path = file('utf16.csv', Uint8Array.of(0xff, 0xfe, 0x61, 0x00));
    const run = await hanota('catalog', 'check', path);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /row 1, column 1: UTF-16 text \(byte-order mark 0xfffe at byte offset 0\), expected UTF-8/,
    );
  });
});

describe('scenario files', () => {
  it('says what a timeline time should be when it is a list, not just "Invalid input"', async () => {
    const path = file(
      'list-time.yaml',
      [
        'name: a time that is a list',
        'images: {}',
        'devices: [{ id: e1, type: ESME, manufacturerCode: 1, fileVersion: 1 }]',
        'timeline: [{ at: [1h], adt: { limit: 1, window: 1d } }]',
        'expect: {}',
        '',
      ].join('\n'),
    );
    const run = await hanota('run', path, '--json');
    expect(run.code).toBe(2);
    expect(errorOf(run.stdout).message).toBe(
      `${path}: timeline[0].at: expected a duration like 30s, 5m, 2h, 3d (or a number of seconds), got a list`,
    );
  });
});
