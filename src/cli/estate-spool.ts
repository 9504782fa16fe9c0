/**
 * A campaign's estate streamed into bucket spools (DESIGN.md §3 "Scale-out": memory bounded by the
 * buckets in flight, not the estate). The file is read once, a piece at a time; each row is
 * checked (src/pathways/estate-scan.ts), its hub's bucket found, and its bytes appended to the
 * spool file of that bucket's range — only for the buckets this process (or shard) runs. Workers
 * then read the spools of the buckets they claim, never the estate. What the whole estate leaves
 * in memory is its count of devices per entry and bucket, and 8 bytes per device while the file is
 * read (to find a device listed twice). The spools live in a temporary folder removed at the end.
 *
 * An estate the scanner cannot read row by row (quoted fields, say) is read whole, as before,
 * within `TABLE_INPUT_LIMIT`, and bucketed in memory: the same devices and errors.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../bytes/hex.ts';
import {
  type BucketedEstate,
  bucketedTable,
  bucketOfHubHash,
  countEntry,
} from '../campaign/estate-buckets.ts';
import { sha256, sha256Stream } from '../crypto/hashes.ts';
import { DecodeError } from '../errors/errors.ts';
import type { EstateDevice } from '../pathways/estate.ts';
import { type EstateColumns, EstateScanner, estateDevice, FullReadNeeded } from '../pathways/estate-scan.ts';
import { readEstate } from './catalog-input.ts';
import { CliError } from './cli-error.ts';
import { type CliContext, TABLE_INPUT_LIMIT } from './context.ts';

/** Most spool files per estate: consecutive buckets share one, read whole when one of them runs. */
const MAX_SPOOLS = 64;
/** Bytes buffered per spool before it is written out. */
const SPOOL_BUFFER = 256 * 1024;
/** Record header: bucket (u32), row index (u32), line length (u32), little-endian. */
const RECORD_HEADER = 12;
/**
 * Most bytes one spool file may hold: a bucket's spool is read back whole, and Node reads at most
 * 2 GiB into one buffer (records are also found by 32-bit offsets).
 */
export const MAX_SPOOL_BYTES = 2 ** 31 - 1;

/**
 * A streamed estate as workers receive it (structured-cloneable): where its spools are and what
 * the whole estate says per bucket.
 */
export interface EstateSpool {
  readonly kind: 'spool';
  readonly dir: string;
  readonly spools: number;
  readonly bucketCount: number;
  readonly length: number;
  readonly columns: EstateColumns;
  readonly entryCounts: ReadonlyMap<string, Int32Array>;
  /** SHA-256 of the file, lowercase hex. */
  readonly digest: string;
  /** The spool files written (the others had no rows). */
  readonly written: readonly number[];
}

/** An estate read whole (a file the scanner cannot stream); workers read it again themselves. */
export interface WholeEstate {
  readonly kind: 'whole';
  readonly file: string;
  /** SHA-256 of the file, lowercase hex. */
  readonly digest: string;
}

/** A spool's bytes waiting to be written. */
interface SpoolBuffer {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  used: number;
}

function spoolBuffer(size: number): SpoolBuffer {
  const bytes = new Uint8Array(size);
  return { bytes, view: new DataView(bytes.buffer), used: 0 };
}

/** The spool file of bucket `b`. */
function spoolOf(b: number, bucketCount: number, spools: number): number {
  return Math.floor((b * spools) / bucketCount);
}

/**
 * Streams `file` into spools of the buckets `wanted` (all when undefined), in a new folder under
 * `parent` (the system's temporary folder: `TMPDIR`); errors name the file, as reading it whole
 * would. A spool that would pass `maxSpoolBytes` is refused, saying how many buckets (and, past 64
 * spools' worth, shards) fit.
 */
export function spoolEstate(
  ctx: CliContext,
  file: string,
  bucketCount: number,
  wanted?: ReadonlySet<number>,
  parent = tmpdir(),
  maxSpoolBytes = MAX_SPOOL_BYTES,
): EstateSpool | WholeEstate {
  const spools = Math.min(MAX_SPOOLS, bucketCount);
  // The temporary folder full or not writable is said as such, naming it: never a stack trace.
  const unwritable = (error: unknown) =>
    new CliError(
      'FILE_UNWRITABLE',
      `${parent}: cannot write the estate's spool for ${file} in the temporary folder (TMPDIR): ${(error as Error).message}`,
    );
  let dir: string;
  try {
    dir = mkdtempSync(join(parent, 'hanota-estate-'));
  } catch (error) {
    throw unwritable(error);
  }
  const buffers = Array.from({ length: spools }, () => spoolBuffer(SPOOL_BUFFER));
  const spooled = new Float64Array(spools);
  const fds = new Array<number | undefined>(spools);
  const flush = (s: number) => {
    const buffer = buffers[s] as SpoolBuffer;
    if (buffer.used === 0) return;
    try {
      fds[s] ??= openSync(join(dir, `spool-${s}`), 'w');
      writeSync(fds[s] as number, buffer.bytes, 0, buffer.used);
    } catch (error) {
      throw unwritable(error);
    }
    buffer.used = 0;
  };
  const entryCounts = new Map<string, Int32Array>();
  const scanner = new EstateScanner((row) => {
    const bucket = bucketOfHubHash(row.hubHash, bucketCount);
    countEntry(entryCounts, row.cplEntryId, bucket, bucketCount, shareable);
    if (wanted && !wanted.has(bucket)) return;
    const s = spoolOf(bucket, bucketCount, spools);
    let buffer = buffers[s] as SpoolBuffer;
    const length = row.end - row.begin;
    const size = RECORD_HEADER + length;
    spooled[s] = (spooled[s] as number) + size;
    if ((spooled[s] as number) > maxSpoolBytes) throw tooLarge(file, bucketCount, spools, maxSpoolBytes);
    if (buffer.used + size > buffer.bytes.length) {
      flush(s);
      if (size > buffer.bytes.length) {
        buffer = spoolBuffer(size);
        buffers[s] = buffer;
      }
    }
    const at = buffer.used;
    buffer.view.setUint32(at, bucket, true);
    buffer.view.setUint32(at + 4, row.index, true);
    buffer.view.setUint32(at + 8, length, true);
    const { bytes } = buffer;
    const line = row.bytes;
    for (let k = 0, from = row.begin, to = at + RECORD_HEADER; k < length; k++)
      bytes[to + k] = line[from + k] as number;
    buffer.used = at + size;
  });
  const hash = sha256Stream();
  try {
    try {
      ctx.io.readPieces(file, (piece) => {
        hash.update(piece);
        scanner.push(piece);
      });
      const columns = scanner.end();
      for (let s = 0; s < spools; s++) flush(s);
      const digest = toHex(hash.digest());
      const written = fds.flatMap((fd, s) => (fd === undefined ? [] : [s]));
      return {
        kind: 'spool',
        dir,
        spools,
        bucketCount,
        length: scanner.rows,
        columns,
        entryCounts,
        digest,
        written,
      };
    } finally {
      for (const fd of fds) if (fd !== undefined) closeSync(fd);
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if (error instanceof FullReadNeeded)
      return { kind: 'whole', file, digest: toHex(sha256(ctx.io.readFile(file, TABLE_INPUT_LIMIT))) };
    if (error instanceof DecodeError) {
      // A whole read checks the encoding and the quoting of the whole file before it counts a
      // row's fields: where both readers find faults, its error (the first it finds) is the one
      // every command reports. Past the whole read's bound, the scanner's.
      if (fileSize(file) <= TABLE_INPUT_LIMIT) readEstate(ctx, file);
      throw new CliError(error.code, `${file}: ${error.message}`);
    }
    throw error;
  }
}

/**
 * The error for an estate too large for its buckets: a spool (a share of the buckets, one per
 * bucket up to 64) would pass what can be read back. It names the policy field and what fits:
 * spools of at most half the bound (rows are spread over hubs unevenly), from the file's size and
 * the 12 bytes each row gains in the spool. Past 64 spools, shards as well: a spool holds
 * consecutive buckets and a shard k/n every nth of them, so with at least 64·n buckets each of a
 * shard's spools holds 1/n of what the whole run's would.
 */
function tooLarge(file: string, bucketCount: number, spools: number, maxSpoolBytes: number): CliError {
  const needed = Math.ceil((2 * 1.5 * fileSize(file)) / maxSpoolBytes);
  let what: string;
  if (needed <= MAX_SPOOLS && bucketCount < MAX_SPOOLS)
    what = `set the policy's buckets to ${Math.max(needed, bucketCount + 1)} or more`;
  else {
    const shards = Math.max(2, Math.ceil(needed / MAX_SPOOLS));
    what = `run the campaign in shards (--shard k/n with n at least ${shards}; a shard spools only its own buckets) with the policy's buckets at ${Math.max(bucketCount, MAX_SPOOLS * shards)} or more`;
  }
  return new CliError(
    'ESTATE_TOO_LARGE',
    `${file}: with policy buckets: ${bucketCount} the estate's rows for one spool (1/${spools} of the buckets) pass ${maxSpoolBytes} bytes, the most a bucket's spool can be read back with; ${what} (a few hundred devices per bucket run fastest)`,
  );
}

/**
 * Memory for the counts of devices per entry and bucket: shared, because every worker is given the
 * spool and a `SharedArrayBuffer` reaches each without a copy. (An estate on 2,000 distinct entries
 * with 40,960 buckets counts in 328 MB: copied into two workers that was two thirds of a gigabyte
 * more, and a second of cloning before the first bucket ran.)
 */
function shareable(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(bytes);
}

/** The size of `file` in bytes (0 when it cannot be read: the read that follows says why). */
function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Removes a spool's folder (nothing for an estate read whole). */
export function removeSpool(estate: EstateSpool | WholeEstate): void {
  if (estate.kind === 'spool') rmSync(estate.dir, { recursive: true, force: true });
}

/**
 * Makes a spool (`make`), runs `work` with it, and removes it when the work ends — also when the
 * process is interrupted (SIGINT, SIGTERM), even while the spool is being written: a spool is as
 * large as the estate, and an interrupted run must not leave it in the temporary folder. The
 * signal then does what it would have done.
 */
export async function withSpool<T>(
  make: () => EstateSpool | WholeEstate,
  work: (estate: EstateSpool | WholeEstate) => Promise<T>,
): Promise<T> {
  let estate: EstateSpool | WholeEstate | undefined;
  // A signal during the (synchronous) spooling is handled once it returns: the spool exists then.
  const onSignal = (signal: NodeJS.Signals) => {
    if (estate) removeSpool(estate);
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    estate = make();
    // Let a signal that came while spooling be handled before the work starts.
    await new Promise((resolve) => setImmediate(resolve));
    return await work(estate);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (estate) removeSpool(estate);
  }
}

/**
 * The bucketed estate of a spool: bucket `b`'s devices read from its spool file (the last file
 * read is kept: buckets are run in order, neighbours share a file). A whole estate is read here.
 */
export function openEstate(
  ctx: CliContext,
  estate: EstateSpool | WholeEstate,
  bucketCount: number,
): BucketedEstate {
  if (estate.kind === 'whole') return bucketedTable(readEstate(ctx, estate.file), bucketCount);
  const { dir, spools, columns, bucketCount: count } = estate;
  // The spool last read, with where each of its buckets' records are (in estate order).
  const read = (s: number) => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(join(dir, `spool-${s}`)));
    } catch (error) {
      // A spool without rows was never written; one that was and is gone is no empty bucket.
      if ((error as { code?: string }).code !== 'ENOENT' || estate.written.includes(s))
        throw new CliError(
          'FILE_UNREADABLE',
          `${dir}/spool-${s}: cannot read the estate's spool (was the temporary folder cleaned during the run?): ${(error as Error).message}`,
        );
      bytes = new Uint8Array(0);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Its buckets' records, counted then placed: bucket b's are records[first[b - low] .. first[b - low + 1]).
    const low = Math.ceil((s * count) / spools);
    const first = new Int32Array(Math.ceil(((s + 1) * count) / spools) - low + 1);
    let n = 0;
    for (let at = 0; at < bytes.length; at += RECORD_HEADER + view.getUint32(at + 8, true), n++) {
      const b = view.getUint32(at, true) - low + 1;
      first[b] = (first[b] as number) + 1;
    }
    for (let b = 1; b < first.length; b++) first[b] = (first[b] as number) + (first[b - 1] as number);
    const records = new Int32Array(n);
    const filled = first.slice();
    for (let at = 0; at < bytes.length; at += RECORD_HEADER + view.getUint32(at + 8, true)) {
      const b = view.getUint32(at, true) - low;
      records[filled[b] as number] = at;
      filled[b] = (filled[b] as number) + 1;
    }
    return { spool: s, bytes, view, first, records, low };
  };
  let current: ReturnType<typeof read> | undefined;
  return {
    length: estate.length,
    bucketCount: count,
    entryCounts: estate.entryCounts,
    devicesOf: (b) => {
      const s = spoolOf(b, count, spools);
      if (current?.spool !== s) current = read(s);
      const { bytes, view, first, records, low } = current;
      const devices: EstateDevice[] = [];
      for (let r = first[b - low] as number; r < (first[b - low + 1] as number); r++) {
        const at = records[r] as number;
        const begin = at + RECORD_HEADER;
        devices.push(
          estateDevice(
            columns,
            view.getUint32(at + 4, true),
            bytes,
            begin,
            begin + view.getUint32(at + 8, true),
          ),
        );
      }
      return devices;
    },
  };
}
