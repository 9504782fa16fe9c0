/**
 * Where the shared reference vectors live (`../shared/vectors/`, read in place, never copied).
 * Under CI=true a missing folder fails the suite; elsewhere the tests that need it are skipped
 * with one line saying what they need.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

/** The project root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared vectors folder. */
export const VECTORS_DIR = resolve(ROOT, '../shared/vectors');

const available = existsSync(VECTORS_DIR);
if (!available) {
  if (process.env.CI === 'true')
    throw new Error(`reference vectors missing: ${VECTORS_DIR} (required under CI=true)`);
  console.log(`skipping known-answer tests: they need the shared vectors at ${VECTORS_DIR}`);
}

/** `describe` when the vectors are there, `describe.skip` otherwise (never under CI). */
export const describeWithVectors = available ? describe : describe.skip;

/** Path of a vector file, relative to the vectors folder. */
export function vectorPath(relative: string): string {
  return join(VECTORS_DIR, relative);
}

/** Bytes of a vector file as a `Uint8Array`. */
export function readVector(relative: string): Uint8Array {
  const b = readFileSync(vectorPath(relative));
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Text of a vector file. */
export function readVectorText(relative: string): string {
  return readFileSync(vectorPath(relative), 'utf8');
}
