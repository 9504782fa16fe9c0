// Preloaded (`node --import`) into a measured process: at exit, writes the process's peak resident
// memory (all its threads, from getrusage) in KiB to the file named by HANOTA_BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.HANOTA_BENCH_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
