/**
 * Test setup: one fast-check seed per run, printed. CI uses a fixed seed (override with
 * FC_SEED); elsewhere a fresh one is drawn, so local runs explore and CI runs reproduce.
 */
import fc from 'fast-check';

const seed = process.env.FC_SEED
  ? Number(process.env.FC_SEED)
  : process.env.CI === 'true'
    ? 20261121
    : Math.floor(Math.random() * 2 ** 31);
fc.configureGlobal({ seed, numRuns: Number(process.env.FC_RUNS ?? 200) });
if (!(globalThis as { __hanotaSeedPrinted?: boolean }).__hanotaSeedPrinted) {
  (globalThis as { __hanotaSeedPrinted?: boolean }).__hanotaSeedPrinted = true;
  console.log(`fast-check seed ${seed} (FC_SEED=${seed} to replay)`);
}
