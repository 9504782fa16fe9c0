/**
 * How many request/response exchanges a run of `exchanges` loses over a lossy link, drawn once
 * for the whole run: each attempt is lost when either of its two frames is (probability
 * q = 1 − (1 − p)²), so the lost attempts before `exchanges` successes follow a negative
 * binomial law, drawn here from its normal approximation: the session transport's model of loss
 * for a computed run of blocks.
 */
import type { Rng } from './rng.ts';

/** Lost attempts over `exchanges` exchanges with per-frame loss `p` (0 when `p` is 0, drawing nothing). */
export function lostExchanges(exchanges: number, p: number, rng: Rng): number {
  if (p <= 0 || exchanges <= 0) return 0;
  const q = 1 - (1 - p) * (1 - p);
  const mean = (exchanges * q) / (1 - q);
  const sd = Math.sqrt(mean / (1 - q));
  const z = Math.sqrt(-2 * Math.log(1 - rng.float())) * Math.cos(2 * Math.PI * rng.float());
  return Math.max(0, Math.round(mean + sd * z));
}
