/**
 * The Communications Hub's firmware memory (DESIGN.md §1 "Hub memory blocks"): a fixed number
 * of fixed-size blocks. An image is split across free blocks, each block checked against its
 * own SHA-256 as it is written; one image is stored once however many devices want it; blocks
 * are pinned while any device downloads the image; an image that does not fit is refused with
 * a reason, never truncated.
 *
 * Freeing rule: an image is freed when it has been released (its distribution is over) and no
 * device pins it; a release while devices are downloading takes effect when the last one
 * unpins. `release` and `unpin` return the key they freed, so the hub stops offering it.
 *
 * A campaign over millions of meters stores simulated images: their blocks are counted and
 * taken like any other, but hold no bytes (reads give zeros). Blocks get their bytes only when
 * an image is written to them.
 */
import { bytesEqual, toHex } from '../bytes/hex.ts';
import { sha256 } from '../crypto/hashes.ts';

/** The size of a hub's memory. */
export interface MemoryGeometry {
  readonly blockCount: number;
  readonly blockSize: number;
}

/** Why a store was refused (reported as CCS08 FirmwareImageDiscarded). */
export type StoreRefusal = {
  readonly ok: false;
  readonly reason: 'INSUFFICIENT_MEMORY' | 'BLOCK_WRITE_FAILED';
  readonly detail: string;
};

/** Outcome of storing an image. */
export type StoreResult =
  | { readonly ok: true; readonly key: string; readonly blocks: readonly number[]; readonly shared: boolean }
  | StoreRefusal;

interface StoredImage {
  readonly size: number;
  /** A simulated image: blocks taken, no bytes. */
  readonly virtual: boolean;
  readonly blocks: readonly number[];
  readonly pins: Set<string>;
  released: boolean;
}

/** Zeros shared by every read of a simulated image (never written). */
let ZEROS = new Uint8Array(64 * 1024);

function zeros(length: number): Uint8Array {
  if (length > ZEROS.length) ZEROS = new Uint8Array(length);
  return ZEROS.subarray(0, length);
}

/** The hub's block memory. Keys are the SHA-256 (hex) of the stored file. */
export class HubMemory {
  readonly geometry: MemoryGeometry;
  /** Block contents, allocated when first written. */
  readonly #blocks: (Uint8Array | undefined)[];
  /** Free blocks: those freed again (ascending, all below `#fresh`), then `#fresh` onwards, never used. */
  #freed: number[] = [];
  #fresh = 0;
  readonly #images = new Map<string, StoredImage>();
  /** Test hook: a function that may corrupt a block as it is written (faulty flash). */
  #writeFault?: (block: number, data: Uint8Array) => Uint8Array;

  /** Empty memory of the given geometry. */
  constructor(geometry: MemoryGeometry) {
    if (!Number.isInteger(geometry.blockCount) || geometry.blockCount < 1) {
      throw new RangeError(`blockCount: ${geometry.blockCount} is not a positive integer`);
    }
    if (!Number.isInteger(geometry.blockSize) || geometry.blockSize < 1) {
      throw new RangeError(`blockSize: ${geometry.blockSize} is not a positive integer`);
    }
    this.geometry = geometry;
    this.#blocks = [];
  }

  /** Blocks not holding any image. */
  get freeBlocks(): number {
    return this.#freed.length + this.geometry.blockCount - this.#fresh;
  }

  /** Keys of the images held. */
  get images(): string[] {
    return [...this.#images.keys()];
  }

  /** Installs a write fault (tests: faulty flash). */
  setWriteFault(fault: ((block: number, data: Uint8Array) => Uint8Array) | undefined): void {
    this.#writeFault = fault;
  }

  /** Blocks needed for `size` bytes. */
  blocksFor(size: number): number {
    return Math.ceil(size / this.geometry.blockSize);
  }

  /** Blocks in use. */
  get usedBlocks(): number {
    return this.#fresh - this.#freed.length;
  }

  /** Stores `file` (or finds it already stored); refuses when it does not fit. */
  store(file: Uint8Array): StoreResult {
    const key = toHex(sha256(file));
    const taken = this.#take(key, file.length, false);
    if (!taken.ok || taken.shared) return taken;
    const blocks = taken.blocks;
    for (let i = 0; i < blocks.length; i++) {
      const chunk = file.subarray(i * this.geometry.blockSize, (i + 1) * this.geometry.blockSize);
      const block = blocks[i] as number;
      let target = this.#blocks[block];
      if (!target) {
        target = new Uint8Array(this.geometry.blockSize);
        this.#blocks[block] = target;
      }
      target.fill(0);
      target.set(this.#writeFault ? this.#writeFault(block, chunk) : chunk);
      const expected = sha256(chunk);
      // Read back what was written and check it before accepting the block.
      if (!bytesEqual(sha256(target.subarray(0, chunk.length)), expected)) {
        this.#images.delete(key);
        this.#give(blocks);
        return {
          ok: false,
          reason: 'BLOCK_WRITE_FAILED',
          detail: `block ${block} did not read back as written`,
        };
      }
    }
    return taken;
  }

  /** Stores a simulated image of `size` bytes under `key` (blocks taken, no bytes), or finds it stored. */
  storeVirtual(key: string, size: number): StoreResult {
    return this.#take(key, size, true);
  }

  /** Takes the blocks for image `key` of `size` bytes, or finds it already stored (then no longer released). */
  #take(key: string, size: number, virtual: boolean): StoreResult {
    const existing = this.#images.get(key);
    if (existing) {
      existing.released = false;
      return { ok: true, key, blocks: existing.blocks, shared: true };
    }
    const needed = this.blocksFor(size);
    const free = this.freeBlocks;
    if (needed > free) {
      return {
        ok: false,
        reason: 'INSUFFICIENT_MEMORY',
        detail: `image of ${size} bytes needs ${needed} blocks of ${this.geometry.blockSize}; ${free} of ${this.geometry.blockCount} are free`,
      };
    }
    const blocks = this.#takeBlocks(needed);
    this.#images.set(key, { size, virtual, blocks, pins: new Set(), released: false });
    return { ok: true, key, blocks, shared: false };
  }

  /** Size of a stored image, or undefined. */
  sizeOf(key: string): number | undefined {
    return this.#images.get(key)?.size;
  }

  /**
   * `length` bytes of image `key` from `offset` (clipped at its end), read across blocks. A read
   * within one block (nearly every block request) is a view of the block, not a copy: callers
   * must not modify it.
   */
  read(key: string, offset: number, length: number): Uint8Array {
    const image = this.#images.get(key);
    if (!image) throw new RangeError(`key: no image ${key} in hub memory`);
    const end = Math.min(image.size, offset + length);
    if (image.virtual) return zeros(Math.max(0, end - offset));
    const size = this.geometry.blockSize;
    if (offset < end && Math.floor(offset / size) === Math.floor((end - 1) / size)) {
      const block = this.#blocks[image.blocks[Math.floor(offset / size)] as number] as Uint8Array;
      return block.subarray(offset % size, (offset % size) + (end - offset));
    }
    const out = new Uint8Array(Math.max(0, end - offset));
    for (let at = offset; at < end; ) {
      const index = Math.floor(at / size);
      const within = at % size;
      const take = Math.min(size - within, end - at);
      out.set(
        (this.#blocks[image.blocks[index] as number] as Uint8Array).subarray(within, within + take),
        at - offset,
      );
      at += take;
    }
    return out;
  }

  /** Marks `device` as downloading image `key`. */
  pin(key: string, device: string): void {
    this.#images.get(key)?.pins.add(device);
  }

  /** `device` no longer downloads image `key`; frees it if it was released (and returns its key). */
  unpin(key: string, device: string): string | undefined {
    const image = this.#images.get(key);
    if (!image) return undefined;
    image.pins.delete(device);
    return this.#freeIfDone(key, image);
  }

  /** The distribution of image `key` is over: free it now (returning its key), or when the last download ends. */
  release(key: string): string | undefined {
    const image = this.#images.get(key);
    if (!image) return undefined;
    image.released = true;
    return this.#freeIfDone(key, image);
  }

  /** Devices currently pinning image `key`. */
  pinsOf(key: string): string[] {
    return [...(this.#images.get(key)?.pins ?? [])].sort();
  }

  /** The `needed` lowest-numbered free blocks. */
  #takeBlocks(needed: number): number[] {
    const fromFreed = Math.min(needed, this.#freed.length);
    const blocks = this.#freed.splice(0, fromFreed);
    for (let k = fromFreed; k < needed; k++) blocks.push(this.#fresh++);
    return blocks;
  }

  /** Blocks free again (ascending): merged into the freed list. */
  #give(blocks: readonly number[]): void {
    const merged: number[] = [];
    let i = 0;
    let j = 0;
    const freed = this.#freed;
    while (i < freed.length || j < blocks.length) {
      if (j >= blocks.length || (i < freed.length && (freed[i] as number) < (blocks[j] as number)))
        merged.push(freed[i++] as number);
      else merged.push(blocks[j++] as number);
    }
    this.#freed = merged;
  }

  #freeIfDone(key: string, image: StoredImage): string | undefined {
    if (!image.released || image.pins.size > 0) return undefined;
    this.#images.delete(key);
    this.#give(image.blocks);
    return key;
  }
}
