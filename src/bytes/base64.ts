/**
 * Base64 text ⇄ bytes (RFC 4648 §4), as XML Schema's `base64Binary` carries binary data in DUIS
 * documents: whitespace between characters is allowed on input, none is written.
 */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Bytes of base64 text (whitespace ignored); a `RangeError` names `field` when it is not base64. */
export function fromBase64(text: string, field: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 4 !== 0 || !BASE64.test(clean))
    throw new RangeError(`${field}: not base64 (${clean.length} characters)`);
  return Uint8Array.from(Buffer.from(clean, 'base64'));
}

/** Base64 of `bytes`, without line breaks. */
export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
