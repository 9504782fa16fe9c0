/**
 * `hanota campaign` at national scale: the generated estate of bench/campaign.ts (four devices per
 * hub, a multi-hop catalog, the anomaly detection threshold at a quarter of the estate a day,
 * about 244 devices per bucket) at
 * 1, 3 and 10 million devices, each run through the built command (`dist/cli/hanota.js`: build
 * first) on one worker thread and on two, with Node's old-space limit at 4 GB
 * (`--max-old-space-size=4096`). Measured per run: wall time, and peak resident memory of the
 * whole process (getrusage, every thread) from a preloaded hook. The two runs of each size must
 * write the same report byte for byte (checked here).
 *
 * Limits: ten million devices within 3 minutes and 4 GB on one thread; a million within
 * 15 s. `SIZES=100000,300000` runs other sizes; `BENCH_DIR` keeps the generated files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { benchPolicy, catalogText, estatePieces } from './campaign.ts';
import { type BenchResult, machine } from './harness.ts';

const GIB = 2 ** 30;

/**
 * Buckets for an estate: as many as keep about 244 devices in each (4,096 for a million), as the
 * README advises — a bucket's cost per event grows with its size (2,440 devices a bucket cost
 * 1.6× per event what 244 do, measured on 100,000 devices), so a fixed bucket count would not
 * measure the engine's growth with the estate but with the bucket.
 */
export function bucketsFor(devices: number): number {
  return Math.max(1, Math.round((devices * 4096) / 1_000_000));
}

/** One run of the command. */
interface Run {
  readonly wallS: number;
  readonly peakGiB: number;
  readonly report: string;
}

function runCampaign(root: string, dir: string, devices: number, workers: number, targets: string[]): Run {
  const rssFile = join(dir, `rss-${devices}-${workers}`);
  const args = [
    '--max-old-space-size=4096',
    '--import',
    join(root, 'bench/max-rss.mjs'),
    join(root, 'dist/cli/hanota.js'),
    'campaign',
    '--estate',
    join(dir, `estate-${devices}.csv`),
    '--catalog',
    join(dir, 'catalog.csv'),
    '--target',
    ...targets,
    '--policy',
    join(dir, `policy-${devices}.yaml`),
    '--workers',
    String(workers),
    '--json',
  ];
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, {
    env: { ...process.env, HANOTA_BENCH_RSS_FILE: rssFile },
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  });
  const wallS = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0)
    throw new Error(`campaign of ${devices} on ${workers} worker(s) exited ${child.status}: ${child.stderr}`);
  return { wallS, peakGiB: (Number(readFileSync(rssFile, 'utf8')) * 1024) / GIB, report: child.stdout };
}

/** Runs every size on one and on two workers. */
export function benchCampaignScale(root: string): BenchResult {
  const sizes = (process.env.SIZES ?? '1000000,3000000,10000000').split(',').map(Number);
  if (!existsSync(join(root, 'dist/cli/hanota.js'))) throw new Error('build first: npm run build');
  const dir = process.env.BENCH_DIR ?? mkdtempSync(join(tmpdir(), 'hanota-scale-'));
  mkdirSync(dir, { recursive: true });
  const { text, targets } = catalogText();
  writeFileSync(join(dir, 'catalog.csv'), text);
  const rows: [string, string][] = [];
  try {
    for (const devices of sizes) {
      const estate = join(dir, `estate-${devices}.csv`);
      if (!existsSync(estate)) {
        writeFileSync(estate, '');
        estatePieces(devices, (piece) => writeFileSync(estate, piece, { flag: 'a' }));
      }
      writeFileSync(
        join(dir, `policy-${devices}.yaml`),
        stringify(benchPolicy(devices, bucketsFor(devices))),
      );
      const one = runCampaign(root, dir, devices, 1, targets);
      const two = runCampaign(root, dir, devices, 2, targets);
      const report = JSON.parse(one.report) as { events: number; byStatus: { onTarget: number } };
      const limit = devices === 10_000_000 ? 180 : devices === 1_000_000 ? 15 : undefined;
      const verdict = (r: Run) =>
        limit === undefined
          ? ''
          : ` (${r.wallS <= limit ? 'within' : 'OVER'} ${limit} s, ${r.peakGiB <= 4 ? 'within' : 'OVER'} 4 GiB)`;
      rows.push([
        `${devices.toLocaleString('en')} devices: one thread`,
        `${one.wallS.toFixed(1)} s, ${one.peakGiB.toFixed(2)} GiB peak${verdict(one)}`,
      ]);
      rows.push([
        `${devices.toLocaleString('en')} devices: two workers`,
        `${two.wallS.toFixed(1)} s, ${two.peakGiB.toFixed(2)} GiB peak`,
      ]);
      rows.push([
        `${devices.toLocaleString('en')} devices: events, on target, reports equal`,
        `${report.events.toLocaleString('en')}, ${report.byStatus.onTarget.toLocaleString('en')}, ${one.report === two.report ? 'yes' : 'NO'}`,
      ]);
      console.error(
        `campaign-scale: ${rows
          .slice(-3)
          .map((r) => r.join(': '))
          .join('; ')}`,
      );
    }
  } finally {
    if (process.env.BENCH_DIR === undefined) rmSync(dir, { recursive: true, force: true });
  }
  return {
    name: '`hanota campaign` at 1, 3 and 10 million devices',
    peer: 'limits: 10M devices in 3 min and 4 GB on one thread, 1M in 15 s',
    machine: machine(),
    rows,
  };
}
