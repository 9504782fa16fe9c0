/**
 * `hanota simulate` through the CLI parser: the outcome report, exit 1 for a device that does
 * not end with the verified image, repeatable power losses, and byte-identical trace and pcap
 * output for the same seed.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { ROOT } from '../helpers/vectors.ts';

const FIX = join(ROOT, 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'hanota-sim-'));
const ESME = [
  '--device',
  'ESME',
  '--image',
  join(FIX, 'images/esme-1.2-gbcs.ota'),
  '--supplier-key',
  join(FIX, 'keys/supplier-ds.pem'),
];

describe('hanota simulate', () => {
  it('reports a complete, verified download with the device waiting for CS06', async () => {
    const run = await hanota(
      'simulate',
      ...ESME,
      '--loss',
      '0.2',
      '--power-loss-at-offset',
      '1000',
      '--power-loss-at-offset',
      '9000',
      '--json',
    );
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc).toMatchObject({
      seed: 1,
      device: { type: 'ESME', hardwareVersion: 0x0100, runningVersionBefore: 0x00010001 },
      image: { format: 'gbcs', size: 24126 },
      distribution: { ok: true, blocks: 6 },
      outcome: {
        ok: true,
        phase: 'waiting',
        imageUpgradeStatus: 'waitingToUpgradeViaExternalEvent',
        imageUpgradeStatusValue: 6,
        bytesReceived: 24126,
      },
    });
    expect(doc.outcome.assembledSha256).toBe(doc.image.sha256);
    expect(doc.framesExchanged).toBeGreaterThan(24126 / 64);
    expect(doc.simulatedMs).toBeGreaterThan(0);
  });

  it('exits 1 with the reasons when the device does not get the image', async () => {
    const refused = await hanota('simulate', ...ESME, '--hardware-version', '0x0300', '--json');
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout).outcome).toMatchObject({
      ok: false,
      reason: 'hub answered NO_IMAGE_AVAILABLE',
      hubReason: 'hardware version 768 is outside the image range 256..511',
    });
    const tooBig = await hanota('simulate', ...ESME, '--memory-blocks', '2', '--json');
    expect(tooBig.code).toBe(1);
    expect(JSON.parse(tooBig.stdout).distribution).toMatchObject({
      ok: false,
      alert: 'CCS08 FirmwareImageDiscarded',
      reason: 'INSUFFICIENT_MEMORY',
    });
    const wrongKey = await hanota(
      'simulate',
      ...ESME.slice(0, 4),
      '--supplier-key',
      join(FIX, 'keys/other-supplier-ds.pem'),
      '--json',
    );
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.stdout).outcome.reason).toMatch(/^INVALID_IMAGE: supplier signature/);
  });

  it('writes the same trace and pcap bytes for the same seed', async () => {
    const paths = (n: number) => [join(tmp, `t${n}.jsonl`), join(tmp, `c${n}.pcap`)];
    for (const n of [1, 2]) {
      const [trace, pcap] = paths(n) as [string, string];
      const run = await hanota(
        'simulate',
        ...ESME,
        '--link',
        'poor',
        '--seed',
        '42',
        '--trace',
        trace,
        '--pcap',
        pcap,
      );
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('seed:               42');
    }
    const [t1, p1] = paths(1) as [string, string];
    const [t2, p2] = paths(2) as [string, string];
    expect(readFileSync(t1).equals(readFileSync(t2))).toBe(true);
    expect(readFileSync(p1).equals(readFileSync(p2))).toBe(true);
    const first = JSON.parse(readFileSync(t1, 'utf8').split('\n')[0] as string);
    expect(first).toMatchObject({ kind: 'note', node: 'hub', what: 'image stored' });
  });

  it('refuses bad option values with exit 2', async () => {
    for (const [option, value, message] of [
      ['--loss', '1.5', "--loss: '1.5' is not a probability in [0, 1)"],
      ['--max-data-size', '0', '--max-data-size: 0 is not in 1..83'],
      ['--seed', '-1', "--seed: '-1' is not an unsigned 32-bit integer (decimal or 0x hex)"],
    ] as const) {
      const run = await hanota('simulate', ...ESME, option, value, '--json');
      expect(run.code, option).toBe(2);
      expect(JSON.parse(run.stdout).error.message).toBe(message);
    }
  });
});

describe('hanota simulate --activate', () => {
  const KEY = join(FIX, 'keys/supplier-ds.key.pem');

  it('ends an ESME run with activation: 0x8F72, then the CS06 response success, exit 0', async () => {
    const run = await hanota(
      'simulate',
      '--device',
      'ESME',
      '--image',
      join(FIX, 'images/esme-1.2-gbcs.ota'),
      '--supplier-key',
      KEY,
      '--activate',
      '--json',
    );
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(doc.outcome).toMatchObject({ ok: true, phase: 'upgraded', runningVersion: 0x00010002 });
    expect(doc.activation.events.map((e: { what: string }) => e.what)).toEqual([
      'alert 0x8F72 Firmware Distribution Receipt',
      'CS06 response',
    ]);
    expect(doc.activation.events[1]).toMatchObject({ response: 'success', counter: '1' });
  });

  it('ends a GSME run with a future-dated activation and its 0x8F66 alert, after the sleepy wakes', async () => {
    const run = await hanota(
      'simulate',
      '--device',
      'GSME',
      '--image',
      join(FIX, 'images/gsme-2.0-gbcs.ota'),
      '--supplier-key',
      KEY,
      '--activate',
      '--execute-at',
      '2026-01-20T00:00:00Z',
      '--json',
    );
    expect(run.code).toBe(0);
    const events = JSON.parse(run.stdout).activation.events;
    expect(events.map((e: { what: string }) => e.what)).toEqual([
      'alert 0x8F72 Firmware Distribution Receipt',
      'CS06 response',
      'alert 0x8F66 future-dated activation succeeded',
    ]);
    expect(events[1].response).toBe('commandAccepted');
  });

  it('exits 1 when the device trusts another supplier: 0x8F1C, no activation', async () => {
    const run = await hanota(
      'simulate',
      '--device',
      'ESME',
      '--image',
      join(FIX, 'images/esme-1.2-gbcs.ota'),
      '--supplier-key',
      join(FIX, 'keys/other-supplier-ds.key.pem'),
      '--activate',
      '--json',
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).activation.events.map((e: { what: string }) => e.what)).toEqual([
      'alert 0x8F1C Firmware Verification Failed',
    ]);
  });

  it('refuses --activate for a PPMID, with a public key only, and --execute-at without --activate', async () => {
    const ppmid = await hanota(
      'simulate',
      '--device',
      'PPMID',
      '--image',
      join(FIX, 'images/unsigned-gbcs/ppmid-3.1-gbcs.ota'),
      '--format',
      'gbcs',
      '--supplier-key',
      KEY,
      '--activate',
    );
    expect(ppmid.code).toBe(2);
    expect(ppmid.stderr).toMatch(/PPMID activates through the hub's Upgrade End Response/);
    const publicOnly = await hanota('simulate', ...ESME, '--activate');
    expect(publicOnly.stderr).toMatch(/must be the supplier's private key/);
    const dateOnly = await hanota('simulate', ...ESME, '--execute-at', '2026-01-20T00:00:00Z');
    expect(dateOnly.code).toBe(2);
  });
});
