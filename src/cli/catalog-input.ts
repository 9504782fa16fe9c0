/** Reading catalog and estate CSV files for the pathway commands: errors name the file, row and column. */
import { DecodeError } from '../errors/errors.ts';
import { type Catalog, loadCatalog } from '../pathways/catalog.ts';
import { type EstateDevice, loadEstate } from '../pathways/estate.ts';
import { CliError } from './cli-error.ts';
import type { CliContext } from './context.ts';

function readCsv<T>(ctx: CliContext, file: string, load: (text: string) => T): T {
  const bytes = ctx.io.readFile(file);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError('CSV_ENCODING', `${file}: not UTF-8 text`);
  }
  try {
    return load(text);
  } catch (error) {
    // CSV errors name row and column; a character offset would add nothing a reader can use.
    if (error instanceof DecodeError) throw new CliError(error.code, `${file}: ${error.message}`);
    throw error;
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
