/**
 * What the `library` commands share: `--library DIR`, the store over the real filesystem, and the
 * errors of a damaged library named as input errors. The filesystem port is here (only cli/
 * touches the filesystem): durable writes are flushed before they are renamed into place, the
 * lock file is created exclusively.
 */

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { Argv } from 'yargs';
import { HanotaError } from '../errors/errors.ts';
import type { LibraryIndex } from '../firmware-library/library-index.ts';
import { LibraryStore, type StoreFs } from '../firmware-library/store.ts';
import { parseSupplierChanges, visibleTo } from '../firmware-library/visibility.ts';
import { decodeCsv } from '../pathways/csv.ts';
import { readCatalog, readEstate } from './catalog-input.ts';
import { CliError, inputError } from './cli-error.ts';
import type { CliContext } from './context.ts';

let temporaryCount = 0;

/** The real filesystem, as the store uses it; its failures name the path. */
export const nodeStoreFs: StoreFs = {
  read: (path) => (existsSync(path) ? new Uint8Array(readFileSync(path)) : undefined),
  writeDurable: (path, data) => {
    // A temporary name is new: never open one another writer has.
    const fd = openSync(path, 'wx');
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  rename: (from, to) => {
    renameSync(from, to);
    // The rename itself made durable: the folder's entry flushed too.
    const dir = openSync(dirname(to), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  },
  createExclusive: (path, data) => {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (error) {
      if ((error as { code?: string }).code === 'EEXIST') return false;
      throw error;
    }
    try {
      writeSync(fd, data);
    } finally {
      closeSync(fd);
    }
    return true;
  },
  remove: (path) => rmSync(path, { force: true }),
  makeDir: (path) => {
    mkdirSync(path, { recursive: true });
  },
  hasEntries: (dir) => existsSync(dir) && readdirSync(dir).length > 0,
  // Unique per process, per call and at random (two containers may both be pid 1): two adds at
  // once never write the same temporary file.
  temporaryName: (path) => `${path}.${process.pid}.${randomBytes(6).toString('hex')}.${temporaryCount++}.tmp`,
};

/** `--library DIR`. */
export function withLibrary<T>(y: Argv<T>) {
  return y.option('library', {
    type: 'string',
    demandOption: true,
    describe: 'the library folder (created by the first add)',
  });
}

/** A short wait between attempts at the lock (another add holds it). */
function pause(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
}

/** The store `--library` names; only an add makes the folder, every other use needs it there. */
export function libraryOf(argv: Record<string, unknown>, create = false): LibraryStore {
  const dir = String(argv.library);
  if (!create && !existsSync(dir))
    throw new CliError(
      'LIBRARY_MISSING',
      `--library ${dir}: no such folder (\`hanota library add\` makes one)`,
    );
  try {
    nodeStoreFs.makeDir(dir);
  } catch (error) {
    throw new CliError(
      'DIRECTORY_UNWRITABLE',
      `--library ${dir}: cannot create the folder: ${(error as Error).message}`,
    );
  }
  return new LibraryStore(nodeStoreFs, dir, pause);
}

/** Runs `work` on the library, its errors (a damaged index, a corrupted object) named as input errors. */
export function withStore<T>(
  argv: Record<string, unknown>,
  work: (store: LibraryStore) => T,
  create = false,
): T {
  const store = libraryOf(argv, create);
  try {
    return work(store);
  } catch (error) {
    if (error instanceof HanotaError && !(error instanceof CliError))
      throw inputError(`--library ${String(argv.library)}`, error);
    throw error;
  }
}

/** An entry of the (viewed) index by ID, or a clear error; `as` names the supplier of a view. */
export function heldEntry(index: LibraryIndex, id: string, library: string, as?: unknown) {
  const entry = index.entries.find((e) => e.cplEntryId === id);
  if (!entry)
    throw new CliError(
      'LIBRARY_NO_ENTRY',
      as === undefined
        ? `--library ${library}: holds no image for CPL entry ${id}`
        : `--library ${library}: no image for CPL entry ${id} that supplier ${String(as)} may see (none held, or not of a model in its estate)`,
    );
  return entry;
}

/** `--as SUPPLIER --estate FILE [--changes FILE] [--catalog FILE]`: a supplier's view. */
export function withSupplierView<T>(y: Argv<T>) {
  return y
    .option('as', {
      type: 'string',
      describe:
        "show only what this supplier may see: its devices' models and hardware versions (needs --estate)",
    })
    .option('estate', {
      type: 'string',
      describe: "estate CSV whose 'supplier' column says who supplies each device",
    })
    .option('changes', {
      type: 'string',
      describe: 'changes of supplier since the estate, in order: CSV device_id,supplier',
    })
    .option('catalog', {
      type: 'string',
      describe: "CPL/FIR catalog: the models of devices' entries the library lacks",
    });
}

/**
 * The supplier views `--estate`, `--changes` and `--catalog` give, their files read once: a
 * function from the index and a supplier (none: the whole index) to what that supplier may see.
 */
export function supplierViews(
  ctx: CliContext,
  argv: Record<string, unknown>,
): (index: LibraryIndex, supplier: string | undefined) => LibraryIndex {
  if (typeof argv.estate !== 'string')
    return (index, supplier) => {
      if (supplier === undefined) return index;
      throw new CliError('BAD_ARGUMENT', '--as: needs --estate (who supplies which device)');
    };
  const estateFile = argv.estate;
  const estate = readEstate(ctx, estateFile);
  let changes: ReturnType<typeof parseSupplierChanges> = [];
  if (typeof argv.changes === 'string') {
    const file = argv.changes;
    try {
      changes = parseSupplierChanges(decodeCsv(ctx.io.readFile(file)));
    } catch (error) {
      throw inputError(file, error);
    }
  }
  const catalog = typeof argv.catalog === 'string' ? readCatalog(ctx, argv.catalog) : undefined;
  return (index, supplier) => {
    if (supplier === undefined) return index;
    try {
      return {
        version: index.version,
        entries: visibleTo(supplier, index, estate, changes, catalog).entries,
      };
    } catch (error) {
      throw inputError(
        typeof argv.changes === 'string'
          ? `--estate ${estateFile} / --changes ${argv.changes}`
          : `--estate ${estateFile}`,
        error,
      );
    }
  };
}

/** The index as the view asks: whole, or only what `--as` may see. */
export function viewOf(ctx: CliContext, argv: Record<string, unknown>, index: LibraryIndex): LibraryIndex {
  return argv.as === undefined ? index : supplierViews(ctx, argv)(index, String(argv.as));
}
