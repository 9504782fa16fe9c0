/** Timing helpers for the benchmarks: wall-clock loops, medians, and the machine's description. */
import { cpus, totalmem } from 'node:os';

/** One benchmark's result: rows of (measure, value), printed as a Markdown table. */
export interface BenchResult {
  readonly name: string;
  readonly peer: string;
  readonly machine: string;
  readonly rows: readonly (readonly [string, string])[];
}

/** Seconds per call of `fn`, averaged over a loop of at least `minMillis`. */
export function timeLoop(fn: () => void, minMillis: number): number {
  let calls = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  const limit = BigInt(minMillis) * 1_000_000n;
  while (elapsed < limit) {
    fn();
    calls++;
    elapsed = process.hrtime.bigint() - start;
  }
  return Number(elapsed) / 1e9 / calls;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** CPU model, core count, memory and Node version. */
export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

/** A result as Markdown. */
export function toMarkdown(result: BenchResult): string {
  const lines = [
    `### ${result.name} (peer: ${result.peer})`,
    '',
    `Machine: ${result.machine}`,
    '',
    '| measure | value |',
    '| --- | --- |',
    ...result.rows.map(([k, v]) => `| ${k} | ${v} |`),
  ];
  return `${lines.join('\n')}\n`;
}
