/**
 * FNV-1a, 32 bits (Fowler, Noll, Vo): a fast, well-spread hash of short keys. It names the random
 * stream of each node and purpose (src/sim/rng.ts) and sorts hubs into a campaign's buckets, so
 * the estate reader (which hashes a hub ID from its bytes) and the campaign must agree on it.
 */

/** FNV-1a offset basis (32 bits). */
export const FNV1A_OFFSET = 0x811c9dc5;
/** FNV-1a prime (32 bits). */
export const FNV1A_PRIME = 0x01000193;

/** FNV-1a 32-bit hash of a string's UTF-16 code units. */
export function fnv1a(text: string): number {
  let h = FNV1A_OFFSET;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV1A_PRIME) >>> 0;
  }
  return h;
}
