/**
 * The session transport's closed form of a run of block exchanges against its definition, block
 * by block: any run (sizes, blocks, link times, block periods, sleepy devices' wake windows), any
 * horizon and power-loss offset, the same blocks, bytes and times.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { advanceBlockRun, type BlockRun, blockRunStep } from '../../src/sim/block-run.ts';

const run: fc.Arbitrary<BlockRun> = fc
  .record({
    startUs: fc.integer({ min: 0, max: 10_000_000 }),
    fileOffset: fc.integer({ min: 0, max: 5_000 }),
    size: fc.integer({ min: 1, max: 60_000 }),
    chunk: fc.integer({ min: 1, max: 200 }),
    upUs: fc.integer({ min: 1, max: 50_000 }),
    downUs: fc.integer({ min: 1, max: 50_000 }),
    lastDownUs: fc.integer({ min: 1, max: 50_000 }),
    periodUs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2_000_000 })),
    wake: fc.option(
      fc
        .record({
          intervalUs: fc.integer({ min: 1_000, max: 60_000_000 }),
          awake: fc.double({ min: 0.01, max: 1, noNaN: true }),
        })
        .chain(({ intervalUs, awake }) =>
          fc.record({
            intervalUs: fc.constant(intervalUs),
            awakeUs: fc.constant(Math.max(1, Math.floor(intervalUs * awake))),
            phaseUs: fc.integer({ min: 0, max: intervalUs - 1 }),
          }),
        ),
      { nil: undefined },
    ),
  })
  .map(({ size, wake, ...r }) => ({ ...r, end: r.fileOffset + size, ...(wake && { wake }) }));

it('computes a run of block exchanges in closed form exactly as block by block', () => {
  fc.assert(
    fc.property(
      run,
      fc.option(fc.integer({ min: 0, max: 2_000_000_000 }), { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 70_000 }), { nil: undefined }),
      (r, before, stop) => {
        const beforeUs = before === undefined ? Number.POSITIVE_INFINITY : r.startUs + before;
        const stopOffset = stop ?? Number.POSITIVE_INFINITY;
        expect(advanceBlockRun(r, beforeUs, stopOffset)).toEqual(blockRunStep(r, beforeUs, stopOffset));
      },
    ),
    { numRuns: 2_000 },
  );
});
