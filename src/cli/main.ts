#!/usr/bin/env node
/** Entry point: connects `process.argv` to the CLI and sets `process.exitCode`. */
import { nodeIo } from './context.ts';
import { runCli } from './parser.ts';

// A reader that stops early (`| head`) closes the pipe: that ends the output, not in a crash.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await runCli(process.argv.slice(2), nodeIo);
