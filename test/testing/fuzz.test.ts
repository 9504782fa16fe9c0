/**
 * `hanota fuzz` on the shipped scenarios with the code as it is: the schedules that leave a
 * correct device nothing to trip on pass, the same seed gives the same verdict, bad input is
 * refused, and a schedule that does break a scenario (a burst of loss at the start delays the
 * download past the power cut the scenario times to fall in the middle of it, so the resume its
 * expectations name never happens) is shrunk, written, and replayed by `hanota run`.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load.ts';
import { hanota } from '../helpers/cli.ts';
import { ROOT } from '../helpers/vectors.ts';

const scenario = (name: string) => join(ROOT, 'scenarios', name);

describe('hanota fuzz', () => {
  it('passes a correct device under replays, forgeries and hub reboots, with the seed printed', async () => {
    const run = await hanota('fuzz', scenario('hcalcs-happy-path.yaml'), '--faults', 'replay,forged,hub');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/100 fault schedule\(s\) passed, seed 1/);
  });

  it('finds nothing on the ESME happy path under bursts of frame loss: devices poll their way back', async () => {
    const run = await hanota('fuzz', scenario('esme-happy-path.yaml'), '--faults', 'loss', '--runs', '200');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/200 fault schedule\(s\) passed, seed 1/);
  });

  it('shrinks a failing schedule, writes it, and hanota run replays the same failure', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hanota-fuzz-'));
    const args = ['fuzz', scenario('esme-power-loss-resume.yaml'), '--seed', '1', '--out', out, '--json'];
    const first = await hanota(...args);
    const again = await hanota(...args);
    expect(first.code).toBe(1);
    expect(again.stdout).toBe(first.stdout);
    const found = JSON.parse(first.stdout);
    expect(found.faults.length).toBeLessThanOrEqual(2);
    expect(found.failures).toContain(
      'esme events in order: power:cut, resume, 0x8F72, CS06:success: events: power:cut, 0x8F72, CS06:success',
    );
    const written = parseScenario(readFileSync(found.written, 'utf8'));
    expect(written.expect.invariants).toBe(true);
    const replay = await hanota('run', found.written, '--json');
    expect(replay.code).toBe(1);
    const unmet = JSON.parse(replay.stdout).results[0].expectations.filter((x: { ok: boolean }) => !x.ok);
    expect(
      unmet.map((x: { expectation: string; detail: string }) => `${x.expectation}: ${x.detail}`),
    ).toEqual(found.failures);
  });

  it('refuses an unknown kind of fault and a missing scenario, exit 2', async () => {
    const bad = await hanota('fuzz', scenario('hcalcs-happy-path.yaml'), '--faults', 'loss,meteor');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--faults: 'meteor' is not one of loss, power, hub, supplier, replay, forged, all/,
    );
    const missing = await hanota('fuzz', scenario('no-such.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no-such\.yaml: cannot read: no such file/);
  });
});
