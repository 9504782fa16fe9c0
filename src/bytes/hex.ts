/**
 * Hex text ⇄ bytes. hanota prints hashes and EUI-64s as lowercase hex (DESIGN.md §4) and
 * accepts either case, with optional whitespace, on input.
 */

const HEX_DIGITS = '0123456789abcdef';

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += HEX_DIGITS[b >> 4] + (HEX_DIGITS[b & 15] as string);
  return out;
}

/** Parses hex (either case, whitespace ignored); `field` names the value in errors. */
export function fromHex(text: string, field: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 2 !== 0)
    throw new RangeError(`${field}: hex has an odd number of digits (${clean.length})`);
  const bad = clean.search(/[^0-9a-fA-F]/);
  if (bad >= 0) throw new RangeError(`${field}: '${clean[bad]}' at character ${bad} is not a hex digit`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** `0x`-prefixed lowercase hex of an unsigned integer, zero-padded to `digits`. */
export function hexNumber(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

/** True when both arrays hold the same bytes. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
