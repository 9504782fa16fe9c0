/**
 * The typed errors hanota throws. Every error carries a stable `code` that the CLI prints in
 * its JSON error document (DESIGN.md §4), and a message that starts with the field it is
 * about. Expected outcomes (a signature that does not verify, no path) are values, not errors.
 */

/** Base class: an error with a machine-readable code. */
export class HanotaError extends Error {
  /** Stable, upper-snake-case identifier of what went wrong. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bytes that do not decode: names the field and the byte offset where decoding stopped. */
export class DecodeError extends HanotaError {
  /** Byte offset into the decoded buffer (absolute, as the user sees the file). */
  readonly offset: number;

  constructor(code: string, message: string, offset: number) {
    super(code, message);
    this.offset = offset;
  }
}

/** A value handed to an encoder or builder that cannot be encoded (the message names the field). */
export class EncodeError extends HanotaError {}

/** A key, certificate or PEM document that cannot be used. */
export class KeyError extends HanotaError {}
