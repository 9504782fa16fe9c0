/**
 * A campaign report as one self-contained HTML page for a rollout meeting: what the campaign ran
 * on (files and their SHA-256, targets, seed), then for each mode the devices on target, failed
 * and pending as counts and percentages, the rollout's state over time (stacked, hawkBit's states)
 * with its halts, each phased-rollout group's progress, halts and warnings, the kinds of failure
 * by reason, model and hardware version with the first devices of each, retries and quarantines
 * per day, hub memory against its capacity, and downloads in flight. Charts are Vega-Lite
 * rendered to static SVG that scales with the page: no scripts, no fetches, the same page
 * wherever it is opened. Every figure carries a `data-figure` attribute naming it.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CampaignReport, DayStatus, DeviceStatus } from '../campaign/report.ts';
import type { CampaignDocument } from '../campaign/report-document.ts';
import { HanotaError } from '../errors/errors.ts';

type Charting = { vega: typeof import('vega'); compile: typeof import('vega-lite').compile };
let charting: Promise<Charting> | undefined;

/**
 * Loads Vega and Vega-Lite, optional peer dependencies of the package: only this page needs
 * them. Throws a `HanotaError` (`MISSING_OPTIONAL_PACKAGE`) saying what to install when they are
 * not there; callers call it before any work so that a missing package costs no run.
 */
export function loadCharting(): Promise<Charting> {
  charting ??= Promise.all([import('vega'), import('vega-lite')]).then(
    ([vega, vegaLite]) => ({ vega, compile: vegaLite.compile }),
    (error: unknown) => {
      charting = undefined;
      const code = (error as { code?: string }).code;
      if (code !== 'ERR_MODULE_NOT_FOUND') throw error;
      throw new HanotaError(
        'MISSING_OPTIONAL_PACKAGE',
        'the HTML report needs the optional packages vega and vega-lite: npm install vega@6 vega-lite@6.4 (vega-lite 6.5 and later need Node 22)',
      );
    },
  );
  return charting;
}

/** Where the page is written and the device file it may link to. */
export interface CampaignPageOptions {
  /** The per-device CSV of the same run, as a link relative to the page. */
  readonly devicesLink?: string;
}

/**
 * A relative path as a link: each segment percent-encoded (a `#`, `?` or `:` in a name stays part
 * of it), and `./` in front so that nothing before a colon reads as a URL scheme.
 */
export function relativeHref(path: string): string {
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return encoded.startsWith('../') ? encoded : `./${encoded}`;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A Vega-Lite spec as static SVG, scaled by the page (its fixed size dropped for its view box). */
async function svg(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await loadCharting();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const text = await view.toSVG();
    return text.replace(/^<svg([^>]*?) width="([\d.]+)" height="([\d.]+)"/, (_, attrs, w, h) =>
      attrs.includes('viewBox')
        ? `<svg${attrs} width="${w}" height="${h}"`
        : `<svg${attrs} width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"`,
    );
  } finally {
    view.finalize();
  }
}

/** Chart size before the page scales it. */
const WIDTH = 640;
const HEIGHT = 240;
/** Axis settings of a count: whole numbers only, ticks at least one apart. */
const COUNT_AXIS = { format: 'd', tickMinStep: 1 } as const;
/** Everything else on every chart: labels never cut. */
const CONFIG = {
  axis: { labelLimit: 0, titleLimit: 0 },
  // Below the plot, so that a narrow page gives the plot its width.
  legend: { labelLimit: 0, titleLimit: 0, orient: 'bottom', columns: 3 },
  font: 'system-ui, sans-serif',
} as const;

/** The states of hawkBit's rollouts, in the stacking order (bottom first), with their colours. */
const STATES: readonly { key: keyof DayStatus; label: string; color: string }[] = [
  { key: 'finished', label: 'finished (on target)', color: '#2e7d32' },
  { key: 'error', label: 'error', color: '#c62828' },
  { key: 'running', label: 'running', color: '#1565c0' },
  { key: 'scheduled', label: 'scheduled (group not started)', color: '#9e9e9e' },
  { key: 'notIncluded', label: 'not included (no path or target)', color: '#d7ccc8' },
];

/** The page's summary of a mode: devices by where they ended. */
export const SUMMARY: readonly { figure: string; label: string; statuses: readonly DeviceStatus[] }[] = [
  { figure: 'onTarget', label: 'on target', statuses: ['onTarget'] },
  {
    figure: 'failed',
    label: 'failed (bricked, degraded, refused, gave up)',
    statuses: ['bricked', 'degraded', 'refused', 'failed'],
  },
  {
    figure: 'pending',
    label: 'pending (not there when the run ended)',
    statuses: ['notReached', 'notStarted'],
  },
  {
    figure: 'notIncluded',
    label: 'not included (no path, no target, not a HAN device)',
    statuses: ['noPath', 'skipped'],
  },
];

/** `n` of `total` as a percentage with one decimal. */
export function percent(n: number, total: number): string {
  return total === 0 ? '0.0%' : `${((100 * n) / total).toFixed(1)}%`;
}

const dayOfMs = (ms: number) => Math.floor(ms / 86_400_000) + 1;

function hours(ms: number | null): string {
  return ms === null ? 'never' : `${(ms / 3_600_000).toFixed(1)} h (day ${dayOfMs(ms)})`;
}

/** What every chart of the page shares: its size before the page scales it, its title, its settings. */
function frame(title: string) {
  return { width: WIDTH, height: HEIGHT, title, config: CONFIG } as const;
}

/** Axis settings of days as categories: labels that would overlap are thinned, never cut. */
const DAY_AXIS = { labelOverlap: 'parity', labelAngle: 0 } as const;

/**
 * A stacked bar per day of the states at its end, with a rule at each halt. Bars rather than an
 * area: each is one day's count as the report has it (an area's path says only its first), and a
 * reader or a test can read every one from its label.
 */
function stateSpec(series: readonly DayStatus[], halts: readonly number[], title: string): TopLevelSpec {
  const values = series.flatMap((day, d) =>
    STATES.map((s, order) => ({ day: d + 1, state: s.label, order, devices: day[s.key] })),
  );
  return {
    ...frame(title),
    layer: [
      {
        data: { values },
        mark: 'bar',
        encoding: {
          x: { field: 'day', type: 'ordinal', title: 'end of simulated day', axis: DAY_AXIS },
          y: { field: 'devices', type: 'quantitative', stack: 'zero', title: 'devices', axis: COUNT_AXIS },
          color: {
            field: 'state',
            type: 'nominal',
            title: 'state',
            scale: { domain: STATES.map((s) => s.label), range: STATES.map((s) => s.color) },
          },
          order: { field: 'order', type: 'quantitative' },
        },
      },
      ...(halts.length > 0
        ? [
            {
              data: { values: halts.map((day) => ({ day, label: `halt, day ${day}` })) },
              mark: { type: 'rule' as const, color: '#000', strokeDash: [4, 3], strokeWidth: 2 },
              encoding: { x: { field: 'day', type: 'ordinal' as const } },
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
}

/** Bars per day of two series side by side. */
function perDaySpec(series: Record<string, readonly number[]>, title: string, yTitle: string): TopLevelSpec {
  const values = Object.entries(series).flatMap(([name, s]) =>
    s.map((n, d) => ({ day: d + 1, series: name, n })),
  );
  return {
    ...frame(title),
    data: { values },
    mark: 'bar',
    encoding: {
      x: { field: 'day', type: 'ordinal', title: 'simulated day', axis: DAY_AXIS },
      xOffset: { field: 'series' },
      y: { field: 'n', type: 'quantitative', title: yTitle, axis: COUNT_AXIS },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
}

/** A line per day, with a rule at a limit. */
function lineSpec(
  series: readonly number[],
  title: string,
  yTitle: string,
  limit?: { value: number; label: string },
): TopLevelSpec {
  const values = series.map((n, d) => ({ day: d + 1, n }));
  return {
    ...frame(title),
    layer: [
      {
        data: { values },
        mark: { type: 'line', interpolate: 'step-after', point: true },
        encoding: {
          x: { field: 'day', type: 'quantitative', title: 'simulated day', axis: COUNT_AXIS },
          y: {
            field: 'n',
            type: 'quantitative',
            title: yTitle,
            axis: COUNT_AXIS,
            ...(limit && { scale: { domainMax: limit.value } }),
          },
        },
      },
      ...(limit
        ? [
            {
              data: { values: [{ n: limit.value, label: limit.label }] },
              mark: { type: 'rule' as const, color: '#c62828', strokeDash: [6, 3] },
              encoding: { y: { field: 'n', type: 'quantitative' as const } },
            },
            {
              data: { values: [{ n: limit.value, label: limit.label }] },
              mark: { type: 'text' as const, align: 'left' as const, dx: 4, dy: -6, color: '#c62828' },
              encoding: {
                y: { field: 'n', type: 'quantitative' as const },
                x: { value: 0 },
                text: { field: 'label', type: 'nominal' as const },
              },
            },
          ]
        : []),
    ],
  } as TopLevelSpec;
}

/** A figure: a value carrying its name. */
function fig(name: string, value: string | number, tag = 'td'): string {
  return `<${tag} data-figure="${escapeHtml(name)}">${escapeHtml(String(value))}</${tag}>`;
}

/** One mode's section. */
async function modeSection(r: CampaignReport, options: CampaignPageOptions): Promise<string> {
  const haltDays = [...new Set(r.halts.map((h) => dayOfMs(h.atMs)))].sort((a, b) => a - b);
  const summary = SUMMARY.map((s) => {
    const n = s.statuses.reduce((sum, k) => sum + r.byStatus[k], 0);
    return `<tr data-row="${s.figure}"><th>${escapeHtml(s.label)}</th>${fig(`${s.figure}.count`, n)}${fig(`${s.figure}.percent`, percent(n, r.devices))}</tr>`;
  }).join('');
  const charts: [string, TopLevelSpec][] = [
    ['state', stateSpec(r.statusByDay, haltDays, 'Rollout state at the end of each day (all devices)')],
    ...r.byGroup.map((g, k): [string, TopLevelSpec] => [
      `group-${k}`,
      stateSpec(
        g.statusByDay,
        [...new Set(r.halts.filter((h) => h.group === g.name).map((h) => dayOfMs(h.atMs)))],
        `Group ${g.name}: rollout state at the end of each day`,
      ),
    ]),
    [
      'retries',
      perDaySpec(
        { 'distributions retried': r.retriesByDay, 'quarantined by the threshold': r.quarantinedByDay },
        'Retries and quarantines per day',
        'distributions',
      ),
    ],
    [
      'memory',
      lineSpec(r.memoryByDay, 'Hub memory in use (the fullest hub, per day)', 'blocks', {
        value: r.hubMemoryBlocks,
        label: `capacity ${r.hubMemoryBlocks} blocks`,
      }),
    ],
    [
      'downloads',
      lineSpec(
        r.downloadsByDay,
        'Downloads in flight (the most at once each day, summed over buckets)',
        'downloads',
      ),
    ],
  ];
  const rendered = await Promise.all(charts.map(([, spec]) => svg(spec)));
  const groups =
    r.byGroup.length === 0
      ? ''
      : `<h3>Groups of the phased rollout</h3>
<div class="wide"><table class="groups"><thead><tr><th>group</th><th>devices</th><th>on target</th><th>failed</th><th>pending</th><th>first started</th></tr></thead><tbody>${r.byGroup
          .map((g) => {
            const sum = (statuses: readonly DeviceStatus[]) =>
              statuses.reduce((n, k) => n + g.byStatus[k], 0);
            const [onTarget, failed, pending] = SUMMARY.map((s) => sum(s.statuses));
            return `<tr data-group="${escapeHtml(g.name)}"><th>${escapeHtml(g.name)}</th>${fig('devices', g.devices)}${fig('onTarget', `${onTarget} (${percent(onTarget as number, g.devices)})`)}${fig('failed', `${failed} (${percent(failed as number, g.devices)})`)}${fig('pending', `${pending} (${percent(pending as number, g.devices)})`)}${fig('firstStarted', g.firstStartedMs === null ? 'never' : hours(g.firstStartedMs))}</tr>`;
          })
          .join('')}</tbody></table></div>`;
  const halts =
    r.halts.length === 0 && r.warnings.length === 0
      ? '<p class="none" data-figure="halts">No halts and no warnings.</p>'
      : `<ul class="halts">${r.halts
          .map(
            (h) =>
              `<li data-halt="${h.bucket}">Halt in bucket ${h.bucket}: group <b>${escapeHtml(h.group)}</b> stopped the rollout at ${escapeHtml(hours(h.atMs))}, ${h.errors} errors in ${h.devices} devices.</li>`,
          )
          .join('')}${r.warnings.map((w) => `<li data-warning>${escapeHtml(w)}</li>`).join('')}</ul>`;
  const failures =
    r.failures.length === 0
      ? '<p class="none" data-figure="failures">Every device reached its target.</p>'
      : `<div class="wide"><table class="failures"><thead><tr><th>status</th><th>reason</th><th>model</th><th>hardware</th><th>devices</th><th>first devices (hub)</th></tr></thead><tbody>${r.failures
          .map(
            (f) =>
              `<tr data-failure>${fig('status', f.status)}${fig('reason', f.reason || '—')}${fig('model', f.model)}${fig('hardwareVersion', f.hardwareVersion)}${fig('devices', f.devices)}<td data-figure="first">${f.first
                .map(
                  (d) =>
                    `<code data-device="${escapeHtml(d.deviceId)}">${escapeHtml(d.deviceId)}</code> (${escapeHtml(d.hubId)}${d.errorMs === null ? '' : `, day ${dayOfMs(d.errorMs)}`})`,
                )
                .join(', ')}${f.devices > f.first.length ? ', …' : ''}</td></tr>`,
          )
          .join('')}</tbody></table></div>${
          options.devicesLink
            ? `<p>Every device, one line each: <a href="${escapeHtml(relativeHref(options.devicesLink))}" data-figure="devicesLink">${escapeHtml(options.devicesLink)}</a>.</p>`
            : ''
        }`;
  const figure = (k: number) =>
    `<figure class="chart" data-chart="${charts[k]?.[0]}">${rendered[k]}</figure>`;
  return `<section class="mode" data-mode="${r.mode}">
<h2>${r.mode === 'planned' ? 'Planned: along the declared pathways' : 'Direct: straight to the target'}</h2>
<div class="cols">
<table class="summary"><caption>${fig('devices', r.devices, 'span')} devices</caption><tbody>${summary}</tbody></table>
<table class="summary"><tbody>
<tr><th>50% / 90% / 100% on target at</th>${fig('timeToTarget', `${hours(r.timeToTargetMs.p50)} / ${hours(r.timeToTargetMs.p90)} / ${hours(r.timeToTargetMs.p100)}`)}</tr>
<tr><th>distributions retried</th>${fig('retries', r.retries)}</tr>
<tr><th>quarantined by the threshold</th>${fig('quarantined', r.adtQuarantined)}</tr>
<tr><th>hub memory peak / capacity, blocks</th>${fig('memory', `${r.hubMemoryPeakBlocks} / ${r.hubMemoryBlocks}`)}</tr>
<tr><th>downloads at once on one hub, at most</th>${fig('downloadsPeak', r.downloadsPeak)}</tr>
<tr><th>simulated days</th>${fig('days', (r.simulatedMs / 86_400_000).toFixed(1))}</tr>
</tbody></table>
</div>
<h3>Rollout state over time</h3>
<div class="charts">${figure(0)}</div>
${groups}
${r.byGroup.length > 0 ? `<div class="charts">${r.byGroup.map((_, k) => figure(1 + k)).join('')}</div>` : ''}
<h3>Halts and warnings</h3>
${halts}
<h3>Devices not on target, by kind</h3>
${failures}
<h3>Retries, quarantines, memory and downloads</h3>
<div class="charts">${[0, 1, 2].map((k) => figure(1 + r.byGroup.length + k)).join('')}</div>
</section>`;
}

/** The inputs table. */
function inputsTable(doc: CampaignDocument): string {
  const { inputs } = doc;
  const { files } = inputs;
  const row = (name: string, file: string | null, digest: string | null | undefined) =>
    `<tr data-input="${name}"><th>${name}</th>${fig(`${name}.file`, file ?? '—')}<td data-figure="${name}.sha256"><code>${escapeHtml(digest ?? '—')}</code></td></tr>`;
  return `<div class="wide"><table class="inputs"><thead><tr><th>input</th><th>file</th><th>SHA-256</th></tr></thead><tbody>
${row('estate', files.estate, inputs.estate)}
${row('catalog', files.catalog, inputs.catalog)}
${row('policy', files.policy, inputs.policy)}
${
  inputs.policySettings
    ? `<tr><th>policy settings</th><td colspan="2" data-figure="policySettings">${Object.entries(
        inputs.policySettings,
      )
        .map(([k, v]) => `<code>${escapeHtml(k)}: ${escapeHtml(JSON.stringify(v))}</code>`)
        .join('; ')}</td></tr>`
    : ''
}
${files.behaviours.length > 0 ? `<tr data-input="behaviours"><th>behaviours</th>${fig('behaviours.file', files.behaviours.join(', '))}<td data-figure="behaviours.sha256"><code>${escapeHtml(inputs.behaviours.join(' '))}</code></td></tr>` : ''}
${files.library !== null ? row('library', files.library, inputs.library) : ''}
<tr><th>targets</th><td colspan="2" data-figure="targets">${escapeHtml(inputs.targets.join(', '))}</td></tr>
<tr><th>mode</th><td colspan="2" data-figure="mode">${escapeHtml(inputs.mode)}</td></tr>
<tr><th>seed</th><td colspan="2" data-figure="seed">${doc.seed}</td></tr>
</tbody></table></div>`;
}

/** The HTML page of a campaign's report document (one mode, or both side by side). */
export async function campaignHtml(
  doc: CampaignDocument,
  options: CampaignPageOptions = {},
): Promise<string> {
  const reports: CampaignReport[] = 'planned' in doc ? [doc.planned, doc.direct] : [doc];
  const sections = await Promise.all(reports.map((r) => modeSection(r, options)));
  const difference =
    'difference' in doc
      ? `<p class="difference">Following the declared pathways instead of going straight to the target: ${fig('difference.bricked', doc.difference.bricked, 'b')} fewer devices bricked, ${fig('difference.siteVisitsAvoided', doc.difference.siteVisitsAvoided, 'b')} site visits avoided.</p>`
      : '';
  const title = 'hanota campaign report';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 1.5rem clamp(0.75rem, 3vw, 3rem); color: #222; max-width: 2200px; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0 0 0.5rem; } h2 { font-size: 1.35rem; margin-top: 2.5rem; border-bottom: 2px solid #ddd; }
h3 { font-size: 1.1rem; margin-top: 1.75rem; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 0.2rem 0.75rem 0.2rem 0; vertical-align: top; }
td[data-figure] { font-variant-numeric: tabular-nums; }
thead th { border-bottom: 1px solid #ccc; }
tbody tr + tr { border-top: 1px solid #eee; }
caption { text-align: left; font-weight: 600; }
code { font-size: 0.85em; overflow-wrap: anywhere; }
.wide { max-width: 100%; overflow-x: auto; }
.inputs td { overflow-wrap: anywhere; }
.cols { display: flex; flex-wrap: wrap; gap: 1rem 3rem; }
.summary td { text-align: right; }
.failures td[data-figure="first"] { min-width: 16rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 640px), 1fr)); gap: 1.5rem; }
figure.chart { margin: 0; min-width: 0; max-width: 1100px; }
figure.chart svg { width: 100%; height: auto; max-width: 100%; display: block; }
.difference { font-size: 1.1rem; }
</style>
</head>
<body>
<h1>${title}</h1>
<p>Seed ${doc.seed}; ${reports.map((r) => `${r.mode}: ${r.devices} devices over ${(r.simulatedMs / 86_400_000).toFixed(1)} simulated days`).join('; ')}.</p>
<h2>Inputs</h2>
${inputsTable(doc)}
${difference}
${sections.join('\n')}
</body>
</html>
`;
}
