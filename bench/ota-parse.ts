/**
 * Parse throughput: hanota's `parseImage` against zigbee-herdsman's `parseOtaImage` (the peer)
 * on the real ZigBee OTA files of the shared vectors, in one process, interleaved rounds, median
 * of rounds. hanota does strictly more validation (header length, field control, hardware
 * range, tiling, truncation); herdsman copies nothing either (Buffer views).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseOtaImage } from 'zigbee-herdsman/dist/controller/helpers/ota.js';
import { parseImage } from '../src/ota/image.ts';
import { type BenchResult, machine, median, timeLoop } from './harness.ts';

/** Runs the benchmark over the files in `vectorsDir/zigbee-ota` that both parsers accept. */
export function benchOtaParse(vectorsDir: string): BenchResult {
  const dir = join(vectorsDir, 'zigbee-ota');
  const files = readdirSync(dir)
    .filter((f) => !f.startsWith('tcl-') && !f.startsWith('10035515')) // truncated; container
    .map((f) => {
      const b = readFileSync(join(dir, f));
      return { name: f, buffer: b, bytes: new Uint8Array(b.buffer, b.byteOffset, b.byteLength) };
    });
  const totalBytes = files.reduce((n, f) => n + f.bytes.length, 0);
  const hanota = () => {
    for (const f of files) parseImage(f.bytes);
  };
  const herdsman = () => {
    for (const f of files) parseOtaImage(f.buffer);
  };
  const rounds = 15;
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let r = 0; r < rounds + 3; r++) {
    const a = timeLoop(hanota, 200);
    const b = timeLoop(herdsman, 200);
    if (r >= 3) {
      ours.push(a);
      theirs.push(b);
    }
  }
  const oursPerSet = median(ours);
  const theirsPerSet = median(theirs);
  return {
    name: 'OTA file parse',
    peer: 'zigbee-herdsman parseOtaImage',
    machine: machine(),
    rows: [
      ['files per set', String(files.length)],
      ['bytes per set', String(totalBytes)],
      ['hanota parseImage, µs per set', (oursPerSet * 1e6).toFixed(2)],
      ['herdsman parseOtaImage, µs per set', (theirsPerSet * 1e6).toFixed(2)],
      ['hanota files/s', Math.round(files.length / oursPerSet).toLocaleString('en')],
      ['herdsman files/s', Math.round(files.length / theirsPerSet).toLocaleString('en')],
      ['speed ratio hanota / herdsman (>1: hanota faster)', (theirsPerSet / oursPerSet).toFixed(2)],
    ],
  };
}
