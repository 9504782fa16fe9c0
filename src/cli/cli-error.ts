/**
 * Errors the CLI reports with exit code 2 (DESIGN.md §4): bad input or usage. Library errors
 * are turned into these with the file name in front, so every message names the file, the
 * field or offset, and what is wrong.
 */
import { HanotaError } from '../errors/errors.ts';

/** Bad input or usage; `offset` when the error points into a file. */
export class CliError extends HanotaError {
  readonly offset?: number;

  constructor(code: string, message: string, offset?: number) {
    super(code, message);
    if (offset !== undefined) this.offset = offset;
  }
}

/** The JSON error document of DESIGN.md §4. */
export interface ErrorDocument {
  readonly code: string;
  readonly message: string;
  readonly offset?: number;
}

/**
 * Turns what a library call threw while working on `subject` (a file name, an option) into a
 * `CliError` whose message starts with the subject. Anything that is not an input error is
 * rethrown as it is: it is a bug, and the top level reports it as one.
 */
export function inputError(subject: string, error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof HanotaError) {
    const offset = (error as { offset?: number }).offset;
    const where = offset === undefined ? '' : `offset ${offset}: `;
    return new CliError(error.code, `${subject}: ${where}${error.message}`, offset);
  }
  if (error instanceof RangeError || error instanceof TypeError) {
    return new CliError('BAD_ARGUMENT', `${subject}: ${error.message}`);
  }
  throw error;
}

/** The error document for a `CliError`. */
export function errorDocument(error: CliError): ErrorDocument {
  return {
    code: error.code,
    message: error.message,
    ...(error.offset !== undefined && { offset: error.offset }),
  };
}
