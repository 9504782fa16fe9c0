/**
 * What `hanota campaign` writes as it goes: the per-device outcome file (CSV, or JSON Lines for a
 * name ending .jsonl or .ndjson), written bucket by bucket in bucket order so that no run holds
 * every device's outcome, and the progress line on a terminal.
 */

import type { SessionProgress } from '../campaign/bucket-input.ts';
import type { DeviceOutcome } from '../campaign/report.ts';
import type { CliIo, OutputFile, ProgressLine } from './context.ts';

const CSV_HEADER =
  'mode,device_id,hub_id,from,target,status,entry,hops,group,started_ms,on_target_ms,error_ms,reason';

function csvLine(mode: string, o: DeviceOutcome): string {
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const ms = (v: number | undefined) => (v === undefined ? '' : String(v));
  return [
    mode,
    o.deviceId,
    o.hubId,
    o.from,
    o.target ?? '',
    o.status,
    o.entry,
    o.hops.join(';'),
    o.group ?? '',
    ms(o.startedMs),
    ms(o.onTargetMs),
    ms(o.errorMs),
    o.reason ?? '',
  ]
    .map(quote)
    .join(',');
}

/** The per-device outcome file, written a bucket at a time. */
export class DevicesFile {
  readonly #file: OutputFile;
  readonly #jsonLines: boolean;

  constructor(io: CliIo, path: string) {
    this.#file = io.openFile(path);
    this.#jsonLines = /\.(jsonl|ndjson)$/i.test(path);
    if (!this.#jsonLines) this.#file.write(`${CSV_HEADER}\n`);
  }

  /** Appends the outcomes of one bucket of a run in `mode`. */
  write(mode: string, outcomes: readonly DeviceOutcome[]): void {
    const lines: string[] = [];
    for (const o of outcomes) lines.push(this.#jsonLines ? JSON.stringify({ mode, ...o }) : csvLine(mode, o));
    if (lines.length) this.#file.write(`${lines.join('\n')}\n`);
  }

  close(): void {
    this.#file.close();
  }
}

/**
 * Hands buckets' outcomes on in bucket order whatever order they end in (workers finish buckets
 * out of order), holding only those that arrive early.
 */
export class BucketOrder {
  readonly #order: readonly number[];
  readonly #early = new Map<number, readonly DeviceOutcome[]>();
  readonly #emit: (outcomes: readonly DeviceOutcome[]) => void;
  #next = 0;

  constructor(order: readonly number[], emit: (outcomes: readonly DeviceOutcome[]) => void) {
    this.#order = order;
    this.#emit = emit;
  }

  /** Bucket `bucket` ended with these outcomes. */
  add(bucket: number, outcomes: readonly DeviceOutcome[]): void {
    this.#early.set(bucket, outcomes);
    for (
      let b = this.#order[this.#next];
      b !== undefined && this.#early.has(b);
      b = this.#order[this.#next]
    ) {
      this.#emit(this.#early.get(b) as readonly DeviceOutcome[]);
      this.#early.delete(b);
      this.#next++;
    }
  }
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m ${s % 60}s`
      : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/**
 * The progress of a campaign on one terminal line: mode, simulated days done, devices finished,
 * and an ETA from the wall time so far. Each bucket counts for the share of finished devices in
 * it (1 once it ends); the ETA assumes the rest goes at the same pace.
 */
export class CampaignProgress {
  readonly #line: ProgressLine;
  readonly #buckets: number;
  readonly #modes: number;
  readonly #started: number;
  readonly #state = new Map<number, SessionProgress & { done: boolean }>();
  #mode = '';
  #modeIndex = -1;
  #drawn = Number.NEGATIVE_INFINITY;

  constructor(line: ProgressLine, buckets: number, modes: number) {
    this.#line = line;
    this.#buckets = buckets;
    this.#modes = modes;
    this.#started = line.now();
  }

  /** A run in `mode` starts. */
  mode(mode: string): void {
    this.#mode = mode;
    this.#modeIndex++;
    this.#state.clear();
  }

  /** Where bucket `bucket` is. */
  update(bucket: number, progress: SessionProgress): void {
    this.#state.set(bucket, { ...progress, done: false });
    this.#draw(false);
  }

  /** Bucket `bucket` ended. */
  done(bucket: number): void {
    const last = this.#state.get(bucket) ?? { simulatedUs: 0, maxTimeUs: 0, finished: 0, devices: 0 };
    this.#state.set(bucket, { ...last, done: true });
    this.#draw(true);
  }

  #draw(always: boolean): void {
    const now = this.#line.now();
    if (!always && now - this.#drawn < 200) return;
    this.#drawn = now;
    let share = 0;
    let finished = 0;
    let days = 0;
    for (const p of this.#state.values()) {
      share += p.done ? 1 : p.devices ? p.finished / p.devices : 0;
      finished += p.finished;
      days = Math.max(days, p.simulatedUs / 86_400_000_000);
    }
    const fraction = (this.#modeIndex + share / this.#buckets) / this.#modes;
    const elapsed = now - this.#started;
    const eta = fraction > 0 ? duration((elapsed * (1 - fraction)) / fraction) : '?';
    this.#line.draw(
      `campaign ${this.#mode}: day ${days.toFixed(1)} simulated, ${finished.toLocaleString('en-GB')} devices finished, ${(fraction * 100).toFixed(0)}% · ETA ${eta}`,
    );
  }

  clear(): void {
    this.#line.clear();
  }
}
