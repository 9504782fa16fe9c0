/**
 * The commands of the CLI as data: name, summary and where the module lives. A command's module
 * (and with it vega, zigbee-herdsman, fast-check, …) is imported only when that command runs or
 * its own `--help` is asked for, so `hanota --help` and a small command start in proportion to
 * their work.
 */
import type { Argv, CommandModule } from 'yargs';
import { CliError } from './cli-error.ts';
import type { CliContext } from './context.ts';

/** What a command module gives: its options and positionals, and what it does. */
export type CommandBody = Required<Pick<CommandModule, 'builder' | 'handler'>>;

/** A command: a leaf loaded on demand, or a group of subcommands. */
export type CommandEntry =
  | {
      readonly command: string;
      readonly describe: string;
      readonly load: () => Promise<(ctx: CliContext) => CommandBody>;
    }
  | { readonly command: string; readonly describe: string; readonly subcommands: readonly CommandEntry[] };

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    command: 'image',
    describe: 'inspect, build and verify ZigBee OTA and GBCS firmware image files',
    subcommands: [
      {
        command: 'inspect <files..>',
        describe: 'show the header, sub-elements or Manufacturer Image, and digests of OTA files',
        load: async () => (await import('./commands/image-inspect.ts')).imageInspectCommand,
      },
      {
        command: 'build',
        describe: 'build a ZigBee OTA Upgrade file or a GBCS OTA Upgrade Image',
        load: async () => (await import('./commands/image-build.ts')).imageBuildCommand,
      },
      {
        command: 'verify <files..>',
        describe:
          'check the structure, integrity code and signature of OTA files (exit 1 when a check fails)',
        load: async () => (await import('./commands/image-verify.ts')).imageVerifyCommand,
      },
    ],
  },
  {
    command: 'gbcs',
    describe: 'decode and check GBCS messages; build CS06 Activate Firmware commands',
    subcommands: [
      {
        command: 'parse <message>',
        describe:
          'decode a GBCS message (hex or file) and check its signature and MAC: exit 1 when one fails; what the keys cannot check is reported unchecked',
        load: async () => (await import('./commands/gbcs-parse.ts')).gbcsParseCommand,
      },
      {
        command: 'cs06',
        describe: 'build a signed, MACed CS06 Activate Firmware command (hex)',
        load: async () => (await import('./commands/gbcs-cs06.ts')).gbcsCs06Command,
      },
    ],
  },
  {
    command: 'catalog',
    describe: 'check CPL/FIR catalog extracts',
    subcommands: [
      {
        command: 'check <file>',
        describe: 'find the defects of a CPL/FIR catalog CSV (exit 1 when any error-level problem exists)',
        load: async () => (await import('./commands/catalog-check.ts')).catalogCheckCommand,
      },
    ],
  },
  {
    command: 'path',
    describe: 'plan upgrade paths and check install sequences against a catalog',
    subcommands: [
      {
        command: 'plan',
        describe: 'plan the upgrade hops of a device or an estate (exit 1 when a device has no path)',
        load: async () => (await import('./commands/path-plan.ts')).pathPlanCommand,
      },
      {
        command: 'check',
        describe:
          'check a sequence of installs against the declared pathways (exit 1 when a step is illegal)',
        load: async () => (await import('./commands/path-check.ts')).pathCheckCommand,
      },
    ],
  },
  {
    command: 'conform',
    describe:
      "run a model's images through the emulated hub and device and check them against the declared pathways",
    load: async () => (await import('./commands/conform.ts')).conformCommand,
  },
  {
    command: 'run <paths..>',
    describe: 'run scenario files and check their expectations (exit 1 when one fails)',
    load: async () => (await import('./commands/run.ts')).runCommand,
  },
  {
    command: 'fuzz <scenario>',
    describe: 'run a scenario under random faults, shrink a failure and write it as a scenario (exit 1)',
    load: async () => (await import('./commands/fuzz.ts')).fuzzCommand,
  },
  {
    command: 'campaign',
    describe: 'dry-run a firmware campaign over an estate (exit 1 when a device ends bricked)',
    load: async () => (await import('./commands/campaign.ts')).campaignCommand,
  },
  {
    command: 'report',
    describe: 'combine campaign reports',
    subcommands: [
      {
        command: 'merge <files..>',
        describe: 'merge the shards of a campaign into its report',
        load: async () => (await import('./commands/report.ts')).reportMergeCommand,
      },
    ],
  },
  {
    command: 'duis',
    describe: 'answer DUIS Service Requests as the DCC would, over an emulated estate',
    subcommands: [
      {
        command: 'run <requests..>',
        describe:
          'run a batch of DUIS requests in virtual time; write every response and alert (exit 2 when a request is refused)',
        load: async () => (await import('./commands/duis-run.ts')).duisRunCommand,
      },
      {
        command: 'serve',
        describe:
          "answer DUIS requests over HTTP on DCC Boxed's endpoints; POST responses and alerts to the user's endpoint",
        load: async () => (await import('./commands/duis-serve.ts')).duisServeCommand,
      },
      {
        command: 'sign <requests..>',
        describe: "sign DUIS requests with the user's key, as an adapter does before sending them",
        load: async () => (await import('./commands/duis-sign.ts')).duisSignCommand,
      },
    ],
  },
  {
    command: 'exposure',
    describe:
      'the SSC view of a ZigBee stack vulnerability: affected entries and devices, and the nearest safe target (exit 1 when a model has none)',
    load: async () => (await import('./commands/exposure.ts')).exposureCommand,
  },
  {
    command: 'library',
    describe: 'the firmware library (SECMP0009): images held by CPL entry, behind a gateway',
    subcommands: [
      {
        command: 'add <image>',
        describe:
          "hold an image under its CPL entry if it is that entry's and not held already (exit 1 when refused)",
        load: async () => (await import('./commands/library-add.ts')).libraryAddCommand,
      },
      {
        command: 'list',
        describe: 'list the images held',
        load: async () => (await import('./commands/library-list.ts')).libraryListCommand,
      },
      {
        command: 'show <id>',
        describe: 'show one held entry: its image, FIR data and release notes',
        load: async () => (await import('./commands/library-show.ts')).libraryShowCommand,
      },
      {
        command: 'get <id>',
        describe: 'write the image held for an entry, checked against its hash',
        load: async () => (await import('./commands/library-get.ts')).libraryGetCommand,
      },
      {
        command: 'serve',
        describe:
          'the web interface: per model the entries, their pathways drawn, release notes and downloads',
        load: async () => (await import('./commands/library-serve.ts')).libraryServeCommand,
      },
    ],
  },
  {
    command: 'simulate',
    describe: 'run one hub and one device fetching one image over the simulated HAN',
    load: async () => (await import('./commands/simulate.ts')).simulateCommand,
  },
];

/**
 * What a command module that cannot be loaded for want of a package (an optional peer dependency
 * such as fast-check for `fuzz`) is reported as: a usage error saying what to install.
 */
function missingPackage(command: string, error: unknown): unknown {
  const name = /Cannot find package '([^']+)'/.exec((error as Error).message ?? '')?.[1];
  if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || name === undefined) return error;
  return new CliError(
    'MISSING_OPTIONAL_PACKAGE',
    `hanota ${command.split(' ')[0]} needs the package ${name}, an optional peer dependency: npm install ${name}`,
  );
}

/** A yargs command module for `entry`, whose module is imported when yargs first needs it. */
export function commandModule(entry: CommandEntry, ctx: CliContext): CommandModule {
  if ('subcommands' in entry) {
    const names = entry.subcommands.map((s) => s.command.split(' ')[0]).join(', ');
    return {
      command: entry.command,
      describe: entry.describe,
      builder: (y: Argv) =>
        entry.subcommands
          .reduce((acc, sub) => acc.command(commandModule(sub, ctx)), y)
          .demandCommand(1, `${entry.command}: name a subcommand (${names})`),
      handler: () => {},
    };
  }
  let body: Promise<CommandBody> | undefined;
  const loaded = () => {
    body ??= entry.load().then(
      (make) => make(ctx),
      (error: unknown) => {
        throw missingPackage(entry.command, error);
      },
    );
    return body;
  };
  return {
    command: entry.command,
    describe: entry.describe,
    builder: async (y: Argv) => {
      const { builder } = await loaded();
      return typeof builder === 'function' ? builder(y) : y.options(builder);
    },
    handler: async (argv) => (await loaded()).handler(argv),
  };
}
