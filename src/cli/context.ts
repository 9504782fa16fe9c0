/**
 * What a command may touch: the console and the filesystem, passed in so that tests drive the
 * CLI in-process and capture its output. `nodeIo` is the real one; only `src/cli/` builds it.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { CliError } from './cli-error.ts';

/** The console and filesystem as a command sees them. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readFile: (path: string) => Uint8Array;
  readonly writeFile: (path: string, data: Uint8Array | string) => void;
  /** Creates a folder and the folders above it, as `mkdir -p`. */
  readonly makeDir: (path: string) => void;
  /** The names of the entries of a directory, sorted. */
  readonly listDir: (path: string) => string[];
  /** A file written piece by piece, for output too large to hold. */
  readonly openFile: (path: string) => OutputFile;
  /** A one-line progress display, present only when stderr is a terminal. */
  readonly progress?: ProgressLine;
}

/** A file being written. */
export interface OutputFile {
  readonly write: (text: string) => void;
  readonly close: () => void;
}

/**
 * A progress line redrawn in place on a terminal. Its wall clock is for the ETA only: simulated
 * time never reads it.
 */
export interface ProgressLine {
  readonly draw: (line: string) => void;
  readonly clear: () => void;
  /** Wall-clock milliseconds, from an arbitrary origin. */
  readonly now: () => number;
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
  openFile: (path) => {
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (error) {
      throw new CliError('FILE_UNWRITABLE', `${path}: cannot write: ${fsMessage(error)}`);
    }
    return {
      write: (text) => {
        try {
          writeSync(fd, text);
        } catch (error) {
          throw new CliError('FILE_UNWRITABLE', `${path}: cannot write: ${fsMessage(error)}`);
        }
      },
      close: () => closeSync(fd),
    };
  },
  ...(process.stderr.isTTY && {
    progress: {
      draw: (line: string) => process.stderr.write(`\r\x1b[K${line}`),
      clear: () => process.stderr.write('\r\x1b[K'),
      now: () => performance.now(),
    },
  }),
  makeDir: (path) => {
    try {
      mkdirSync(path, { recursive: true });
    } catch (error) {
      const code = (error as { code?: string }).code;
      const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a file is in the way' : fsMessage(error);
      throw new CliError('DIRECTORY_UNWRITABLE', `${path}: cannot create the folder: ${why}`);
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
