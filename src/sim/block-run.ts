/**
 * The timing of a run of Image Block exchanges (DESIGN.md §3, the session transport's one
 * computed step): the hub serves a block when a request reaches it, the response reaches the
 * device one downlink later (held at the parent until a sleepy device wakes, for the indirect
 * transmission timeout at most: dropped after it, and asked for again when the device's response
 * timer fires at its next wake), and the device
 * sends its next request at once, or after its block period (waiting for its next wake if it
 * sleeps by then), which reaches the hub one uplink later. `blockRunStep` follows it block by
 * block (the definition); `advanceBlockRun` gives the same answer in closed form, a wake window
 * at a time, so a download costs the same whatever its number of blocks.
 */
import { heldUntil, nextAwake, type WakeSchedule } from './link.ts';

/** A run: where it starts and how its exchanges are timed. */
export interface BlockRun {
  /** When the run's first request reaches the hub (its first block is served then), µs. */
  readonly startUs: number;
  readonly fileOffset: number;
  /** Image size: the run ends there. */
  readonly end: number;
  /** Bytes per block (the last may be shorter). */
  readonly chunk: number;
  /** A request from the device to the hub, µs. */
  readonly upUs: number;
  /** A full block's response from the hub to the device, µs. */
  readonly downUs: number;
  /** The last, shorter block's response, µs. */
  readonly lastDownUs: number;
  /** The device's pause between a response and its next request, µs. */
  readonly periodUs: number;
  readonly wake?: WakeSchedule;
  /**
   * The device's response timeout, µs: a response its parent drops (the device asleep past the
   * indirect transmission timeout) is asked for again when the timer fires, at the device's next
   * wake. Absent: the run stops short of such a response.
   */
  readonly timeoutUs?: number;
}

/** Where a run has got to. */
export interface BlockRunProgress {
  /** Blocks whose response has arrived. */
  readonly blocks: number;
  /** Where the bytes received end. */
  readonly offset: number;
  /** When the last of those blocks' requests reached the hub, µs (−1: none). */
  readonly lastRequestUs: number;
  /** When the last of those responses reached the device, µs (−1: none). */
  readonly lastResponseUs: number;
  /** Responses dropped at a sleepy device's parent, each asked for again. */
  readonly dropped: number;
}

/** When the device sends its next request after a response at `responseUs`. */
function nextSend(run: BlockRun, responseUs: number): number {
  return run.periodUs > 0 ? nextAwake(run.wake, responseUs + run.periodUs) : responseUs;
}

/** Progress and the time the next request reaches the hub. */
interface Cursor {
  blocks: number;
  offset: number;
  lastRequestUs: number;
  lastResponseUs: number;
  dropped: number;
  /** When the next request reaches the hub, µs. */
  at: number;
}

/** One block exchange from `c`: false (and `c` unchanged) when its response would come at or after `beforeUs`. */
function oneBlock(run: BlockRun, c: Cursor, beforeUs: number): boolean {
  const data = Math.min(run.chunk, run.end - c.offset);
  const down = data === run.chunk ? run.downUs : run.lastDownUs;
  let arrives = heldUntil(run.wake, c.at + down);
  let at = c.at;
  let dropped = 0;
  // A response its parent drops (the device asleep past the hold): the device's response timer,
  // armed when it sent the request, fires at its next wake, and it sends the request again.
  while (arrives === undefined) {
    if (run.timeoutUs === undefined) return false;
    at = nextAwake(run.wake, at - run.upUs + run.timeoutUs) + run.upUs;
    arrives = heldUntil(run.wake, at + down);
    dropped++;
  }
  if (arrives >= beforeUs) return false;
  c.dropped += dropped;
  c.at = at;
  c.blocks++;
  c.offset += data;
  c.lastRequestUs = c.at;
  c.lastResponseUs = arrives;
  c.at = nextSend(run, arrives) + run.upUs;
  return true;
}

function start(run: BlockRun): Cursor {
  return {
    blocks: 0,
    offset: run.fileOffset,
    lastRequestUs: -1,
    lastResponseUs: -1,
    dropped: 0,
    at: run.startUs,
  };
}

function progressOf(c: Cursor): BlockRunProgress {
  return {
    blocks: c.blocks,
    offset: c.offset,
    lastRequestUs: c.lastRequestUs,
    lastResponseUs: c.lastResponseUs,
    dropped: c.dropped,
  };
}

/**
 * The run block by block, up to the first block whose response would arrive at or after
 * `beforeUs`, or the block that takes the bytes to `stopOffset` or beyond (included).
 */
export function blockRunStep(run: BlockRun, beforeUs: number, stopOffset: number): BlockRunProgress {
  const c = start(run);
  while (c.offset < run.end && c.offset < stopOffset && oneBlock(run, c, beforeUs));
  return progressOf(c);
}

/** The same as `blockRunStep`, skipping the full blocks that follow one another within a wake window. */
export function advanceBlockRun(run: BlockRun, beforeUs: number, stopOffset: number): BlockRunProgress {
  const stop = Math.min(run.end, stopOffset);
  const fullEnd = run.fileOffset + Math.floor((run.end - run.fileOffset) / run.chunk) * run.chunk;
  const cycleUs = run.downUs + run.periodUs + run.upUs;
  const c = start(run);
  while (c.offset < stop) {
    // Full blocks that can go in a row: their responses (and the sends after them) while awake.
    const rowMax = Math.min(
      Math.ceil((Math.min(stop, fullEnd) - c.offset) / run.chunk),
      (fullEnd - c.offset) / run.chunk,
    );
    if (rowMax > 1) {
      const first = c.at + run.downUs;
      // The row goes on while a response (and, with a period, the next send) comes before the window closes.
      const closes =
        run.wake && isAwakeAt(run.wake, first) ? windowEnd(run.wake, first) : run.wake ? first : Infinity;
      const lastAllowed = Math.min(
        beforeUs - 1,
        closes - 1 - (run.wake && run.periodUs > 0 ? run.periodUs : 0),
      );
      // Block j of the row (0-based) arrives at first + j·cycle: those at or before lastAllowed,
      // but the row's last block is taken on its own below (its send may wait for a wake).
      const fit =
        lastAllowed >= first ? Math.min(rowMax - 1, Math.floor((lastAllowed - first) / cycleUs) + 1) : 0;
      if (fit > 0) {
        c.blocks += fit;
        c.offset += fit * run.chunk;
        c.lastRequestUs = c.at + (fit - 1) * cycleUs;
        c.lastResponseUs = first + (fit - 1) * cycleUs;
        c.at = c.lastResponseUs + run.periodUs + run.upUs;
        continue;
      }
    }
    if (!oneBlock(run, c, beforeUs)) break;
  }
  return progressOf(c);
}

function isAwakeAt(wake: WakeSchedule, t: number): boolean {
  return nextAwake(wake, t) === t;
}

/** The end of the wake window `t` is in (`t` awake). */
function windowEnd(wake: WakeSchedule, t: number): number {
  const into = (((t - wake.phaseUs) % wake.intervalUs) + wake.intervalUs) % wake.intervalUs;
  return t - into + wake.awakeUs;
}
