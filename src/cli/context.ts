/**
 * What a command may touch: the console and the filesystem, passed in so that tests drive the
 * CLI in-process and capture its output. `nodeIo` is the real one; only `src/cli/` builds it.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { CliError } from './cli-error.ts';

/** The console and filesystem as a command sees them. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => Uint8Array;
  readonly writeFile: (path: string, data: Uint8Array | string) => void;
  /** The names of the entries of a directory, sorted. */
  readonly listDir: (path: string) => string[];
}

/** Handed to every command module. */
export interface CliContext {
  readonly io: CliIo;
  /** Records the exit code; the highest one set wins (2 over 1 over 0). */
  readonly exit: (code: 0 | 1 | 2) => void;
}

function fsMessage(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

/** The real console and filesystem; file errors become `CliError`s naming the path. */
export const nodeIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => {
    try {
      const buffer = readFileSync(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      throw new CliError('FILE_UNREADABLE', `${path}: cannot read: ${fsMessage(error)}`);
    }
  },
  listDir: (path) => {
    try {
      return readdirSync(path).sort();
    } catch (error) {
      const code = (error as { code?: string }).code;
      const why = code === 'ENOTDIR' ? 'is a file, not a directory' : fsMessage(error);
      throw new CliError('DIRECTORY_UNREADABLE', `${path}: cannot list: ${why}`);
    }
  },
  writeFile: (path, data) => {
    try {
      writeFileSync(path, data);
    } catch (error) {
      throw new CliError('FILE_UNWRITABLE', `${path}: cannot write: ${fsMessage(error)}`);
    }
  },
};
