/**
 * The CLI contract of the README and DESIGN.md §4, held where it was found broken: `--no-X`
 * forms, output folders that do not exist yet, `--json` meaning one thing everywhere, unknown and
 * repeated flags as usage errors, range-checked counts, shards that need buckets, and paths shown
 * as the user gave them.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleCampaignArgs, FIXTURES } from '../helpers/campaign.ts';
import { hanota } from '../helpers/cli.ts';
import { SCENARIOS_DIR } from '../helpers/scenarios.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hanota-contract-'));
const ESME_IMAGE = join(FIXTURES, 'images/esme-1.2-gbcs.ota');
const PPMID_IMAGE = join(FIXTURES, 'images/unsigned-gbcs/ppmid-3.1-gbcs.ota');
const POLICY = join(FIXTURES, 'example-policy.yaml');

describe('--no-X forms', () => {
  it('leaves the hardware version out of the query with --no-hardware-version', async () => {
    const run = await hanota(
      'simulate',
      '--device',
      'ESME',
      '--image',
      ESME_IMAGE,
      '--no-hardware-version',
      '--json',
    );
    expect(run.stderr).toBe('');
    const doc = JSON.parse(run.stdout);
    expect(doc.device.hardwareVersion).toBeNull();
    // A GBCS device that reports no hardware version is not served an image with a hardware range.
    expect(doc.outcome.hubReason).toBe('hardware version required to check the image range');
    expect(run.code).toBe(1);
  });

  it('refuses --hardware-version together with --no-hardware-version', async () => {
    const run = await hanota(
      'simulate',
      '--device',
      'ESME',
      '--image',
      ESME_IMAGE,
      '--hardware-version',
      '1',
      '--no-hardware-version',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--hardware-version: given 2 times \(as --hardware-version and --no-hardware-version\)/,
    );
  });
});

describe('output folders', () => {
  it('creates the folders of --junit, --pcap and --trace before running', async () => {
    const out = join(tmp, 'run-out');
    const run = await hanota(
      'run',
      join(SCENARIOS_DIR, 'esme-happy-path.yaml'),
      '--junit',
      join(out, 'junit/report.xml'),
      '--pcap',
      join(out, 'pcap'),
      '--trace',
      join(out, 'trace'),
    );
    expect(run.code).toBe(0);
    expect(readFileSync(join(out, 'junit/report.xml'), 'utf8')).toContain('<testcase ');
    expect(readdirSync(join(out, 'pcap'))).toEqual(['esme-happy-path.pcap']);
    expect(readdirSync(join(out, 'trace'))).toEqual(['esme-happy-path.jsonl']);
  });

  it('keeps the counterexample hanota fuzz finds when --out does not exist yet', async () => {
    const out = join(tmp, 'fuzz/new-dir');
    const run = await hanota(
      'fuzz',
      join(SCENARIOS_DIR, 'esme-power-loss-resume.yaml'),
      '--seed',
      '1',
      '--out',
      out,
    );
    expect(run.code).toBe(1);
    expect(readdirSync(out)).toEqual(['esme-power-loss-resume-fuzz-1.yaml']);
  });

  it('refuses, before any work, an output folder that cannot be made', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    const run = await hanota(
      'run',
      join(SCENARIOS_DIR, 'esme-happy-path.yaml'),
      '--pcap',
      join(file, 'pcap'),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/a-file\/pcap: cannot create the folder/);
    expect(run.stdout).toBe('');
  });
});

describe('--json means one thing on every command', () => {
  it('prints the campaign report on stdout with --json alone', async () => {
    const run = await hanota(...exampleCampaignArgs(POLICY), '--json');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.mode).toBe('planned');
    expect(doc.seed).toBe(1);
  });

  it('writes the campaign report to --report FILE and merges shards with --report FILE', async () => {
    const policy = join(tmp, 'policy-2.yaml');
    writeFileSync(policy, 'buckets: 2\n');
    const full = join(tmp, 'reports/full.json');
    expect((await hanota(...exampleCampaignArgs(policy), '--report', full)).code).toBe(0);
    for (const k of [1, 2])
      await hanota(
        ...exampleCampaignArgs(policy),
        '--shard',
        `${k}/2`,
        '--report',
        join(tmp, `shards/s${k}.json`),
      );
    const merged = join(tmp, 'reports/merged.json');
    const merge = await hanota(
      'report',
      'merge',
      join(tmp, 'shards/s1.json'),
      join(tmp, 'shards/s2.json'),
      '--report',
      merged,
    );
    expect(merge.code).toBe(0);
    expect(merge.stdout).toBe('');
    expect(readFileSync(merged, 'utf8')).toBe(readFileSync(full, 'utf8'));
    const printed = await hanota(
      'report',
      'merge',
      join(tmp, 'shards/s1.json'),
      join(tmp, 'shards/s2.json'),
      '--json',
    );
    expect(printed.stdout).toBe(readFileSync(full, 'utf8'));
  });
});

describe('unknown and repeated flags', () => {
  it('names a mistyped flag before a positional instead of the positional it swallowed', async () => {
    const run = await hanota('image', 'inspect', '--jsn', ESME_IMAGE);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: Unknown argument: --jsn (see --help)\n');
  });

  it('refuses a boolean given twice, in either form', async () => {
    for (const flags of [
      ['--json', '--json'],
      ['--signed', '--no-signed'],
    ]) {
      const run = await hanota('image', 'inspect', '--format', 'gbcs', ...flags, PPMID_IMAGE);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/given 2 times.*at most once allowed/);
    }
  });

  it('still takes repeatable options more than once', async () => {
    const run = await hanota(...exampleCampaignArgs(POLICY), '--json');
    expect(run.code).toBe(0); // --target twice
  });
});

describe('numeric options and shards', () => {
  it('refuses --workers 0', async () => {
    const run = await hanota(...exampleCampaignArgs(POLICY), '--workers', '0');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--workers: 0 is less than 1/);
  });

  it('refuses --shard when the policy has fewer buckets than shards, saying what to add', async () => {
    const run = await hanota(
      ...exampleCampaignArgs(POLICY),
      '--shard',
      '1/2',
      '--report',
      join(tmp, 'x.json'),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /--shard 1\/2: the policy .*example-policy\.yaml has 1 bucket\(s\).*add `buckets: 2`/,
    );
    expect(existsSync(join(tmp, 'x.json'))).toBe(false);
  });
});

describe('paths as the user gave them', () => {
  it('shows every scenario of hanota run A B by the path it was given', async () => {
    const a = relative(process.cwd(), join(SCENARIOS_DIR, 'esme-happy-path.yaml'));
    const b = relative(process.cwd(), join(SCENARIOS_DIR, 'hcalcs-happy-path.yaml'));
    const run = await hanota('run', a, b);
    expect(run.code).toBe(0);
    const rows = run.stdout.split('\n').filter((line) => /happy-path/.test(line));
    expect(rows.map((line) => line.split(/\s+/)[0])).toEqual([a, b]);
  });
});
