/**
 * Parked polls (src/sim/idle-polls.ts): taken out, a device's next poll falls where sending every
 * poll would have put it — on a periodic rhythm, on a sleepy device's wake windows, and now when
 * one would be in flight — checked against walking the polls one by one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IdlePolls } from '../../src/sim/idle-polls.ts';
import { nextAwake } from '../../src/sim/link.ts';

/** The next poll walked one by one: the reference. */
function walked(dueUs: number, flightUs: number, nowUs: number, next: (t: number, f: number) => number) {
  if (dueUs >= nowUs) return dueUs;
  let sent = dueUs;
  for (;;) {
    const following = next(sent, flightUs);
    if (following > nowUs) return nowUs - sent < flightUs ? nowUs : following;
    sent = following;
  }
}

describe('parked polls', () => {
  it('keeps the rhythm of interval plus round trip', () => {
    const polls = new IdlePolls();
    polls.park('d', 1_000, 10);
    const next = (t: number, f: number) => t + f + 300;
    expect(polls.unpark('d', 5_000, next)).toBe(walked(1_000, 10, 5_000, next));
    expect(polls.parked('d')).toBe(false);
    expect(polls.unpark('d', 5_000, next)).toBeUndefined();
  });

  it('asks now when a poll would be in flight', () => {
    const polls = new IdlePolls();
    polls.park('d', 1_000, 10);
    expect(polls.unpark('d', 1_005, (t, f) => t + f + 300)).toBe(1_005);
  });

  it('agrees with walking every poll, awake or sleepy, over any span', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 2_000_000 }),
        fc.integer({ min: 0, max: 50_000_000 }),
        fc.option(
          fc.record({
            intervalUs: fc.integer({ min: 100_000, max: 5_000_000 }),
            awakeUs: fc.integer({ min: 10_000, max: 90_000 }),
            phaseUs: fc.integer({ min: 0, max: 99_999 }),
          }),
          { nil: undefined },
        ),
        (dueUs, flightUs, intervalUs, spanUs, wake) => {
          const next = (t: number, f: number) => nextAwake(wake, t + f + intervalUs);
          const polls = new IdlePolls();
          polls.park('d', dueUs, flightUs);
          expect(polls.unpark('d', dueUs + spanUs, next, wake?.intervalUs)).toBe(
            walked(dueUs, flightUs, dueUs + spanUs, next),
          );
        },
      ),
    );
  });
});
