/**
 * What a command may touch: the console and the filesystem, passed in so that tests drive the
 * CLI in-process and capture its output. `nodeIo` is the real one; only `src/cli/` builds it.
 */
import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { CliError } from './cli-error.ts';

/** The console and filesystem as a command sees them. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /**
   * The bytes of a file, refused with a `CliError` when it holds more than `maxBytes` (default
   * `INPUT_LIMIT`): nothing is read whole without a bound, not even `/dev/zero`.
   */
  readonly readFile: (path: string, maxBytes?: number) => Uint8Array;
  /**
   * Hands a file's bytes to `onPiece` a piece at a time (a piece is valid only during the call),
   * for inputs read once and not held: an estate of millions of devices.
   */
  readonly readPieces: (path: string, onPiece: (piece: Uint8Array) => void) => void;
  readonly writeFile: (path: string, data: Uint8Array | string) => void;
  /** Creates a folder and the folders above it, as `mkdir -p`. */
  readonly makeDir: (path: string) => void;
  /**
   * Checks, before any work, that `path` can be written as a `file` (not a folder; writable if it
   * exists, its folder writable if not) or used as a `folder` (made if missing, writable); the
   * error names `--option`.
   */
  readonly checkWritable: (path: string, as: 'file' | 'folder', option: string) => void;
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

/** The most any input file may hold unless its reader says otherwise: 256 MiB. */
export const INPUT_LIMIT = 256 * 2 ** 20;
/**
 * The most a catalog or estate CSV may hold: 512 MiB, about ten million estate rows. Text longer
 * than V8's longest string (2^29 − 24 characters) cannot be decoded at all.
 */
export const TABLE_INPUT_LIMIT = 512 * 2 ** 20;
/** The most a PEM key or certificate file may hold: 1 MiB. */
export const KEY_INPUT_LIMIT = 2 ** 20;

/**
 * Reads a file in pieces of up to `size` bytes, whatever kind of file it is, handing each to
 * `onPiece`; refused when it holds more than `maxBytes`.
 */
function eachPiece(
  path: string,
  maxBytes: number,
  size: number,
  onPiece: (piece: Uint8Array, total: number) => void,
): void {
  if (path === '') throw new CliError('FILE_UNREADABLE', 'an empty file name was given');
  const tooLarge = () =>
    new CliError(
      'FILE_TOO_LARGE',
      `${path}: larger than ${maxBytes} bytes (${Math.round(maxBytes / 2 ** 20)} MiB), the most this input may hold`,
    );
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw new CliError('FILE_UNREADABLE', `${path}: cannot read: ${fsMessage(error)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory())
      throw new CliError('FILE_UNREADABLE', `${path}: cannot read: is a directory, not a file`);
    if (stat.isFile() && stat.size > maxBytes) throw tooLarge();
    let total = 0;
    for (;;) {
      const piece = new Uint8Array(Math.min(size, maxBytes + 1 - total) || 1);
      let n: number;
      try {
        n = readSync(fd, piece, 0, piece.length, null);
      } catch (error) {
        throw new CliError('FILE_UNREADABLE', `${path}: cannot read: ${fsMessage(error)}`);
      }
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw tooLarge();
      onPiece(n === piece.length ? piece : piece.subarray(0, n), total);
    }
  } finally {
    closeSync(fd);
  }
}

/** Reads a file of at most `maxBytes` bytes, in pieces, whatever kind of file it is. */
function readBounded(path: string, maxBytes: number): Uint8Array {
  const pieces: Uint8Array[] = [];
  let total = 0;
  eachPiece(path, maxBytes, 2 ** 20, (piece, sum) => {
    pieces.push(piece);
    total = sum;
  });
  if (pieces.length === 1) return pieces[0] as Uint8Array;
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    bytes.set(piece, at);
    at += piece.length;
  }
  return bytes;
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
  readFile: (path, maxBytes = INPUT_LIMIT) => readBounded(path, maxBytes),
  readPieces: (path, onPiece) => eachPiece(path, Number.MAX_SAFE_INTEGER, 8 * 2 ** 20, onPiece),
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
  checkWritable: (path, as, option) => {
    const fail = (why: string) => {
      throw new CliError('FILE_UNWRITABLE', `--${option} ${path}: cannot write: ${why}`);
    };
    if (as === 'folder') nodeIo.makeDir(path);
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(path);
    } catch {
      stat = undefined;
    }
    if (as === 'file' && stat?.isDirectory()) fail('is a folder, not a file');
    if (as === 'folder' && stat && !stat.isDirectory()) fail('is a file, not a folder');
    try {
      if (as === 'folder') accessSync(path, constants.W_OK);
      else if (stat) closeSync(openSync(path, 'r+'));
      else {
        // Made and removed again: only creating the file shows that it can be (root passes access()).
        closeSync(openSync(path, 'wx'));
        unlinkSync(path);
      }
    } catch (error) {
      fail(fsMessage(error));
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
