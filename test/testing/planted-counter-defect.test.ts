/**
 * A planted defect the kit must find: a device that skips the CS06 counter check (every command
 * is checked as if no counter had been accepted before). `hanota fuzz` with its default number of
 * runs finds it, shrinks the schedule to the one replay that shows it, and `hanota run` replays
 * the written scenario to the same failure.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { ROOT } from '../helpers/vectors.ts';

vi.mock('../../src/devices/gbcs-activation.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/devices/gbcs-activation.ts')>();
  return {
    ...original,
    stepActivation: (...[identity, state, event, ctx]: Parameters<typeof original.stepActivation>) =>
      original.stepActivation(identity, { ...state, lastCounters: new Map() }, event, ctx),
  };
});

it('finds a device that skips the counter check, shrinks to one replay, and replays it from the file', async () => {
  const out = mkdtempSync(join(tmpdir(), 'hanota-planted-'));
  const run = await hanota(
    'fuzz',
    join(ROOT, 'scenarios/hcalcs-happy-path.yaml'),
    '--faults',
    'replay,forged,hub',
    '--out',
    out,
    '--json',
  );
  expect(run.code).toBe(1);
  const found = JSON.parse(run.stdout);
  expect(found.seed).toBe(1);
  expect(found.path).toMatch(/^\d+(:\d+)*$/);
  expect(found.faults).toHaveLength(1);
  expect(found.faults[0]).toMatch(/the last CS06 to hcalcs is replayed/);
  expect(found.failures).toEqual([
    expect.stringMatching(
      /^no activation without a verified command, none acted on twice: hcalcs answered the command with counter \d+ twice: a replay got past the counter check$/,
    ),
  ]);
  const replay = await hanota('run', found.written);
  expect(replay.code).toBe(1);
  expect(replay.stdout).toContain('a replay got past the counter check');
});
