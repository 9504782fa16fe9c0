/**
 * Campaign at estate scale: a generated estate (~45% ESME, ~40% GSME, ~10% PPMID, ~5% HCALCS,
 * four devices per hub) against a multi-hop catalog, in planned mode with the anomaly detection
 * threshold and per-hub limits, on the session transport. Goals: 1M devices in under
 * 60 s wall and 4 GB resident. `DEVICES=...` sets the estate size (default 1,000,000),
 * `BUCKETS=...` the buckets (default 4,096). This runs in-process on the bench's own thread, with
 * Node's default young generation; `hanota campaign` runs the buckets in worker threads with a
 * larger one, and is measured through the command in BENCHMARKS.md.
 */
import { runCampaign } from '../src/campaign/campaign.ts';
import type { Policy } from '../src/campaign/policy.ts';
import { loadCatalog } from '../src/pathways/catalog.ts';
import { loadEstate } from '../src/pathways/estate.ts';
import { type BenchResult, machine } from './harness.ts';

const TYPES: readonly [string, number][] = [
  ['ESME', 0.45],
  ['GSME', 0.4],
  ['PPMID', 0.1],
  ['HCALCS', 0.05],
];
const MODELS = 4;
const VERSIONS = 6;

/** The generated catalog and its targets (the last version of each model). */
export function catalogText(): { text: string; targets: string[] } {
  const lines = [
    'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status,manufacturer_code,image_type,image_size',
  ];
  const targets: string[] = [];
  let n = 0;
  for (const [type] of TYPES)
    for (let m = 0; m < MODELS; m++)
      for (let v = 0; v < VERSIONS; v++) {
        const id = `${type}-${m}-${v}`;
        // Each version from the one before; every other version also from two before (a shortcut).
        const bases =
          v === 0
            ? 'N/A'
            : [`${type}-${m}-${v - 1}`, ...(v >= 2 && v % 2 === 0 ? [`${type}-${m}-${v - 2}`] : [])].join(
                ';',
              );
        lines.push(
          `${id},${type},Acme,${type}-M${m},1,${v}.0,${(++n).toString(16).padStart(64, '0')},${bases},Active,0x1234,${m},${type === 'GSME' ? 60_000 : 120_000}`,
        );
        if (v === VERSIONS - 1) targets.push(id);
      }
  return { text: `${lines.join('\n')}\n`, targets };
}

/**
 * The generated estate, handed over in pieces of `rowsPerPiece` rows (a national estate is more
 * text than one string may hold).
 */
export function estatePieces(devices: number, onPiece: (text: string) => void, rowsPerPiece = 100_000): void {
  let lines = ['device_id,device_type,hub_id,cpl_entry_id'];
  let x = 2026;
  const next = () => {
    x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
    return x / 2 ** 32;
  };
  for (let d = 0; d < devices; d++) {
    const r = next();
    let acc = 0;
    let type = 'ESME';
    for (const [t, share] of TYPES) {
      acc += share;
      if (r < acc) {
        type = t;
        break;
      }
    }
    const model = Math.floor(next() * MODELS);
    const version = Math.floor(next() * (VERSIONS - 1));
    lines.push(`${d.toString(16).padStart(16, '0')},${type},hub-${d >> 2},${type}-${model}-${version}`);
    if (lines.length >= rowsPerPiece) {
      onPiece(`${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length > 0) onPiece(`${lines.join('\n')}\n`);
}

/** The generated estate, as one text. */
export function estateText(devices: number): string {
  const pieces: string[] = [];
  estatePieces(devices, (piece) => pieces.push(piece));
  return pieces.join('');
}

/**
 * The bench's campaign policy for `devices` devices in `buckets` buckets: two download slots per
 * hub, 256 blocks of 4 KiB, the threshold at a quarter of the estate a day, 60 days at most.
 */
export function benchPolicy(devices: number, buckets: number): Policy {
  return {
    concurrency: { perHub: 2 },
    memory: { blocks: 256, blockSize: 4096 },
    adt: { limit: Math.ceil(devices / 4), window: '1d' },
    maxDays: 60,
    buckets,
  };
}

/** Runs the benchmark once (in one thread). */
export function benchCampaign(devices = Number(process.env.DEVICES ?? 1_000_000)): BenchResult {
  const { text, targets } = catalogText();
  const estateCsv = estateText(devices);
  const t0 = process.hrtime.bigint();
  const catalog = loadCatalog(text);
  const estate = loadEstate(estateCsv);
  const t1 = process.hrtime.bigint();
  const { report } = runCampaign({
    estate,
    catalog,
    targets,
    images: new Map(),
    behaviours: new Map(),
    policy: benchPolicy(devices, Number(process.env.BUCKETS ?? 4096)),
    mode: 'planned',
    seed: 1,
  });
  const t2 = process.hrtime.bigint();
  const loadS = Number(t1 - t0) / 1e9;
  const runS = Number(t2 - t1) / 1e9;
  const rssGiB = process.memoryUsage().rss / 2 ** 30;
  return {
    name: 'Campaign at estate scale',
    peer: 'limits: 1M devices in 60 s wall and 4 GB resident',
    machine: machine(),
    rows: [
      [
        'devices / hubs / catalog entries',
        `${devices.toLocaleString('en')} / ${Math.ceil(devices / 4).toLocaleString('en')} / ${catalog.entries.length}`,
      ],
      ['estate and catalog CSV loaded, s', loadS.toFixed(1)],
      ['campaign (plan, session transport, report), s', runS.toFixed(1)],
      ['device-events (state changes)', report.events.toLocaleString('en')],
      ['device-events per second', Math.round(report.events / runS).toLocaleString('en')],
      [
        'on target / quarantined by the threshold',
        `${report.byStatus.onTarget.toLocaleString('en')} / ${report.adtQuarantined.toLocaleString('en')}`,
      ],
      ['simulated days', (report.simulatedMs / 86_400_000).toFixed(1)],
      ['resident memory at the end, GiB', rssGiB.toFixed(2)],
      [
        'whole job, s (limit 60 s)',
        `${(loadS + runS).toFixed(1)} (${loadS + runS < 60 ? 'within' : 'OVER'})`,
      ],
    ],
  };
}
