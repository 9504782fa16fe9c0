/**
 * A planted defect the kit must find: a hub that frees an image's blocks when its distribution
 * ends although a device is still reading them (the device's download is then lost). `hanota fuzz` finds it on the eviction scenario
 * (the scenario itself shows it, so the schedule shrinks to nothing), writes it, and `hanota run`
 * replays it to the same failure.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it, vi } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { ROOT } from '../helpers/vectors.ts';

vi.mock('../../src/hub/memory.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/hub/memory.ts')>();
  class FreesTooEarly extends original.HubMemory {
    override release(key: string): string | undefined {
      for (const device of this.pinsOf(key)) this.unpin(key, device);
      return super.release(key);
    }
  }
  return { ...original, HubMemory: FreesTooEarly };
});

it('finds a hub that frees blocks still being read, and replays it from the file', async () => {
  const out = mkdtempSync(join(tmpdir(), 'hanota-planted-'));
  const run = await hanota(
    'fuzz',
    join(ROOT, 'scenarios/hub-eviction.yaml'),
    '--faults',
    'forged',
    '--out',
    out,
    '--json',
  );
  expect(run.code).toBe(1);
  const found = JSON.parse(run.stdout);
  expect(found.faults).toEqual([]);
  expect(found.failures).toEqual([
    // The hub stops offering the image whose blocks went, so the download in progress is lost
    // and the ESME never gets V110: one activation where two are expected.
    'esme events in order: 0x8F72, CS06:success, 0x8F72, CS06:success: events: 0x8F72, CS06:success',
  ]);
  const replay = await hanota('run', found.written);
  expect(replay.code).toBe(1);
  expect(replay.stdout).toMatch(/not met: esme events in order: 0x8F72, CS06:success, 0x8F72, CS06:success/);
});
