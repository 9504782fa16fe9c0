/** Runs the CLI in-process with the real filesystem and captured output. */
import { nodeIo } from '../../src/cli/context.ts';
import { runCli } from '../../src/cli/parser.ts';

/** What a CLI run printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `hanota ...args`. */
export async function hanota(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const { progress: _terminalOnly, ...io } = nodeIo;
  const code = await runCli(args, {
    ...io,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
  });
  return { code, stdout, stderr };
}
