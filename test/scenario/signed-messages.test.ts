/**
 * What GBCS devices send is real signed GBCS: every response and alert in a scenario's trace is a
 * General-Signing APDU that `hanota gbcs parse` reads and verifies with the signing keys
 * `hanota run --keys-out` writes — the receipt alert in DLMS form from an ESME (0x00CE) and GBZ
 * from a GSME or HCALCS (0x00CF), the CS06 response (0x0012) and the future-dated activation
 * alert (0x00CA) — each addressed to the supplier, alert counters increasing per device. Checked
 * through the CLI as a user would; another key does not verify them.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';

interface Sent {
  readonly what: string;
  readonly node: string;
  readonly apdu: string;
}

/** Runs the scenarios and returns, per scenario, the signed messages of its traces, and the key folder. */
async function runScenarios(files: readonly string[]): Promise<{ sent: Sent[]; keys: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'hanota-signed-'));
  const keys = join(dir, 'keys');
  const traces = join(dir, 'traces');
  const run = await hanota('run', ...files, '--trace', traces, '--keys-out', keys);
  expect(run.code, run.stdout + run.stderr).toBe(0);
  const sent = readdirSync(traces)
    .sort()
    .flatMap((f) =>
      readFileSync(join(traces, f), 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l))
        .filter((e) => e.kind === 'note' && typeof e.detail?.apdu === 'string')
        .map((e) => ({ what: e.what as string, node: `${f}:${e.node}`, apdu: e.detail.apdu as string })),
    );
  return { sent, keys, dir };
}

async function parse(dir: string, apdu: string, keys: string, n: number, code = 0) {
  const file = join(dir, `message-${n}.hex`);
  writeFileSync(file, `${apdu.toUpperCase()}\n`);
  const r = await hanota('gbcs', 'parse', file, '--keys', keys, '--json');
  expect(r.code, r.stdout + r.stderr).toBe(code);
  return JSON.parse(r.stdout);
}

describe('signed responses and alerts in the trace', () => {
  it('are General-Signing messages that hanota gbcs parse verifies with the devices’ keys', async () => {
    const { sent, keys, dir } = await runScenarios([
      'scenarios/esme-happy-path.yaml',
      'scenarios/gsme-happy-path.yaml',
      'scenarios/esme-future-dated-activation.yaml',
      'scenarios/hcalcs-other-hash-cs06.yaml',
    ]);
    const kinds = new Set<string>();
    const lastAlertCounter = new Map<string, bigint>();
    for (const [i, m] of sent.entries()) {
      const doc = await parse(dir, m.apdu, keys, i);
      expect(doc.kind).toBe('generalSigning');
      expect(doc.signature.valid, `${m.node} ${m.what}`).toBe(true);
      expect(doc.recipient).toMatch(/^[0-9a-f]{16}$/);
      kinds.add(`${doc.transactionId.cra} ${doc.messageCode.toString(16)}`);
      if (m.what.startsWith('CS06 response')) {
        expect(doc.transactionId.cra).toBe('response');
        expect(doc.messageName).toBe('CS06 Activate Firmware');
        expect(doc.dateTime.iso).toMatch(/^\d{4}-\d\d-\d\dT/);
        expect(doc.content.cs06Response.kind).toMatch(/commandAccepted|executed/);
      } else {
        expect(doc.transactionId.cra).toBe('alert');
        expect(doc.dateTime).toBeUndefined();
        const counter = BigInt(doc.transactionId.counter);
        expect(counter).toBeGreaterThan(lastAlertCounter.get(m.node) ?? 0n);
        lastAlertCounter.set(m.node, counter);
        if (m.what.startsWith('alert 0x8F72')) expect(doc.content.receiptAlert.alertCode).toBe('0x8f72');
        if (m.what.startsWith('alert 0x8F66'))
          expect(doc.content.futureDatedActivationAlert.outcome).toBe('success');
      }
    }
    // DLMS receipt (ESME), GBZ receipt (GSME, HCALCS), CS06 responses, the future-dated alert.
    expect([...kinds].sort()).toEqual(['alert ca', 'alert ce', 'alert cf', 'response 12']);
  });

  it('do not verify with another key', async () => {
    const { sent, keys, dir } = await runScenarios(['scenarios/esme-happy-path.yaml']);
    const [file] = readdirSync(keys);
    const first = sent[0] as Sent;
    // The supplier's public key in the device's place.
    writeFileSync(join(keys, file as string), readFileSync('fixtures/keys/supplier-ds.pem'));
    // A signature that does not verify is a negative verdict: exit 1.
    const doc = await parse(dir, first.apdu, keys, 0, 1);
    expect(doc.signature.valid).toBe(false);
  });
});
