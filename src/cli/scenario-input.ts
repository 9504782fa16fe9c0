/**
 * Reading a scenario file and every file it refers to (relative to it), for `hanota run` and
 * `hanota fuzz`; errors name the scenario file.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { decodeUtf8 } from '../bytes/utf8.ts';
import { HanotaError } from '../errors/errors.ts';
import { parseScenario, referencedFiles } from '../scenario/load.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import { CliError } from './cli-error.ts';
import type { CliContext } from './context.ts';
import { heldEntry, withStore } from './library-input.ts';

/** A scenario and the bytes of the files it names, by the path as written. */
export interface LoadedScenario {
  readonly scenario: ScenarioFile;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

/** How a scenario names an image held in a firmware library: `library:<CPL Entry ID>`. */
export const LIBRARY_REF = 'library:';

/**
 * Reads and checks `file` and the files it names; a name `library:<ID>` is the image the library
 * `library` holds for that CPL entry (checked against its hash).
 */
export function loadScenarioFile(ctx: CliContext, file: string, library?: string): LoadedScenario {
  const bytes = ctx.io.readFile(file);
  let scenario: ScenarioFile;
  try {
    scenario = parseScenario(decodeUtf8(bytes));
  } catch (error) {
    if (error instanceof HanotaError) throw new CliError(error.code, `${file}: ${error.message}`);
    throw error;
  }
  const files = new Map<string, Uint8Array>();
  for (const ref of referencedFiles(scenario)) {
    if (ref.startsWith(LIBRARY_REF)) {
      const id = ref.slice(LIBRARY_REF.length);
      if (library === undefined)
        throw new CliError('USAGE', `${file}: '${ref}' names a library image: give --library DIR`);
      try {
        files.set(
          ref,
          withStore({ library }, (store) => store.object(heldEntry(store.index(), id, library).fileSha256)),
        );
      } catch (error) {
        if (error instanceof CliError) throw new CliError(error.code, `${file}: ${error.message}`);
        throw error;
      }
      continue;
    }
    try {
      files.set(ref, ctx.io.readFile(resolve(dirname(file), ref)));
    } catch (error) {
      if (error instanceof CliError) throw new CliError(error.code, `${file}: ${error.message}`);
      throw error;
    }
  }
  return { scenario, files };
}

/** The scenario's file references rewritten for a copy of it in `toDir` (it was in `fromDir`). */
export function relocateScenario(scenario: ScenarioFile, fromDir: string, toDir: string): ScenarioFile {
  const move = (p: string) =>
    isAbsolute(p) || p.startsWith(LIBRARY_REF) ? p : relative(resolve(toDir), resolve(fromDir, p)) || '.';
  return {
    ...scenario,
    ...(scenario.catalog !== undefined && { catalog: move(scenario.catalog) }),
    ...(scenario.behaviour !== undefined && { behaviour: move(scenario.behaviour) }),
    images: Object.fromEntries(Object.entries(scenario.images).map(([k, p]) => [k, move(p)])),
    ...(scenario.suppliers && {
      suppliers: Object.fromEntries(
        Object.entries(scenario.suppliers).map(([k, s]) => [k, { ...s, key: move(s.key) }]),
      ),
    }),
  };
}
