/**
 * Phased rollouts in campaigns on the example estate: a canary group that errs halts a direct
 * campaign before it reaches the rest of the estate, every device and every day is accounted
 * for, small groups are warned about, and the device file comes as CSV or JSON Lines.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/campaign/policy.ts';
import type { CampaignReport } from '../../src/campaign/report.ts';
import {
  EXAMPLE,
  exampleCampaign,
  exampleCampaignArgs,
  FIXTURES,
  ROLLOUT_POLICY,
} from '../helpers/campaign.ts';
import { hanota } from '../helpers/cli.ts';

const F = FIXTURES;
const { estate } = EXAMPLE;
const ROLLOUT = ROLLOUT_POLICY;

const campaign = (mode: 'planned' | 'direct', policyText = ROLLOUT) =>
  exampleCampaign(mode, parsePolicy(policyText), 3);

function expectAccounted(report: CampaignReport): void {
  expect(Object.values(report.byStatus).reduce((a, b) => a + b, 0)).toBe(estate.length);
  for (const day of report.statusByDay)
    expect(day.scheduled + day.running + day.finished + day.error + day.notIncluded).toBe(estate.length);
  const last = report.statusByDay.at(-1);
  expect(last?.finished).toBe(report.byStatus.onTarget);
  expect(last?.scheduled).toBe(report.byStatus.notStarted);
  const inRollout = report.byGroup.reduce((n, g) => n + g.devices, 0);
  expect(inRollout).toBe(
    estate.length - report.byStatus.noPath - report.byStatus.skipped - (report.hopsHistogram['0'] ?? 0),
  );
}

describe('phased rollouts', () => {
  it('halts a direct campaign when its canary errs, and never starts the later groups', () => {
    const { report, outcomes } = campaign('direct');
    expect(report.halts).toHaveLength(1);
    expect(report.halts[0]?.group).toBe('canary');
    const canary = outcomes.filter((o) => o.group === 'canary');
    const later = outcomes.filter((o) => o.group === 'half' || o.group === 'rest');
    expect(canary.some((o) => ['bricked', 'degraded', 'refused'].includes(o.status))).toBe(true);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((o) => o.status === 'notStarted' && o.startedMs === undefined)).toBe(true);
    expect(later[0]?.reason).toMatch(/^rollout halted: group 'canary' had 1 of \d+ devices in error/);
    // Without the rollout, direct mode bricks devices the canary protects here.
    const unphased = campaign('direct', 'adt: { limit: 12, window: 1d }\nmaxDays: 30\n').report;
    expect(unphased.byStatus.bricked).toBeGreaterThan(report.byStatus.bricked);
    expectAccounted(report);
  });

  it('starts each group after the one before reached its threshold, and accounts for every device every day', () => {
    const { report, outcomes } = campaign('planned');
    const started = report.byGroup.map((g) => g.firstStartedMs);
    expect(started[0]).toBe(0);
    const canaryDone = Math.max(
      ...outcomes.filter((o) => o.group === 'canary').map((o) => o.onTargetMs ?? o.errorMs ?? 0),
    );
    expect(started[1]).toBe(canaryDone);
    expectAccounted(report);
  });

  it('warns about a group too small for its thresholds', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hanota-rollout-'));
    writeFileSync(join(tmp, 'policy.yaml'), ROLLOUT);
    const run = await hanota(
      ...exampleCampaignArgs(join(tmp, 'policy.yaml')),
      '--devices',
      join(tmp, 'devices.jsonl'),
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /warning: rollout group 'half' has \d+ devices: one error is [\d.]+%, over its 5% error threshold/,
    );
    const lines = readFileSync(join(tmp, 'devices.jsonl'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(estate.length);
    const first = JSON.parse(lines[0] as string);
    expect(first).toMatchObject({ mode: 'planned', deviceId: estate[0]?.deviceId, group: 'canary' });
  });

  it('runs the example rollout policy: planned mode reaches the estate, direct mode halts at the canary', () => {
    const text = readFileSync(join(F, 'example-rollout-policy.yaml'), 'utf8');
    const planned = campaign('planned', text).report;
    const direct = campaign('direct', text).report;
    expect(planned.halts).toEqual([]);
    expect(planned.byStatus.notStarted).toBe(0);
    expect(direct.halts.map((h) => h.group)).toEqual(['canary']);
    expectAccounted(planned);
    expectAccounted(direct);
  });

  it('refuses groups whose percentages add up to more than 100, naming the key', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hanota-rollout-'));
    writeFileSync(
      join(tmp, 'policy.yaml'),
      'rollout: { groups: [{ name: a, percent: 60, successThreshold: 90, errorThreshold: 5 }, { name: b, percent: 50, successThreshold: 90, errorThreshold: 5 }] }\n',
    );
    const run = await hanota(
      'campaign',
      '--estate',
      join(F, 'example-estate.csv'),
      '--catalog',
      join(F, 'example-model/catalog.csv'),
      '--target',
      'V130',
      '--policy',
      join(tmp, 'policy.yaml'),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/rollout\.groups: percentages add up to 110, over 100/);
  });
});
