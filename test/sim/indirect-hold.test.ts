/**
 * Indirect transmission (ZigBee PRO): a parent holds a frame for its sleeping end device until
 * the device wakes and polls, for 7.68 s at most, then drops it. A GSME's Image Notify sent while
 * it sleeps is dropped at its parent, and the GSME gets its image anyway, by polling when awake.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { heldUntil, INDIRECT_HOLD_US } from '../../src/sim/link.ts';
import { runScenarioFile, SCENARIOS_DIR } from '../helpers/scenarios.ts';

const wake = { intervalUs: 1_800_000_000, awakeUs: 30_000_000, phaseUs: 100_000_000 };

describe('the parent of a sleepy device', () => {
  it('hands a frame over at once while the device is awake', () => {
    expect(heldUntil(wake, 110_000_000)).toBe(110_000_000);
  });

  it('holds a frame until the device wakes, when that is within the indirect transmission timeout', () => {
    expect(heldUntil(wake, 100_000_000 - INDIRECT_HOLD_US)).toBe(100_000_000);
    expect(heldUntil(wake, 99_000_000)).toBe(100_000_000);
  });

  it('drops a frame the device would wake for only after the timeout', () => {
    expect(heldUntil(wake, 100_000_000 - INDIRECT_HOLD_US - 1)).toBeUndefined();
    expect(heldUntil(wake, 200_000_000)).toBeUndefined();
  });

  it('never holds a frame for a device that does not sleep', () => {
    expect(heldUntil(undefined, 5)).toBe(5);
  });

  for (const transport of ['frame', 'session'] as const)
    it(`drops a sleeping GSME's Image Notify 7.68 s after it was sent, and the GSME still upgrades (${transport})`, () => {
      const result = runScenarioFile(join(SCENARIOS_DIR, 'gsme-happy-path.yaml'), 1, { transport });
      expect(result.ok).toBe(true);
      const frames = result.runs.flatMap((r) => r.result.trace.frames());
      const notify = frames.find((f) => f.command === 'imageNotify' && f.to === 'gsme');
      expect(notify?.fate).toBe('expired');
      expect((notify?.timeUs ?? 0) - (notify?.sentUs ?? 0)).toBeGreaterThanOrEqual(INDIRECT_HOLD_US);
      expect(frames.some((f) => f.command === 'imageNotify' && f.fate === 'delivered')).toBe(false);
    });
});
