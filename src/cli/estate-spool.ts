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
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../bytes/hex.ts';
import { type BucketedEstate, bucketedTable, bucketOfHub, countEntry } from '../campaign/estate-buckets.ts';
import { sha256, sha256Stream } from '../crypto/hashes.ts';
import { DecodeError } from '../errors/errors.ts';
import type { EstateDevice } from '../pathways/estate.ts';
import { type EstateColumns, EstateScanner, estateDevice, FullReadNeeded } from '../pathways/estate-scan.ts';
import { readEstateTable } from './catalog-input.ts';
import { CliError } from './cli-error.ts';
import { type CliContext, TABLE_INPUT_LIMIT } from './context.ts';

/** Most spool files per estate: consecutive buckets share one, read whole when one of them runs. */
const MAX_SPOOLS = 64;
/** Bytes buffered per spool before it is written out. */
const SPOOL_BUFFER = 256 * 1024;
/** Record header: bucket (u32), row index (u32), line length (u32), little-endian. */
const RECORD_HEADER = 12;

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
}

/** An estate read whole (a file the scanner cannot stream); workers read it again themselves. */
export interface WholeEstate {
  readonly kind: 'whole';
  readonly file: string;
  /** SHA-256 of the file, lowercase hex. */
  readonly digest: string;
}

/** The spool file of bucket `b`. */
function spoolOf(b: number, bucketCount: number, spools: number): number {
  return Math.floor((b * spools) / bucketCount);
}

/**
 * Streams `file` into spools of the buckets `wanted` (all when undefined), in a new folder under
 * `parent` (the system's temporary folder: `TMPDIR`); errors name the file, as reading it whole
 * would.
 */
export function spoolEstate(
  ctx: CliContext,
  file: string,
  bucketCount: number,
  wanted?: ReadonlySet<number>,
  parent = tmpdir(),
): EstateSpool | WholeEstate {
  const spools = Math.min(MAX_SPOOLS, bucketCount);
  const dir = mkdtempSync(join(parent, 'hanota-estate-'));
  const buffers = Array.from({ length: spools }, () => ({ bytes: new Uint8Array(SPOOL_BUFFER), used: 0 }));
  const fds = new Array<number | undefined>(spools);
  const flush = (s: number) => {
    const buffer = buffers[s] as (typeof buffers)[number];
    if (buffer.used === 0) return;
    fds[s] ??= openSync(join(dir, `spool-${s}`), 'w');
    writeSync(fds[s] as number, buffer.bytes, 0, buffer.used);
    buffer.used = 0;
  };
  const entryCounts = new Map<string, Int32Array>();
  const scanner = new EstateScanner((row) => {
    const bucket = bucketOfHub(row.hubId, bucketCount);
    countEntry(entryCounts, row.cplEntryId, bucket, bucketCount);
    if (wanted && !wanted.has(bucket)) return;
    const s = spoolOf(bucket, bucketCount, spools);
    let buffer = buffers[s] as (typeof buffers)[number];
    const size = RECORD_HEADER + row.line.length;
    if (buffer.used + size > buffer.bytes.length) {
      flush(s);
      if (size > buffer.bytes.length) {
        buffer = { bytes: new Uint8Array(size), used: 0 };
        buffers[s] = buffer;
      }
    }
    const view = new DataView(buffer.bytes.buffer, buffer.bytes.byteOffset + buffer.used, RECORD_HEADER);
    view.setUint32(0, bucket, true);
    view.setUint32(4, row.index, true);
    view.setUint32(8, row.line.length, true);
    buffer.bytes.set(row.line, buffer.used + RECORD_HEADER);
    buffer.used += size;
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
      return { kind: 'spool', dir, spools, bucketCount, length: scanner.rows, columns, entryCounts, digest };
    } finally {
      for (const fd of fds) if (fd !== undefined) closeSync(fd);
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    if (error instanceof FullReadNeeded)
      return { kind: 'whole', file, digest: toHex(sha256(ctx.io.readFile(file, TABLE_INPUT_LIMIT))) };
    if (error instanceof DecodeError) throw new CliError(error.code, `${file}: ${error.message}`);
    throw error;
  }
}

/** Removes a spool's folder (nothing for an estate read whole). */
export function removeSpool(estate: EstateSpool | WholeEstate): void {
  if (estate.kind === 'spool') rmSync(estate.dir, { recursive: true, force: true });
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
  if (estate.kind === 'whole') return bucketedTable(readEstateTable(ctx, estate.file), bucketCount);
  const { dir, spools, columns } = estate;
  let cached: { spool: number; bytes: Uint8Array } | undefined;
  const bytesOf = (s: number): Uint8Array => {
    if (cached?.spool !== s) {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(join(dir, `spool-${s}`));
      } catch (error) {
        // A spool without rows was never written.
        if ((error as { code?: string }).code !== 'ENOENT') throw error;
        bytes = new Uint8Array(0);
      }
      cached = { spool: s, bytes };
    }
    return cached.bytes;
  };
  return {
    length: estate.length,
    bucketCount: estate.bucketCount,
    entryCounts: estate.entryCounts,
    devicesOf: (b) => {
      const bytes = bytesOf(spoolOf(b, estate.bucketCount, spools));
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const devices: EstateDevice[] = [];
      for (let at = 0; at < bytes.length; ) {
        const length = view.getUint32(at + 8, true);
        if (view.getUint32(at, true) === b)
          devices.push(
            estateDevice(
              columns,
              view.getUint32(at + 4, true),
              bytes.subarray(at + RECORD_HEADER, at + RECORD_HEADER + length),
            ),
          );
        at += RECORD_HEADER + length;
      }
      return devices;
    },
  };
}
