/**
 * Estate planning at scale: one million devices against a catalog of ten thousand entries,
 * loaded from CSV and planned to one target per model and hardware version. Limit: the issue's
 * "seconds, not minutes" — the whole job (both CSVs parsed, every device planned) within 60 s.
 */
import { loadCatalog } from '../src/pathways/catalog.ts';
import { loadEstate, planEstate } from '../src/pathways/estate.ts';
import { type BenchResult, machine } from './harness.ts';

const GROUPS = 500;
const VERSIONS = 20;
const DEVICES = 1_000_000;
const LIMIT_S = 60;

/** A deterministic generator (xorshift32), so every run plans the same estate. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function catalogText(next: () => number): { text: string; targets: string[] } {
  const lines = [
    'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status',
  ];
  const targets: string[] = [];
  for (let g = 0; g < GROUPS; g++) {
    for (let v = 0; v < VERSIONS; v++) {
      const id = `${g * VERSIONS + v}`;
      const bases =
        v === 0 ? 'N/A' : [...new Set([v - 1, next() % v].map((b) => `${g * VERSIONS + b}`))].join(';');
      const status = v > 0 && v < VERSIONS - 1 && next() % 10 === 0 ? 'Withdrawn' : 'Active';
      const hash = (g * VERSIONS + v).toString(16).padStart(64, '0');
      lines.push(`${id},ESME,Acme,M${g % 50},${Math.floor(g / 50) + 1},${v}.0,${hash},${bases},${status}`);
    }
    targets.push(`${g * VERSIONS + VERSIONS - 1}`);
  }
  return { text: `${lines.join('\n')}\n`, targets };
}

function estateText(next: () => number): string {
  const lines = ['device_id,device_type,hub_id,cpl_entry_id'];
  for (let d = 0; d < DEVICES; d++)
    lines.push(`${d.toString(16).padStart(16, '0')},ESME,hub-${d >> 6},${next() % (GROUPS * VERSIONS)}`);
  return `${lines.join('\n')}\n`;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Runs the benchmark once (it is long enough to need no repetition). */
export function benchPathPlan(): BenchResult {
  const next = xorshift(20261121);
  const { text, targets } = catalogText(next);
  const estate = estateText(next);
  let t = process.hrtime.bigint();
  const catalog = loadCatalog(text);
  const catalogS = seconds(t);
  t = process.hrtime.bigint();
  const devices = loadEstate(estate);
  const estateS = seconds(t);
  t = process.hrtime.bigint();
  const plans = planEstate(catalog, devices, targets);
  const planS = seconds(t);
  const total = catalogS + estateS + planS;
  const ok = plans.filter((p) => p.ok).length;
  const hops = plans.reduce((n, p) => n + (p.ok ? p.hops.length : 0), 0);
  return {
    name: 'Estate planning',
    peer: `limit: ${LIMIT_S} s for the whole job`,
    machine: machine(),
    rows: [
      ['catalog entries (groups × versions)', `${catalog.entries.length} (${GROUPS} × ${VERSIONS})`],
      ['devices', DEVICES.toLocaleString('en')],
      ['catalog CSV loaded, s', catalogS.toFixed(2)],
      ['estate CSV loaded, s', estateS.toFixed(2)],
      ['every device planned, s', planS.toFixed(2)],
      ['devices planned per second', Math.round(DEVICES / planS).toLocaleString('en')],
      ['devices with a path / mean hops', `${ok.toLocaleString('en')} / ${(hops / ok).toFixed(2)}`],
      [
        `whole job, s (limit ${LIMIT_S} s)`,
        `${total.toFixed(2)} (${total < LIMIT_S ? 'within' : 'OVER'} the limit)`,
      ],
    ],
  };
}
