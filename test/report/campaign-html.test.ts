/**
 * The campaign's HTML report as a rollout manager would see it: headless Chromium (installed by
 * `npm test`; under CI=true its absence fails) opens the page at a laptop's width (800 px) and a
 * projector's (1600 px); every figure on it is matched against the JSON report of the same run,
 * and every bar and point of every chart, read from the label Vega gives each mark for screen readers;
 * the page never scrolls sideways, no chart label is cut, and every axis label is a whole number.
 * A screenshot of each width goes to `out/report-page/`. Two campaigns: planned against direct with
 * a phased rollout that halts, with failures and retries; and the same campaign run as two shards
 * and merged by `hanota report merge --html`, whose page is the unsharded run's, byte for byte.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CampaignReport, DayStatus, DeviceStatus } from '../../src/campaign/report.ts';
import { percent, SUMMARY } from '../../src/report/campaign-html.ts';
import { exampleCampaignArgs, ROLLOUT_POLICY } from '../helpers/campaign.ts';
import { chromiumAvailable } from '../helpers/chromium.ts';
import { hanota } from '../helpers/cli.ts';
import { ROOT } from '../helpers/vectors.ts';

const available = chromiumAvailable('the HTML report test');

/** Screenshots of the pages, kept after the run. */
const SHOTS = join(ROOT, 'out', 'report-page');

/** A phased rollout whose canary halts the direct campaign; retries; two buckets (for two shards). */
const POLICY = `${ROLLOUT_POLICY}buckets: 2\n`;

/** Measures the page as Chromium lays it out, into attributes of `<html>` (on a copy of the page). */
const MEASURE = `<script>
const d = document.documentElement;
d.dataset.scrollWidth = String(d.scrollWidth);
d.dataset.innerWidth = String(window.innerWidth);
d.dataset.cut = String([...document.querySelectorAll('svg text')].filter((t) => t.textContent.endsWith('…')).length);
d.dataset.axisLabels = JSON.stringify([...document.querySelectorAll('svg .role-axis-label text')].map((t) => t.textContent));
d.dataset.wideCharts = String([...document.querySelectorAll('figure.chart svg')].filter((s) => s.getBoundingClientRect().right > window.innerWidth + 0.5).length);
</script>`;

function chromium(tmp: string, width: number, args: string[]): string {
  return execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--user-data-dir=${join(tmp, 'profile')}`,
      `--window-size=${width},5000`,
      ...args,
    ],
    { encoding: 'utf8', timeout: 90_000, stdio: ['ignore', 'pipe', 'ignore'] },
  );
}

/** The page as Chromium renders it at `width`, measured; a screenshot saved as `name`. */
function open(
  tmp: string,
  page: string,
  width: number,
  name: string,
): { dom: string; measured: Record<string, string> } {
  const measuredCopy = join(tmp, `measured-${width}.html`);
  writeFileSync(measuredCopy, readFileSync(page, 'utf8').replace('</body>', `${MEASURE}</body>`));
  const dom = chromium(tmp, width, ['--dump-dom', `file://${measuredCopy}`]);
  mkdirSync(SHOTS, { recursive: true });
  chromium(tmp, width, [`--screenshot=${join(SHOTS, `${name}-${width}.png`)}`, `file://${page}`]);
  const html = /<html([^>]*)>/.exec(dom)?.[1] ?? '';
  const measured = Object.fromEntries(
    [...html.matchAll(/data-([a-z-]+)="([^"]*)"/g)].map((m) => [
      m[1] as string,
      (m[2] as string).replace(/&quot;/g, '"'),
    ]),
  );
  return { dom, measured };
}

const unescapeHtml = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');

/** Each mark (bar, point) of a chart as its label reads: what each field's title says, by title. */
function marks(svg: string): Record<string, string>[] {
  return [
    ...svg.matchAll(/aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="(?:bar|point)"/g),
  ].map((m) =>
    Object.fromEntries(
      unescapeHtml(m[1] as string)
        .split('; ')
        .map((kv) => [kv.slice(0, kv.indexOf(': ')), kv.slice(kv.indexOf(': ') + 2)]),
    ),
  );
}

/** A count as a chart's label writes it. */
const count = (text: string | undefined) => Number((text ?? 'NaN').replace(/,/g, ''));

/** The report's day states, by the names a reader of the chart sees (hawkBit's). */
const STATE_OF: Record<string, keyof DayStatus> = {
  'finished (on target)': 'finished',
  error: 'error',
  running: 'running',
  'scheduled (group not started)': 'scheduled',
  'not included (no path or target)': 'notIncluded',
};

/** Rows sorted, so that two lists of chart points compare whatever order the marks come in. */
const sorted = (rows: (string | number)[][]) => rows.map((r) => JSON.stringify(r)).sort();

/** Every bar of a state chart against the report's state at the end of each day. */
function expectStateChart(svg: string, series: readonly DayStatus[], what: string): void {
  const seen = marks(svg).map((m) => [
    count(m['end of simulated day']),
    STATE_OF[m.state as string] ?? `unknown state ${m.state}`,
    count(m.devices),
  ]);
  const expected = series.flatMap((day, d) => Object.values(STATE_OF).map((key) => [d + 1, key, day[key]]));
  expect(sorted(seen), `${what}: each day's bars`).toEqual(sorted(expected));
}

/** Every mark of a per-day chart against `series` (named by the chart's legend when it has several). */
function expectDayChart(
  svg: string,
  valueTitle: string,
  series: Record<string, readonly number[]>,
  what: string,
): void {
  const names = Object.keys(series);
  const seen = marks(svg).map((m) => [
    names.length > 1 ? (m.series ?? '') : (names[0] as string),
    count(m['simulated day']),
    count(m[valueTitle]),
  ]);
  const expected = Object.entries(series).flatMap(([name, s]) => s.map((n, d) => [name, d + 1, n]));
  expect(sorted(seen), `${what}: each day's marks`).toEqual(sorted(expected));
}

/** The text of the element carrying `data-figure="name"` in `html`. */
function figure(html: string, name: string): string | undefined {
  const m = new RegExp(
    `data-figure="${name.replace(/\./g, '\\.')}"[^>]*>([\\s\\S]*?)</(td|span|b|a|p)>`,
  ).exec(html);
  return m ? unescapeHtml((m[1] as string).replace(/<[^>]+>/g, '')) : undefined;
}

/** Checks the page against the report document it was made from. */
function expectFigures(dom: string, doc: Record<string, unknown>): void {
  const inputs = doc.inputs as Record<string, unknown> & { files: Record<string, unknown> };
  expect(figure(dom, 'estate.file')).toBe(inputs.files.estate);
  expect(figure(dom, 'estate.sha256')).toBe(inputs.estate);
  expect(figure(dom, 'catalog.sha256')).toBe(inputs.catalog);
  expect(figure(dom, 'policy.sha256')).toBe(inputs.policy);
  expect(figure(dom, 'targets')).toBe((inputs.targets as string[]).join(', '));
  expect(figure(dom, 'seed')).toBe(String(doc.seed));
  expect(figure(dom, 'policySettings')).toBe(
    Object.entries(inputs.policySettings as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join('; '),
  );
  const reports = ('planned' in doc ? [doc.planned, doc.direct] : [doc]) as CampaignReport[];
  for (const r of reports) {
    const section = new RegExp(`<section class="mode" data-mode="${r.mode}">([\\s\\S]*?)</section>`).exec(
      dom,
    )?.[1];
    expect(section, `a section for ${r.mode}`).toBeDefined();
    const s = section as string;
    expect(figure(s, 'devices')).toBe(String(r.devices));
    for (const row of SUMMARY) {
      const n = row.statuses.reduce((sum, k) => sum + r.byStatus[k], 0);
      expect(figure(s, `${row.figure}.count`), `${r.mode} ${row.figure}`).toBe(String(n));
      expect(figure(s, `${row.figure}.percent`)).toBe(percent(n, r.devices));
    }
    // Every device is in exactly one line of the summary.
    expect(SUMMARY.flatMap((row) => row.statuses).sort()).toEqual(Object.keys(r.byStatus).sort());
    expect(figure(s, 'retries')).toBe(String(r.retries));
    expect(figure(s, 'quarantined')).toBe(String(r.adtQuarantined));
    expect(figure(s, 'memory')).toBe(`${r.hubMemoryPeakBlocks} / ${r.hubMemoryBlocks}`);
    expect(figure(s, 'downloadsPeak')).toBe(String(r.downloadsPeak));
    for (const g of r.byGroup) {
      const row = new RegExp(`<tr data-group="${g.name}">([\\s\\S]*?)</tr>`).exec(s)?.[1] as string;
      const sum = (statuses: readonly DeviceStatus[]) => statuses.reduce((n, k) => n + g.byStatus[k], 0);
      expect(figure(row, 'devices')).toBe(String(g.devices));
      const [onTarget, failed, pending] = SUMMARY.map((x) => sum(x.statuses)) as number[];
      expect(figure(row, 'onTarget')).toBe(`${onTarget} (${percent(onTarget as number, g.devices)})`);
      expect(figure(row, 'failed')).toBe(`${failed} (${percent(failed as number, g.devices)})`);
      expect(figure(row, 'pending')).toBe(`${pending} (${percent(pending as number, g.devices)})`);
    }
    expect([...s.matchAll(/data-halt="(\d+)"/g)].map((m) => Number(m[1]))).toEqual(
      r.halts.map((h) => h.bucket),
    );
    expect(
      [...s.matchAll(/<li data-warning[^>]*>([^<]*)</g)].map((m) => unescapeHtml(m[1] as string)),
    ).toEqual(r.warnings);
    const failures = [...s.matchAll(/<tr data-failure[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => m[1] as string);
    expect(failures).toHaveLength(r.failures.length);
    r.failures.forEach((f, k) => {
      const row = failures[k] as string;
      expect(figure(row, 'status')).toBe(f.status);
      expect(figure(row, 'reason')).toBe(f.reason || '—');
      expect(figure(row, 'model')).toBe(f.model);
      expect(figure(row, 'hardwareVersion')).toBe(f.hardwareVersion);
      expect(figure(row, 'devices')).toBe(String(f.devices));
      expect([...row.matchAll(/data-device="([0-9a-f]+)"/g)].map((m) => m[1])).toEqual(
        f.first.map((d) => d.deviceId),
      );
    });
    // The charts: the state over time, one per group, then retries, memory and downloads; each drawn.
    const charts = [...s.matchAll(/<figure class="chart" data-chart="([^"]+)">([\s\S]*?)<\/figure>/g)];
    expect(charts.map((c) => c[1])).toEqual([
      'state',
      ...r.byGroup.map((_, k) => `group-${k}`),
      'retries',
      'memory',
      'downloads',
    ]);
    // Each chart point by point, read from its marks' labels as a screen reader would, against the JSON.
    const svgOf = (name: string) => charts.find((c) => c[1] === name)?.[2] as string;
    expectStateChart(svgOf('state'), r.statusByDay, `${r.mode} state`);
    r.byGroup.forEach((g, k) => {
      expectStateChart(svgOf(`group-${k}`), g.statusByDay, `${r.mode} group ${g.name}`);
    });
    expectDayChart(
      svgOf('retries'),
      'distributions',
      { 'distributions retried': r.retriesByDay, 'quarantined by the threshold': r.quarantinedByDay },
      `${r.mode} retries`,
    );
    expectDayChart(svgOf('memory'), 'blocks', { memory: r.memoryByDay }, `${r.mode} memory`);
    expectDayChart(svgOf('downloads'), 'downloads', { downloads: r.downloadsByDay }, `${r.mode} downloads`);
  }
}

/** Opens the page at both widths and checks its layout and figures against `doc`. */
function expectPage(tmp: string, page: string, doc: Record<string, unknown>, name: string): void {
  for (const width of [800, 1600]) {
    const { dom, measured } = open(tmp, page, width, name);
    expect(dom).toMatch(/<title>hanota campaign report<\/title>/);
    expect(Number(measured['scroll-width']), `${name} at ${width} px scrolls sideways`).toBeLessThanOrEqual(
      Number(measured['inner-width']),
    );
    expect(measured['wide-charts'], `${name} at ${width} px: a chart wider than the window`).toBe('0');
    expect(measured.cut, `${name} at ${width} px: a label cut short`).toBe('0');
    const labels = JSON.parse(measured['axis-labels'] ?? '[]') as string[];
    expect(labels.length).toBeGreaterThan(0);
    for (const label of labels) expect(label, 'an axis label that is not a whole number').toMatch(/^\d+$/);
    expectFigures(dom, doc);
  }
}

describe.skipIf(!available)('the campaign HTML report in a browser', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hanota-html-'));
  const policy = join(tmp, 'rollout.yaml');
  writeFileSync(policy, POLICY);

  it('shows a planned-against-direct phased campaign, every figure as the JSON has it, at 800 and 1600 px', async () => {
    const run = await hanota(
      ...exampleCampaignArgs(policy),
      '--mode',
      'both',
      '--report',
      join(tmp, 'both.json'),
      '--devices',
      join(tmp, 'dev #1.csv'),
      '--html',
      join(tmp, 'both.html'),
    );
    expect(run.code).toBeLessThanOrEqual(1);
    const doc = JSON.parse(readFileSync(join(tmp, 'both.json'), 'utf8'));
    // The campaign this page is for: a halt, failures, retries and warnings to show.
    expect(doc.direct.halts.length).toBeGreaterThan(0);
    expect(doc.planned.failures.length + doc.direct.failures.length).toBeGreaterThan(0);
    expect(doc.planned.warnings.length).toBeGreaterThan(0);
    const page = join(tmp, 'both.html');
    expectPage(tmp, page, doc, 'planned-vs-direct');
    const html = readFileSync(page, 'utf8');
    // direct − planned: how many more the direct campaign bricks.
    expect(figure(html, 'difference.bricked')).toBe(
      String(doc.direct.byStatus.bricked - doc.planned.byStatus.bricked),
    );
    // The device file, linked so that a `#` in its name is part of the name.
    expect(figure(html, 'devicesLink')).toBe('dev #1.csv');
    expect(html).toContain('href="./dev%20%231.csv"');
    // One self-contained file: nothing to run, nothing to fetch.
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
  }, 240_000);

  it('gives a merged sharded campaign the unsharded run’s page, byte for byte', async () => {
    const args = exampleCampaignArgs(policy);
    const single = await hanota(
      ...args,
      '--mode',
      'both',
      '--html',
      join(tmp, 'single.html'),
      '--report',
      join(tmp, 'single.json'),
    );
    expect(single.code).toBeLessThanOrEqual(1);
    for (const k of [1, 2]) {
      const shard = await hanota(
        ...args,
        '--mode',
        'both',
        '--shard',
        `${k}/2`,
        '--report',
        join(tmp, `shard-${k}.json`),
      );
      expect(shard.code).toBeLessThanOrEqual(1);
    }
    const merged = await hanota(
      'report',
      'merge',
      // In any order: the merged report and page do not depend on it.
      join(tmp, 'shard-2.json'),
      join(tmp, 'shard-1.json'),
      '--report',
      join(tmp, 'merged.json'),
      '--html',
      join(tmp, 'merged.html'),
    );
    expect(merged.stderr).toBe('');
    expect(readFileSync(join(tmp, 'merged.json'), 'utf8')).toBe(
      readFileSync(join(tmp, 'single.json'), 'utf8'),
    );
    expect(readFileSync(join(tmp, 'merged.html'), 'utf8')).toBe(
      readFileSync(join(tmp, 'single.html'), 'utf8'),
    );
    expectPage(
      tmp,
      join(tmp, 'merged.html'),
      JSON.parse(readFileSync(join(tmp, 'merged.json'), 'utf8')),
      'merged-shards',
    );
  }, 240_000);
});
