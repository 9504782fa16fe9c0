/** Hub memory blocks: images split across blocks and read back, shared, refused, pinned and freed by the stated rule. */
import { describe, expect, it } from 'vitest';
import { HubMemory } from '../../src/hub/memory.ts';

const image = (n: number, fill = 7) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + fill) & 0xff);

describe('HubMemory', () => {
  it('splits an image across blocks and reads any range back across block boundaries', () => {
    const memory = new HubMemory({ blockCount: 8, blockSize: 100 });
    const file = image(450);
    const stored = memory.store(file);
    expect(stored).toMatchObject({ ok: true, shared: false });
    expect(stored.ok && stored.blocks).toHaveLength(5);
    expect(memory.freeBlocks).toBe(3);
    const key = stored.ok ? stored.key : '';
    for (const [offset, length] of [
      [0, 450],
      [95, 10],
      [399, 51],
      [440, 64],
    ] as const) {
      expect(memory.read(key, offset, length)).toEqual(file.subarray(offset, Math.min(450, offset + length)));
    }
  });

  it('stores one image once however many want it', () => {
    const memory = new HubMemory({ blockCount: 8, blockSize: 100 });
    const a = memory.store(image(300));
    const b = memory.store(image(300));
    expect(b).toMatchObject({ ok: true, shared: true, key: a.ok ? a.key : '' });
    expect(memory.freeBlocks).toBe(5);
  });

  it('refuses an image that does not fit, with the numbers, and stores nothing of it', () => {
    const memory = new HubMemory({ blockCount: 4, blockSize: 100 });
    memory.store(image(250));
    expect(memory.store(image(150, 1))).toEqual({
      ok: false,
      reason: 'INSUFFICIENT_MEMORY',
      detail: 'image of 150 bytes needs 2 blocks of 100; 1 of 4 are free',
    });
    expect(memory.freeBlocks).toBe(1);
    expect(memory.images).toHaveLength(1);
  });

  it('refuses an image whose block does not read back as written', () => {
    const memory = new HubMemory({ blockCount: 4, blockSize: 100 });
    memory.setWriteFault((block, data) => (block === 1 ? data.map((b) => b ^ 1) : data));
    expect(memory.store(image(250))).toMatchObject({ ok: false, reason: 'BLOCK_WRITE_FAILED' });
    expect(memory.freeBlocks).toBe(4);
  });

  it('frees a released image only when no device pins it', () => {
    const memory = new HubMemory({ blockCount: 4, blockSize: 100 });
    const stored = memory.store(image(200));
    const key = stored.ok ? stored.key : '';
    memory.pin(key, 'esme');
    memory.pin(key, 'gsme');
    memory.release(key);
    expect(memory.freeBlocks).toBe(2);
    memory.unpin(key, 'esme');
    expect(memory.pinsOf(key)).toEqual(['gsme']);
    expect(memory.freeBlocks).toBe(2);
    memory.unpin(key, 'gsme');
    expect(memory.freeBlocks).toBe(4);
    expect(memory.images).toEqual([]);
  });
});
