/**
 * Reading the PEM keys and certificates commands take (`--key`, `--cert`, `--sign-key`,
 * `--supplier-key`). Kept apart from reading images so that a command that only reads images
 * does not load the elliptic-curve code.
 */
import { type P256Key, readP256Key } from '../crypto/keys.ts';
import type { HanotaError } from '../errors/errors.ts';
import { CliError, inputError } from './cli-error.ts';
import { type CliContext, KEY_INPUT_LIMIT } from './context.ts';

/** Reads a P-256 key or certificate from a PEM file; `requireCertificate` for `--cert`. */
export function loadKey(ctx: CliContext, file: string, option: string, requireCertificate = false): P256Key {
  const text = new TextDecoder().decode(ctx.io.readFile(file, KEY_INPUT_LIMIT));
  let key: P256Key;
  try {
    key = readP256Key(text);
  } catch (error) {
    throw inputError(`--${option} ${file}`, error as HanotaError);
  }
  if (requireCertificate && key.source !== 'certificate') {
    throw new CliError(
      'KEY_FORMAT',
      `--${option} ${file}: expected a CERTIFICATE PEM, found a ${key.source} key`,
    );
  }
  return key;
}
