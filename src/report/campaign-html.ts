/**
 * A campaign report as one self-contained HTML page: the key figures, and four charts rendered
 * with Vega-Lite to static SVG (devices on target over time per mode, failures by reason, the
 * fullest hub's memory per day, distributions quarantined per day). No scripts, no fetches: the
 * page shows the same thing wherever it is opened.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { CampaignReport } from '../campaign/report.ts';
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

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A Vega-Lite spec as static SVG. */
async function svg(spec: TopLevelSpec): Promise<string> {
  const { vega, compile } = await loadCharting();
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const WIDTH = 560;
const HEIGHT = 220;

function figures(report: CampaignReport): string {
  const hours = (ms: number | null) => (ms === null ? 'never' : `${(ms / 3_600_000).toFixed(1)} h`);
  const rows: [string, string][] = [
    ['devices', String(report.devices)],
    ['on target', String(report.byStatus.onTarget)],
    ['bricked', String(report.byStatus.bricked)],
    ['degraded', String(report.byStatus.degraded)],
    ['refused by the firmware', String(report.byStatus.refused)],
    ['not reached', String(report.byStatus.notReached + report.byStatus.failed)],
    ['no path', String(report.byStatus.noPath)],
    [
      '50% / 90% / 100% on target at',
      `${hours(report.timeToTargetMs.p50)} / ${hours(report.timeToTargetMs.p90)} / ${hours(report.timeToTargetMs.p100)}`,
    ],
    ['quarantined by the threshold', String(report.adtQuarantined)],
    ['hub memory peak, blocks', String(report.hubMemoryPeakBlocks)],
  ];
  return `<table class="figures" data-mode="${report.mode}"><caption>${report.mode}</caption>${rows
    .map(
      ([k, v]) =>
        `<tr><th>${escapeHtml(k)}</th><td data-figure="${escapeHtml(k)}">${escapeHtml(v)}</td></tr>`,
    )
    .join('')}</table>`;
}

/** The HTML page of one or both modes of a campaign. */
export async function campaignHtml(reports: readonly CampaignReport[], seed: number): Promise<string> {
  const onTarget = reports.flatMap((r) =>
    r.onTargetByDay.map((n, day) => ({ mode: r.mode, day: day + 1, devices: n })),
  );
  const reasons = reports.flatMap((r) =>
    Object.entries(r.reasons).map(([reason, n]) => ({ mode: r.mode, reason, devices: n })),
  );
  const memory = reports.flatMap((r) =>
    r.memoryByDay.map((blocks, day) => ({ mode: r.mode, day: day + 1, blocks })),
  );
  const quarantine = reports.flatMap((r) =>
    r.quarantinedByDay.map((n, day) => ({ mode: r.mode, day: day + 1, distributions: n })),
  );
  const color = { field: 'mode', type: 'nominal', title: 'mode' } as const;
  const charts: [string, TopLevelSpec][] = [
    [
      'Devices on target over time',
      {
        width: WIDTH,
        height: HEIGHT,
        data: { values: onTarget },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'day', type: 'quantitative', title: 'simulated day' },
          y: { field: 'devices', type: 'quantitative', title: 'devices on target' },
          color,
        },
      },
    ],
    [
      'Devices not on target, by reason',
      {
        // Narrower: the reasons are long labels on the left.
        width: WIDTH - 220,
        height: Math.max(HEIGHT, 24 * new Set(reasons.map((r) => r.reason)).size),
        data: {
          values: reasons.length ? reasons : [{ mode: reports[0]?.mode ?? '', reason: 'none', devices: 0 }],
        },
        mark: 'bar',
        encoding: {
          y: { field: 'reason', type: 'nominal', title: null, axis: { labelLimit: 360 } },
          x: { field: 'devices', type: 'quantitative', title: 'devices' },
          color,
          yOffset: { field: 'mode' },
        },
      },
    ],
    [
      'Hub memory in use (the fullest hub)',
      {
        width: WIDTH,
        height: HEIGHT,
        data: { values: memory },
        mark: { type: 'line', interpolate: 'step-after' },
        encoding: {
          x: { field: 'day', type: 'quantitative', title: 'simulated day' },
          y: { field: 'blocks', type: 'quantitative', title: 'blocks' },
          color,
        },
      },
    ],
    [
      'Distributions quarantined by the anomaly detection threshold',
      {
        width: WIDTH,
        height: HEIGHT,
        data: { values: quarantine },
        mark: 'bar',
        encoding: {
          x: { field: 'day', type: 'ordinal', title: 'simulated day asked for' },
          y: { field: 'distributions', type: 'quantitative', title: 'distributions' },
          color,
          xOffset: { field: 'mode' },
        },
      },
    ],
  ];
  const rendered = await Promise.all(charts.map(([, spec]) => svg(spec)));
  const title = 'hanota campaign report';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.1rem; margin-top: 2rem; }
.figures { border-collapse: collapse; margin: 0 2rem 1rem 0; display: inline-table; vertical-align: top; }
.figures caption { font-weight: 600; text-align: left; }
.figures th { text-align: left; font-weight: normal; padding: 0.15rem 1rem 0.15rem 0; }
.figures td { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 0; }
</style>
</head>
<body>
<h1>${title}</h1>
<p>Seed ${seed}; ${reports.map((r) => `${r.mode}: ${r.devices} devices over ${(r.simulatedMs / 86_400_000).toFixed(1)} simulated days`).join('; ')}.</p>
${reports.map(figures).join('\n')}
${charts.map(([name], i) => `<h2>${escapeHtml(name)}</h2>\n<figure class="chart" data-chart="${i}">${rendered[i]}</figure>`).join('\n')}
</body>
</html>
`;
}
