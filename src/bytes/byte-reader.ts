/**
 * A cursor over a `DataView` for every decoder in hanota (STYLE.md "Bytes"). The endianness is
 * chosen at creation: ZigBee fields are little-endian, GBCS and DER fields big-endian.
 * Reading past the end throws a `DecodeError` that names the field and the absolute offset.
 */
import { DecodeError } from '../errors/errors.ts';

/** Options for a reader: byte order, and where offset 0 of `bytes` sits in the whole file. */
export interface ByteReaderOptions {
  readonly littleEndian: boolean;
  /** Added to every reported offset so errors point into the original file. */
  readonly baseOffset?: number;
}

/** Sequential reader with bounds checks. */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #littleEndian: boolean;
  readonly #base: number;
  #pos = 0;

  /** A reader at position 0 of `bytes` (a view is kept, nothing is copied). */
  constructor(bytes: Uint8Array, options: ByteReaderOptions) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#littleEndian = options.littleEndian;
    this.#base = options.baseOffset ?? 0;
  }

  /** Position relative to the start of `bytes`. */
  get position(): number {
    return this.#pos;
  }

  /** Absolute offset (position plus base offset), as reported in errors. */
  get offset(): number {
    return this.#base + this.#pos;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  /** Moves the cursor to `position` (relative to the start of `bytes`). */
  seek(position: number, field: string): void {
    if (position < 0 || position > this.#bytes.length) {
      throw new DecodeError(
        'UNEXPECTED_END',
        `${field}: offset ${this.#base + position} is outside the ${this.#bytes.length + this.#base}-byte input`,
        this.#base + Math.min(Math.max(position, 0), this.#bytes.length),
      );
    }
    this.#pos = position;
  }

  #need(n: number, field: string): number {
    if (n > this.remaining) {
      throw new DecodeError(
        'UNEXPECTED_END',
        `${field}: needs ${n} byte${n === 1 ? '' : 's'} at offset ${this.offset}, but only ${this.remaining} remain`,
        this.offset,
      );
    }
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  /** Reads an unsigned 8-bit integer. */
  u8(field: string): number {
    return this.#view.getUint8(this.#need(1, field));
  }

  /** Reads an unsigned 16-bit integer in the reader's byte order. */
  u16(field: string): number {
    return this.#view.getUint16(this.#need(2, field), this.#littleEndian);
  }

  /** Reads an unsigned 32-bit integer in the reader's byte order. */
  u32(field: string): number {
    return this.#view.getUint32(this.#need(4, field), this.#littleEndian);
  }

  /** Reads an unsigned 64-bit integer in the reader's byte order. */
  u64(field: string): bigint {
    return this.#view.getBigUint64(this.#need(8, field), this.#littleEndian);
  }

  /** Returns the next `n` bytes as a view (no copy) into the input. */
  bytes(n: number, field: string): Uint8Array {
    const at = this.#need(n, field);
    return this.#bytes.subarray(at, at + n);
  }

  /** Returns everything that is left (no copy). */
  rest(): Uint8Array {
    const at = this.#pos;
    this.#pos = this.#bytes.length;
    return this.#bytes.subarray(at);
  }
}
