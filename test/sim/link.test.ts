/** The link model: airtime from the PHY rate, loss and duplication rates, duty cycle, wake schedules. */
import { describe, expect, it } from 'vitest';
import { airtimeUs, isAwake, LinkDirection, nextAwake } from '../../src/sim/link.ts';
import { RngStreams } from '../../src/sim/rng.ts';
import { fcs16 } from '../../src/sim/zigbee-stack.ts';

describe('link model', () => {
  it('computes 2.4 GHz airtime at 32 µs per byte including PHY and stack overhead', () => {
    // 6 PHY bytes + 27 MAC/NWK/APS bytes + 81-byte block response = 114 bytes.
    expect(airtimeUs(81, '2.4GHz')).toBe(114 * 32);
    expect(airtimeUs(81, 'subGHz')).toBe((12 + 27 + 81) * 80);
  });

  it('loses and duplicates frames at about the configured rates', () => {
    const link = new LinkDirection({
      band: '2.4GHz',
      latencyUs: 1000,
      jitterUs: 0,
      lossProbability: 0.3,
      duplicateProbability: 0.1,
    });
    const rng = new RngStreams(9).stream('link');
    let lost = 0;
    let duplicated = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const copies = link.send(50, i * 10_000, rng).length;
      if (copies === 0) lost++;
      if (copies === 2) duplicated++;
    }
    expect(lost / n).toBeCloseTo(0.3, 1);
    expect(duplicated / (n - lost)).toBeCloseTo(0.1, 1);
  });

  it('sends one frame at a time and delays arrivals by airtime plus latency', () => {
    const link = new LinkDirection({
      band: '2.4GHz',
      latencyUs: 1000,
      jitterUs: 0,
      lossProbability: 0,
      duplicateProbability: 0,
    });
    const rng = new RngStreams(1).stream('x');
    const first = link.send(20, 0, rng);
    const second = link.send(20, 0, rng);
    expect(first).toEqual([airtimeUs(20, '2.4GHz') + 1000]);
    expect(second).toEqual([2 * airtimeUs(20, '2.4GHz') + 1000]);
  });

  it('keeps a sub-GHz link within its hourly duty-cycle budget', () => {
    const link = new LinkDirection({
      band: 'subGHz',
      latencyUs: 0,
      jitterUs: 0,
      lossProbability: 0,
      duplicateProbability: 0,
      dutyCycle: 0.01,
    });
    const rng = new RngStreams(1).stream('x');
    const airtime = airtimeUs(100, 'subGHz');
    const perHour = Math.floor((3_600_000_000 * 0.01) / airtime);
    const arrivals = Array.from({ length: perHour + 1 }, () => link.send(100, 0, rng)[0] as number);
    expect(arrivals[perHour - 1]).toBeLessThan(3_600_000_000);
    expect(arrivals[perHour]).toBeGreaterThanOrEqual(3_600_000_000);
  });

  it('finds the next wake of a sleepy device', () => {
    const schedule = { intervalUs: 1000, awakeUs: 100, phaseUs: 250 };
    expect(isAwake(schedule, 250)).toBe(true);
    expect(isAwake(schedule, 349)).toBe(true);
    expect(isAwake(schedule, 350)).toBe(false);
    expect(nextAwake(schedule, 350)).toBe(1250);
    expect(nextAwake(schedule, 1300)).toBe(1300);
    expect(nextAwake(undefined, 77)).toBe(77);
  });

  it('computes the 802.15.4 FCS (CRC-16/KERMIT check value)', () => {
    expect(fcs16(new TextEncoder().encode('123456789'))).toBe(0x2189);
  });
});
