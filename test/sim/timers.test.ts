/** Lazily rescheduled timers: due at their last deadline, never early, never after cancel, one clock event at a time. */
import { expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/clock.ts';
import { LazyTimers } from '../../src/sim/timers.ts';

function fired(clock: VirtualClock<string>, timers: LazyTimers<string>): [number, string][] {
  const out: [number, string][] = [];
  for (let e = clock.next(); e; e = clock.next())
    if (timers.due(e.payload, e.payload)) out.push([e.time, e.payload]);
  return out;
}

it('fires a timer at its latest deadline, once, however often it was re-armed', () => {
  const clock = new VirtualClock<string>();
  const timers = new LazyTimers(clock);
  timers.set('response', 100, 'response');
  timers.set('response', 150, 'response');
  timers.set('response', 120, 'response');
  expect(clock.pending).toBe(1);
  expect(fired(clock, timers)).toEqual([[120, 'response']]);
});

it('fires an earlier deadline early, and ignores the stale later event', () => {
  const clock = new VirtualClock<string>();
  const timers = new LazyTimers(clock);
  timers.set('t', 500, 't');
  timers.set('t', 50, 't');
  expect(fired(clock, timers)).toEqual([[50, 't']]);
});

it('does not fire a cancelled timer, and fires one re-armed after cancelling', () => {
  const clock = new VirtualClock<string>();
  const timers = new LazyTimers(clock);
  timers.set('a', 100, 'a');
  timers.cancel('a');
  timers.set('b', 30, 'b');
  expect(timers.armed('a')).toBe(false);
  expect(fired(clock, timers)).toEqual([[30, 'b']]);
  timers.cancel('a');
  // The cancelled timer's clock event went with it: the clock stopped at 30, not 100.
  timers.set('a', 10, 'a');
  expect(fired(clock, timers)).toEqual([[40, 'a']]);
});
