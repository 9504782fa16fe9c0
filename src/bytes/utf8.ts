/**
 * Strict UTF-8 for text inputs (CSV, YAML, PEM, JSON): a byte that is not UTF-8 is an error at its
 * byte offset, never a silent U+FFFD that would surface later as a puzzling value.
 */
import { DecodeError } from '../errors/errors.ts';

/**
 * The byte offset of the first byte of `bytes` that does not belong to a well-formed UTF-8
 * sequence (the lead byte of a sequence cut short or broken), or -1 when all of it is UTF-8.
 * Well-formed is the Unicode Standard's table 3-7, which TextDecoder's fatal mode applies: no
 * overlong forms, no surrogates, nothing above U+10FFFF.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lower = 0xa0;
      if (b === 0xed) upper = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lower = 0x90;
      if (b === 0xf4) upper = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < lower || c > upper) return i;
      lower = 0x80;
      upper = 0xbf;
    }
    i += need + 1;
  }
  return -1;
}

/**
 * Decodes `bytes` as UTF-8 (a leading byte-order mark is dropped). The first byte that is not
 * UTF-8 is a `DecodeError` (code TEXT_ENCODING) at its byte offset, with its line and column; so is
 * UTF-16 text.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const [b0, b1] = bytes;
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff))
    throw new DecodeError(
      'TEXT_ENCODING',
      'UTF-16 text (byte-order mark at byte offset 0), expected UTF-8: save the file as UTF-8',
      0,
    );
  const bad = firstInvalidUtf8(bytes);
  const decoder = new TextDecoder('utf-8');
  if (bad < 0) return decoder.decode(bytes);
  const before = decoder.decode(bytes.subarray(0, bad));
  const lines = before.split('\n');
  const line = lines.length;
  const column = (lines[lines.length - 1] ?? '').length + 1;
  throw new DecodeError(
    'TEXT_ENCODING',
    `line ${line}, column ${column}: byte 0x${(bytes[bad] as number).toString(16).padStart(2, '0')} is not UTF-8: save the file as UTF-8`,
    bad,
  );
}
