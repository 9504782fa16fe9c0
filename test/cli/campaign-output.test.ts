/**
 * What `hanota campaign` writes as it goes: buckets' outcomes in bucket order whatever order they
 * end in, the progress line (drawn only on a terminal), and the device file's CSV quoting.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeviceOutcome } from '../../src/campaign/report.ts';
import { BucketOrder, CampaignProgress, DevicesFile } from '../../src/cli/campaign-output.ts';
import { nodeIo } from '../../src/cli/context.ts';
import { ROOT } from '../helpers/vectors.ts';

const outcome = (deviceId: string, reason?: string): DeviceOutcome => ({
  deviceId,
  hubId: 'hub-1',
  from: 'V100',
  target: 'V130',
  status: reason ? 'failed' : 'onTarget',
  hops: ['V110', 'V130'],
  entry: 'V130',
  ...(reason && { reason, errorMs: 5 }),
});

describe('campaign output', () => {
  it('hands buckets on in bucket order whatever order they end in', () => {
    const seen: string[] = [];
    const order = new BucketOrder([0, 2, 5], (outcomes) => seen.push(...outcomes.map((o) => o.deviceId)));
    order.add(5, [outcome('c')]);
    order.add(2, [outcome('b')]);
    expect(seen).toEqual([]);
    order.add(0, [outcome('a')]);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('draws mode, simulated day, devices finished and an ETA on the progress line', () => {
    const lines: string[] = [];
    let wall = 0;
    const progress = new CampaignProgress(
      { draw: (line) => lines.push(line), clear: () => lines.push('<clear>'), now: () => wall },
      2,
      1,
    );
    progress.mode('planned');
    wall = 10_000;
    progress.update(0, { simulatedUs: 2 * 86_400_000_000, maxTimeUs: 0, finished: 50, devices: 100 });
    progress.done(0);
    progress.clear();
    expect(lines[0]).toBe('campaign planned: day 2.0 simulated, 50 devices finished, 25% · ETA 30s');
    expect(lines[1]).toBe('campaign planned: day 2.0 simulated, 50 devices finished, 50% · ETA 10s');
    expect(lines.at(-1)).toBe('<clear>');
  });

  it('quotes CSV fields with commas and quotes', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'hanota-out-')), 'devices.csv');
    const file = new DevicesFile(nodeIo, path);
    file.write('direct', [outcome('00db000000000001', 'refused: "V130", on V121')]);
    file.close();
    expect(readFileSync(path, 'utf8').split('\n')[1]).toBe(
      'direct,00db000000000001,hub-1,V100,V130,failed,V130,V110;V130,,,,5,"refused: ""V130"", on V121"',
    );
  });

  it('draws no progress line when stderr is not a terminal', () => {
    const F = join(ROOT, 'fixtures');
    const run = spawnSync(
      'node',
      [
        'src/cli/hanota.js',
        'campaign',
        '--estate',
        join(F, 'example-estate.csv'),
        '--catalog',
        join(F, 'example-model/catalog.csv'),
        '--target',
        'V130',
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.status).toBe(0);
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).not.toContain('\u001b[K');
  });
});
