/**
 * The campaign's HTML report as a person would see it: headless Chromium (installed by `npm
 * test`; under CI=true its absence fails) loads the page, and the rendered document has the
 * title, four charts with marks in them, and the figures of the JSON report.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exampleCampaignArgs } from '../helpers/campaign.ts';
import { chromiumAvailable } from '../helpers/chromium.ts';
import { hanota } from '../helpers/cli.ts';
import { ROOT } from '../helpers/vectors.ts';

const available = chromiumAvailable('the HTML report test');

describe.skipIf(!available)('the campaign HTML report in a browser', () => {
  it('shows the title, four charts and the figures of the JSON report', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'hanota-html-'));
    const F = join(ROOT, 'fixtures');
    const run = await hanota(
      ...exampleCampaignArgs(join(F, 'example-policy.yaml')),
      '--mode',
      'both',
      '--report',
      join(tmp, 'report.json'),
      '--html',
      join(tmp, 'report.html'),
    );
    expect(run.code).toBe(1);
    const json = JSON.parse(readFileSync(join(tmp, 'report.json'), 'utf8'));
    const dom = execFileSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${join(tmp, 'profile')}`,
        '--dump-dom',
        `file://${join(tmp, 'report.html')}`,
      ],
      { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(dom).toMatch(/<title>hanota campaign report<\/title>/);
    const charts = [...dom.matchAll(/<figure class="chart"[^>]*>([\s\S]*?)<\/figure>/g)].map(
      (m) => m[1] as string,
    );
    expect(charts).toHaveLength(4);
    for (const chart of charts) {
      expect(chart).toMatch(/<svg/);
      expect(chart).toMatch(/<path|<rect/);
    }
    for (const mode of ['planned', 'direct'] as const) {
      const table =
        new RegExp(`<table class="figures" data-mode="${mode}">([\\s\\S]*?)</table>`).exec(dom)?.[1] ?? '';
      const figure = (name: string) => new RegExp(`data-figure="${name}">([^<]*)<`).exec(table)?.[1];
      expect(figure('devices')).toBe(String(json[mode].devices));
      expect(figure('on target')).toBe(String(json[mode].byStatus.onTarget));
      expect(figure('bricked')).toBe(String(json[mode].byStatus.bricked));
      expect(figure('quarantined by the threshold')).toBe(String(json[mode].adtQuarantined));
    }
  }, 120_000);
});
