/**
 * A device that fetches its image by Image Page Requests (scenarios/ihd-page-requests.yaml): on a
 * clean link it sends page requests only, one per 1024 bytes, and the blocks of each page come
 * unasked, 50 ms apart — read from the capture by tshark; over both transports the outcome is the
 * same. On a lossy link a page that is not complete in 5 s has its missing blocks asked for with
 * block requests, and the image still arrives whole.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildScenario } from '../../src/scenario/build.ts';
import { runScenario } from '../../src/scenario/run.ts';
import { hanota } from '../helpers/cli.ts';
import { loadScenarioFile, runScenarioFile, SCENARIOS_DIR } from '../helpers/scenarios.ts';
import { available, fieldsOf } from '../helpers/tshark.ts';

const FILE = join(SCENARIOS_DIR, 'ihd-page-requests.yaml');

describe('Image Page Requests', () => {
  it.skipIf(!available)('asks for pages only on a clean link, in the capture', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hanota-pages-'));
    const run = await hanota('run', FILE, '--pcap', dir);
    expect(run.code).toBe(0);
    const rows = fieldsOf(join(dir, readdirSync(dir)[0] as string), [
      'zbee_zcl_general.ota.cmd.srv_rx.id',
      'zbee_zcl_general.ota.cmd.srv_tx.id',
      'zbee_zcl_general.ota.page.size',
    ]);
    const pages = rows.filter((r) => r[0] === '0x04');
    const imageSize = 40_138;
    expect(pages.length).toBe(Math.ceil(imageSize / 1024));
    expect(pages.slice(0, -1).every((r) => r[2] === '1024')).toBe(true);
    expect(rows.some((r) => r[0] === '0x03')).toBe(false);
    expect(rows.filter((r) => r[1] === '0x05').length).toBeGreaterThanOrEqual(Math.ceil(imageSize / 64));
  });

  it('gives the same outcome over both transports', () => {
    const frame = runScenarioFile(FILE, 1);
    const session = runScenarioFile(FILE, 1, { transport: 'session' });
    expect(frame.ok).toBe(true);
    expect(session.devices).toEqual(frame.devices);
  });

  it('falls back to block requests for what a page lacks, on a lossy link', () => {
    const { scenario, files } = loadScenarioFile(FILE);
    const lossy = {
      ...scenario,
      devices: scenario.devices.map((d) => ({ ...d, link: 'poor', loss: 0.2 })),
      // Slower than on a clean link (5 s lost to each incomplete page): only the outcome is expected.
      expect: { devices: scenario.expect.devices },
    };
    expect(buildScenario(lossy, files, 1).runs.length).toBe(1);
    const result = runScenario(lossy, files, 1);
    expect(result.ok).toBe(true);
    const sent = result.runs.flatMap((r) => r.result.trace.frames()).filter((f) => f.from === 'ihd');
    expect(sent.some((f) => f.command === 'imagePageRequest')).toBe(true);
    expect(sent.some((f) => f.command === 'imageBlockRequest')).toBe(true);
  });
});
