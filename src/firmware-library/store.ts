/**
 * The library's store (DESIGN.md §3 "The library"): a folder any user can copy, back up or serve,
 * with no database to install. Files are content-addressed — `objects/<sha256>` holds the bytes
 * whose SHA-256 is its name — and `index.json` (`library-index.ts`) names what is held under
 * which CPL entry. An add writes its objects first (each to a temporary name, flushed, then
 * renamed: an object is whole or absent), then, holding the lock (`lock`, created exclusively),
 * reads the index again, passes the gateway against it, and replaces it with a new one the same
 * way. A crash anywhere leaves the old index in place — at worst an object nothing names — and two
 * adds at once take turns at the lock, the second judged against the first's index. Every read
 * of an object checks its hash: a corrupted file is named, never served.
 *
 * The filesystem is a port (`StoreFs`): the CLI gives the real one; tests give one that fails.
 */
import { toHex } from '../bytes/hex.ts';
import { sha256 } from '../crypto/hashes.ts';
import { HanotaError } from '../errors/errors.ts';
import type { Catalog } from '../pathways/catalog.ts';
import { admit, type GatewayVerdict, type Upload } from './gateway.ts';
import { EMPTY_INDEX, type LibraryIndex, parseLibraryIndex, serializeLibraryIndex } from './library-index.ts';

/** What the store needs of a filesystem; every path is inside the library folder. */
export interface StoreFs {
  /** The file's bytes, or undefined when there is none. */
  read(path: string): Uint8Array | undefined;
  /** Writes the file and flushes it to the disk before returning. */
  writeDurable(path: string, data: Uint8Array): void;
  /** Replaces `to` with `from` in one step. */
  rename(from: string, to: string): void;
  /** Creates the file only if it does not exist; false when it does. */
  createExclusive(path: string, data: Uint8Array): boolean;
  remove(path: string): void;
  makeDir(path: string): void;
  /** A name beside `path` that no other writer (process or store) uses at the same time. */
  temporaryName(path: string): string;
  /** Whether the folder exists and holds any file. */
  hasEntries(dir: string): boolean;
}

/** The library's file names. */
export const STORE_PATHS = {
  index: 'index.json',
  lock: 'lock',
  objects: 'objects',
} as const;

/** How long a writer waits for the lock before it gives up, in attempts of the caller's pause. */
const LOCK_ATTEMPTS = 200;

/** A library folder. */
export class LibraryStore {
  readonly #fs: StoreFs;
  readonly #dir: string;
  readonly #pause: () => void;

  /** The library in `dir`; `pause` waits a little between lock attempts (the caller's clock). */
  constructor(fs: StoreFs, dir: string, pause: () => void = () => {}) {
    this.#fs = fs;
    this.#dir = dir;
    this.#pause = pause;
  }

  #path(name: string): string {
    return `${this.#dir}/${name}`;
  }

  /**
   * The index: empty for a new library; a `DecodeError` naming the field for a damaged one. A
   * library whose index is gone but whose objects are there is not new: reading it is refused,
   * so that no add starts a new index over what it held.
   */
  index(): LibraryIndex {
    const path = this.#path(STORE_PATHS.index);
    const bytes = this.#fs.read(path);
    if (bytes) return parseLibraryIndex(new TextDecoder().decode(bytes));
    if (this.#fs.hasEntries(this.#path(STORE_PATHS.objects)))
      throw new HanotaError(
        'LIBRARY_INDEX_MISSING',
        `${path}: missing, but ${this.#path(STORE_PATHS.objects)} holds images: restore the index from a backup`,
      );
    return EMPTY_INDEX;
  }

  /** The bytes of object `sha256`, checked against its name. */
  object(hash: string): Uint8Array {
    const path = this.#path(`${STORE_PATHS.objects}/${hash}`);
    const bytes = this.#fs.read(path);
    if (!bytes)
      throw new HanotaError('LIBRARY_MISSING', `${path}: the library names it, but it is not there`);
    const got = toHex(sha256(bytes));
    if (got !== hash)
      throw new HanotaError('LIBRARY_CORRUPT', `${path}: its SHA-256 is ${got}: the file is corrupted`);
    return bytes;
  }

  /** Stores `data` under its SHA-256 (whole or not at all); its hash. */
  put(data: Uint8Array): string {
    const hash = toHex(sha256(data));
    const objects = this.#path(STORE_PATHS.objects);
    this.#fs.makeDir(objects);
    const final = `${objects}/${hash}`;
    const existing = this.#fs.read(final);
    if (existing && toHex(sha256(existing)) === hash) return hash;
    const temporary = this.#fs.temporaryName(final);
    this.#fs.writeDurable(temporary, data);
    this.#fs.rename(temporary, final);
    return hash;
  }

  /**
   * Offers an image to the library: its objects stored, then — under the lock, against the index
   * as it is then — the gateway's verdict and, when it passes, the new index in place.
   */
  add(
    image: Uint8Array,
    offer: Omit<Upload, 'bytes' | 'releaseNotesSha256'> & { readonly releaseNotes?: Uint8Array },
    catalog: Catalog,
  ): GatewayVerdict {
    const { releaseNotes, ...rest } = offer;
    // Judged once without the lock so that a refused image writes nothing.
    const first = admit({ ...rest, bytes: image }, catalog, this.index());
    if (!first.ok) return first;
    // A new library gets its (empty) index before its first object: from then on, objects without
    // an index mean a lost index, never a new library.
    if (!this.#fs.read(this.#path(STORE_PATHS.index))) this.#locked(() => this.#writeIndex(this.index()));
    const notes = releaseNotes ? this.put(releaseNotes) : undefined;
    this.put(image);
    return this.#locked(() => {
      const verdict = admit(
        { ...rest, bytes: image, ...(notes && { releaseNotesSha256: notes }) },
        catalog,
        this.index(),
      );
      if (!verdict.ok) return verdict;
      const index = this.index();
      this.#writeIndex({ version: index.version, entries: [...index.entries, verdict.entry] });
      return verdict;
    });
  }

  /** Replaces the index whole: written beside it, flushed, renamed over it. */
  #writeIndex(index: LibraryIndex): void {
    const temporary = this.#fs.temporaryName(this.#path(STORE_PATHS.index));
    this.#fs.writeDurable(temporary, new TextEncoder().encode(serializeLibraryIndex(index)));
    this.#fs.rename(temporary, this.#path(STORE_PATHS.index));
  }

  #locked<T>(work: () => T): T {
    const lock = this.#path(STORE_PATHS.lock);
    for (let attempt = 0; !this.#fs.createExclusive(lock, new Uint8Array(0)); attempt++) {
      if (attempt >= LOCK_ATTEMPTS)
        throw new HanotaError(
          'LIBRARY_LOCKED',
          `${lock}: another add holds the library; if none is running, a crashed one left this file: remove it`,
        );
      this.#pause();
    }
    try {
      return work();
    } finally {
      this.#fs.remove(lock);
    }
  }
}
