/**
 * The counterpart of `ByteReader`: a growable buffer written through a `DataView`, endianness
 * chosen at creation. Values out of range for their width throw a `RangeError` naming the field.
 */

/** Growable, bounds-checked byte writer. */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;
  readonly #littleEndian: boolean;

  /** An empty writer; `initialCapacity` avoids growing when the final size is known. */
  constructor(options: { readonly littleEndian: boolean; readonly initialCapacity?: number }) {
    this.#littleEndian = options.littleEndian;
    this.#buf = new Uint8Array(options.initialCapacity ?? 256);
    this.#view = new DataView(this.#buf.buffer);
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): number {
    const need = this.#len + n;
    if (need > this.#buf.length) {
      const next = new Uint8Array(Math.max(need, this.#buf.length * 2));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    const at = this.#len;
    this.#len = need;
    return at;
  }

  /** Writes an unsigned 8-bit integer. */
  u8(value: number, field: string): this {
    const checked = checkUint(value, 8, field); // check before reserving: a refused value writes nothing
    const at = this.#reserve(1); // reserve before reading #view: growing replaces it
    this.#view.setUint8(at, checked);
    return this;
  }

  /** Writes an unsigned 16-bit integer. */
  u16(value: number, field: string): this {
    const checked = checkUint(value, 16, field);
    const at = this.#reserve(2);
    this.#view.setUint16(at, checked, this.#littleEndian);
    return this;
  }

  /** Writes an unsigned 32-bit integer. */
  u32(value: number, field: string): this {
    const checked = checkUint(value, 32, field);
    const at = this.#reserve(4);
    this.#view.setUint32(at, checked, this.#littleEndian);
    return this;
  }

  /** Writes an unsigned 64-bit integer. */
  u64(value: bigint, field: string): this {
    if (value < 0n || value > 0xffff_ffff_ffff_ffffn) {
      throw new RangeError(`${field}: ${value} does not fit in 64 unsigned bits`);
    }
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, value, this.#littleEndian);
    return this;
  }

  /** Appends bytes as they are. */
  bytes(data: Uint8Array): this {
    const at = this.#reserve(data.length);
    this.#buf.set(data, at);
    return this;
  }

  /** Overwrites an already written unsigned 32-bit integer at `position`. */
  patchU32(position: number, value: number, field: string): this {
    if (position < 0 || position + 4 > this.#len)
      throw new RangeError(`${field}: nothing written at ${position}`);
    this.#view.setUint32(position, checkUint(value, 32, field), this.#littleEndian);
    return this;
  }

  /** A copy of the bytes written, exactly `length` long. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

/** Returns `value` if it is an integer that fits in `bits` unsigned bits, else throws. */
export function checkUint(value: number, bits: 8 | 16 | 32, field: string): number {
  if (typeof value !== 'number') throw new TypeError(`${field}: expected a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < 0 || value > 2 ** bits - 1) {
    throw new RangeError(`${field}: ${value} is not an unsigned ${bits}-bit integer`);
  }
  return value;
}
