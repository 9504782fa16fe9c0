/**
 * `hanota run` through the CLI: the summary, JSON, JUnit, captures and traces; a failing
 * scenario's unmet expectation with its evidence and exit 1.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { SCENARIOS_DIR } from '../helpers/scenarios.ts';

const tmp = mkdtempSync(join(tmpdir(), 'hanota-run-'));
const HAPPY = join(SCENARIOS_DIR, 'esme-happy-path.yaml');

describe('hanota run', () => {
  it('runs a scenario over the session transport with the activation times frame by frame gives, and refuses a pcap of it', async () => {
    const file = join(SCENARIOS_DIR, 'esme-multi-hop-upgrade.yaml');
    const frame = await hanota('run', file, '--json');
    const session = await hanota('run', file, '--driver', 'session', '--json');
    expect(session.code).toBe(0);
    const doc = JSON.parse(session.stdout);
    expect(doc.driver).toBe('session');
    const activations = (text: string) =>
      JSON.parse(text).results[0].devices.map((d: { activations: unknown }) => d.activations);
    expect(activations(session.stdout)[0].length).toBeGreaterThan(1);
    expect(activations(session.stdout)).toEqual(activations(frame.stdout));
    const pcap = await hanota(
      'run',
      file,
      '--driver',
      'session',
      '--pcap',
      mkdtempSync(join(tmpdir(), 'hanota-')),
    );
    expect(pcap.code).toBe(2);
    expect(pcap.stderr).toMatch(/--pcap needs --driver frame/);
  });

  it('prints the summary and writes JUnit, a pcap and a trace per scenario', async () => {
    const run = await hanota(
      'run',
      HAPPY,
      join(SCENARIOS_DIR, 'hcalcs-happy-path.yaml'),
      '--junit',
      join(tmp, 'r.xml'),
      '--pcap',
      tmp,
      '--trace',
      tmp,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2 scenario(s), 0 failed, seed 1');
    expect(readFileSync(join(tmp, 'r.xml'), 'utf8').match(/<testcase /g)).toHaveLength(2);
    expect(existsSync(join(tmp, 'esme-happy-path.pcap'))).toBe(true);
    expect(readFileSync(join(tmp, 'hcalcs-happy-path.jsonl'), 'utf8').split('\n')[0]).toContain(
      '"kind":"note"',
    );
  });

  it('exits 1 for a scenario whose expectation is not met, showing the expectation and the trace lines', async () => {
    const text = readFileSync(HAPPY, 'utf8')
      .replace(/entry: V110/, 'entry: V120')
      .replaceAll('../fixtures', join(SCENARIOS_DIR, '../fixtures'));
    const file = join(tmp, 'wrong.yaml');
    writeFileSync(file, text);
    const run = await hanota('run', file);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('not met: esme runs V120 (runs V110)');
    expect(run.stdout).toMatch(/CS06 Activate Firmware: running 0x01010000/);
    const json = await hanota('run', file, '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ scenarios: 1, failed: 1 });
  });
});
