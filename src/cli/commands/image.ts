/** `hanota image`: the command group for OTA image files (inspect, build, verify). */
import type { Argv, CommandModule } from 'yargs';
import type { CliContext } from '../context.ts';
import { imageBuildCommand } from './image-build.ts';
import { imageInspectCommand } from './image-inspect.ts';
import { imageVerifyCommand } from './image-verify.ts';

/** The `image` command group. */
export function imageCommand(ctx: CliContext): CommandModule {
  return {
    command: 'image',
    describe: 'inspect, build and verify ZigBee OTA and GBCS firmware image files',
    builder: (y: Argv) =>
      y
        .command(imageInspectCommand(ctx))
        .command(imageBuildCommand(ctx))
        .command(imageVerifyCommand(ctx))
        .demandCommand(1, 'image: name a subcommand (inspect, build, verify)'),
    handler: () => {},
  };
}
