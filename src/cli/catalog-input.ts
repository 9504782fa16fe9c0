/**
 * Reading catalog and estate CSV files for the pathway commands: errors name the file, row and
 * column, and for bytes that are not UTF-8 the byte offset.
 */
import { DecodeError } from '../errors/errors.ts';
import { type Catalog, loadCatalog } from '../pathways/catalog.ts';
import { type EstateDevice, loadEstate } from '../pathways/estate.ts';
import { CliError } from './cli-error.ts';
import { type CliContext, TABLE_INPUT_LIMIT } from './context.ts';

function readCsv<T>(ctx: CliContext, file: string, load: (bytes: Uint8Array) => T): T {
  const bytes = ctx.io.readFile(file, TABLE_INPUT_LIMIT);
  try {
    return load(bytes);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    // An encoding error's offset counts bytes of the file, which a hex editor can go to; the
    // other CSV errors count characters, and their row and column are what a reader can use.
    if (error.code === 'CSV_ENCODING')
      throw new CliError(error.code, `${file}: ${error.message}`, error.offset);
    throw new CliError(error.code, `${file}: ${error.message}`);
  }
}

/** Reads and loads a catalog CSV. */
export function readCatalog(ctx: CliContext, file: string): Catalog {
  return readCsv(ctx, file, loadCatalog);
}

/** Reads and loads an estate CSV. */
export function readEstate(ctx: CliContext, file: string): EstateDevice[] {
  return readCsv(ctx, file, loadEstate);
}
