/**
 * Campaign dry-runs on the example estate (fixtures/example-estate.csv: Volta ESMEs on V100,
 * V110, V120, V121 and V200 behind seven hubs): planned mode bricks nobody, direct mode bricks
 * exactly the devices the behaviour file predicts, every device is accounted for, work over the
 * threshold is quarantined and released, and the report repeats byte for byte.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBuckets } from '../../src/campaign/campaign.ts';
import { parsePolicy } from '../../src/campaign/policy.ts';
import { outcomeOf } from '../../src/pathways/behaviour.ts';
import { EXAMPLE, exampleCampaign, exampleCampaignArgs, FIXTURES } from '../helpers/campaign.ts';
import { hanota } from '../helpers/cli.ts';

const F = FIXTURES;
const { behaviour, estate } = EXAMPLE;
const policy = parsePolicy(readFileSync(join(F, 'example-policy.yaml'), 'utf8'));
const campaign = (mode: 'planned' | 'direct', seed = 1) => exampleCampaign(mode, policy, seed);

describe('campaigns on the example estate', () => {
  it('bricks no device in planned mode', () => {
    const { report } = campaign('planned');
    expect(report.byStatus.bricked + report.byStatus.degraded).toBe(0);
  });

  it('bricks in direct mode exactly the devices the behaviour file predicts', () => {
    const { outcomes } = campaign('direct');
    const predicted = estate
      .filter((d) => {
        const target = d.cplEntryId.startsWith('V2') ? 'V210' : 'V130';
        return d.cplEntryId !== target && outcomeOf(behaviour, target, d.cplEntryId)?.kind === 'brick';
      })
      .map((d) => d.deviceId)
      .sort();
    expect(predicted.length).toBeGreaterThan(0);
    expect(
      outcomes
        .filter((o) => o.status === 'bricked')
        .map((o) => o.deviceId)
        .sort(),
    ).toEqual(predicted);
  });

  it('accounts for every device, and quarantines work over the threshold without dropping it', () => {
    for (const mode of ['planned', 'direct'] as const) {
      const { report } = campaign(mode);
      expect(Object.values(report.byStatus).reduce((a, b) => a + b, 0)).toBe(estate.length);
      expect(report.adtQuarantined).toBeGreaterThan(0);
    }
    // A device short of its target says why: refused by its firmware, an image that did not fit in
    // its hub's memory, or (over a typical link) an
    // Image Notify lost to a device that does not poll; none is left without a reason.
    const { outcomes } = campaign('planned');
    const short = outcomes.filter((o) => o.status !== 'onTarget');
    expect(short.length).toBeGreaterThan(0);
    expect(
      short
        .map((o) => o.reason)
        .filter(
          (r) =>
            !/refused to run on|does not fit in hub memory|never fetched: its Image Notify was lost/.test(
              r ?? '',
            ),
        ),
    ).toEqual([]);
  });

  it('gives the same report for the same inputs and seed', () => {
    expect(JSON.stringify(campaign('planned', 7))).toBe(JSON.stringify(campaign('planned', 7)));
  });

  it('reports through the CLI with both modes side by side, exit 1 because direct mode bricks', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'hanota-campaign-')), 'campaign.json');
    const run = await hanota(
      ...exampleCampaignArgs(join(F, 'example-policy.yaml')),
      '--mode',
      'both',
      '--report',
      json,
    );
    expect(run.code).toBe(1);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.difference.bricked).toBe(6);
    expect(doc.planned.byStatus.bricked).toBe(0);
  });
});

describe('buckets handed out as workers free up', () => {
  const input = {
    estate: EXAMPLE.estate,
    catalog: EXAMPLE.catalog,
    targets: ['V130', 'V210'],
    images: new Map(),
    behaviours: new Map([['Volta', behaviour]]),
    policy: { ...policy, buckets: 6 },
    mode: 'planned' as const,
    seed: 1,
  };

  it('gives each bucket the same partial whichever worker claims it, in whatever order', () => {
    const all = runBuckets(input).partials;
    const handOut = (order: number[]) => () => order.shift();
    const a = runBuckets({ ...input, claim: handOut([5, 0, 3]) }).partials;
    const b = runBuckets({ ...input, claim: handOut([1, 4, 2]) }).partials;
    expect([...a, ...b].sort((x, y) => x.bucket - y.bucket)).toEqual(all);
  });

  it('lets a worker that claims nothing return no partials', () => {
    expect(runBuckets({ ...input, claim: () => undefined }).partials).toEqual([]);
  });
});

describe('campaigns in shards', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hanota-shards-'));
  const policy8 = join(tmp, 'policy.yaml');
  writeFileSync(
    policy8,
    [
      'concurrency: { perHub: 2 }',
      'adt: { limit: 12, window: 1d }',
      'activationWindow: { fromHour: 1, toHour: 5 }',
      'rollout: { groups: [{ name: canary, percent: 25, successThreshold: 50, errorThreshold: 50 }] }',
      'retry: { attempts: 2, backoff: 1h }',
      'buckets: 8',
      'maxDays: 30',
      '',
    ].join('\n'),
  );
  const args = [...exampleCampaignArgs(policy8), '--mode', 'both'];

  it('merges shards into a report byte-identical to the single run, in any order', async () => {
    await hanota(...args, '--report', join(tmp, 'full.json'));
    for (const k of [1, 2, 3])
      await hanota(...args, '--shard', `${k}/3`, '--report', join(tmp, `s${k}.json`));
    const merged = await hanota(
      'report',
      'merge',
      join(tmp, 's3.json'),
      join(tmp, 's1.json'),
      join(tmp, 's2.json'),
      '--report',
      join(tmp, 'merged.json'),
    );
    expect(merged.code).toBe(1); // direct mode bricks, as in the single run
    expect(readFileSync(join(tmp, 'merged.json'), 'utf8')).toBe(readFileSync(join(tmp, 'full.json'), 'utf8'));
  });

  it('refuses a merge with a shard missing, naming the shard', async () => {
    for (const k of [1, 2]) await hanota(...args, '--shard', `${k}/2`, '--report', join(tmp, `h${k}.json`));
    const run = await hanota('report', 'merge', join(tmp, 'h1.json'));
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/shard 2\/2 not given: a report needs all 2/);
  });

  it('gives the same report and device file on worker threads as on one', async () => {
    await hanota(...args, '--report', join(tmp, 'w1.json'), '--devices', join(tmp, 'w1.csv'));
    await hanota(
      ...args,
      '--workers',
      '3',
      '--report',
      join(tmp, 'w3.json'),
      '--devices',
      join(tmp, 'w3.csv'),
    );
    expect(readFileSync(join(tmp, 'w3.json'), 'utf8')).toBe(readFileSync(join(tmp, 'w1.json'), 'utf8'));
    expect(readFileSync(join(tmp, 'w3.csv'), 'utf8')).toBe(readFileSync(join(tmp, 'w1.csv'), 'utf8'));
  });
});
