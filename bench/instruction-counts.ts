/**
 * Instruction counts (valgrind's cachegrind, `I refs`) of the frame driver and of the codecs
 * over the same frames. One pass of a workload costs (I(2k passes) − I(k passes)) / k; divided
 * by the frames, that is instructions per frame. k (default 3, env INSTRUCTION_PASSES) must be
 * large enough for the JIT's tier-up to happen in the first k passes: with k = 1 the counts
 * moved by 2–6× from run to run. `npm run bench:instructions` (needs valgrind; ~10 minutes).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './harness.ts';

const workload = resolve(fileURLToPath(import.meta.url), '../instruction-workload.ts');

interface Count {
  readonly instructions: number;
  readonly framesSent: number;
  readonly framesDecoded: number;
}

function count(mode: string, passes: number): Count {
  const result = spawnSync(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=no',
      '--cachegrind-out-file=/dev/null',
      process.execPath,
      '--import',
      'tsx',
      workload,
      mode,
      String(passes),
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0)
    throw new Error(`valgrind ${mode} ${passes}: exit ${result.status}: ${result.stderr.slice(-500)}`);
  const refs = /I\s+refs:\s+([\d,]+)/.exec(result.stderr);
  if (!refs?.[1]) throw new Error(`valgrind ${mode} ${passes}: no I refs in its summary`);
  const summary = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as Omit<
    Count,
    'instructions'
  >;
  return { instructions: Number(refs[1].replaceAll(',', '')), ...summary };
}

const PASSES = Number(process.env.INSTRUCTION_PASSES ?? 3);

function perPass(mode: string): Count {
  const base = count(mode, PASSES);
  const double = count(mode, 2 * PASSES);
  return { ...base, instructions: (double.instructions - base.instructions) / PASSES };
}

const driver = perPass('driver');
const herdsman = perPass('herdsman');
const ours = perPass('hanota-codec');
const perFrame = (c: Count, frames: number) => c.instructions / frames;
const driverPerFrame = perFrame(driver, driver.framesSent);
const herdsmanPerFrame = perFrame(herdsman, herdsman.framesDecoded);
const oursPerFrame = perFrame(ours, ours.framesDecoded);
const beyond = driverPerFrame - oursPerFrame;
const rows: [string, string][] = [
  [
    'frames sent in one 8-device run (delivered and decoded)',
    `${driver.framesSent} (${driver.framesDecoded})`,
  ],
  ['frame driver, instructions per frame sent', Math.round(driverPerFrame).toLocaleString('en')],
  ['herdsman Zcl.Frame decode + encode alone, per frame', Math.round(herdsmanPerFrame).toLocaleString('en')],
  [
    'hanota codec decode + encode (herdsman + guard rails), per frame',
    Math.round(oursPerFrame).toLocaleString('en'),
  ],
  ['simulation beyond the codec, per frame', Math.round(beyond).toLocaleString('en')],
  ['simulation beyond the codec / herdsman codec (<1: goal met)', (beyond / herdsmanPerFrame).toFixed(2)],
];
console.log(`### Frame driver, instruction counts (peer: zigbee-herdsman Zcl.Frame codec alone)\n`);
console.log(`Machine: ${machine()}, valgrind cachegrind, ${PASSES} vs ${2 * PASSES} passes\n`);
console.log('| measure | value |\n| --- | --- |');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
