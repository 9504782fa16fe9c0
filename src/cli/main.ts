/** Entry point: connects `process.argv` to the CLI and sets `process.exitCode`. */
import { nodeIo } from './context.ts';
import { runCli } from './parser.ts';

process.exitCode = await runCli(process.argv.slice(2), nodeIo);
