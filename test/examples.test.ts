/**
 * The campaign examples run as written (DESIGN.md §3 "Scale-out", §5): the shard and merge
 * commands of the Kubernetes Indexed Job (examples/kubernetes/campaign-job.yaml) and of the CI
 * matrix (examples/ci/campaign-matrix.yml), taken from the YAML with the `yaml` package. Only what
 * the platform provides is substituted: `JOB_COMPLETION_INDEX` and the container's `env`, and
 * `${{ matrix.shard }}`. The four shards run, then the merge, and the merged report must equal,
 * byte for byte, the report of the unsharded run with the same arguments.
 *
 * No container runtime runs here: the Job's commands run in a stand-in for the image's working
 * folder (hanota installed as the Dockerfile installs it, i.e. linked to a temporary checkout
 * built with `npm run build`), and the Dockerfile is checked textually against the README's
 * install steps. Each CI job gets a stand-in for its own checkout, the artifacts copied between.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { type Checkout, makeCheckout, removeCheckout, shellEnv } from './helpers/checkout.ts';
import { ROOT } from './helpers/vectors.ts';

const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The parts of a Kubernetes Job the test reads. */
interface Job {
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly completions?: number;
    readonly completionMode?: string;
    readonly template: { readonly spec: { readonly containers: readonly Container[] } };
  };
}
interface Container {
  readonly image: string;
  readonly workingDir: string;
  readonly command: readonly string[];
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value: string }[];
  readonly volumeMounts: readonly { readonly name: string; readonly mountPath: string }[];
}

/** The parts of a GitHub Actions workflow the test reads. */
interface Workflow {
  readonly jobs: Readonly<
    Record<
      string,
      {
        readonly strategy?: { readonly matrix: { readonly shard: readonly number[] } };
        readonly steps: readonly Step[];
      }
    >
  >;
}
interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Readonly<Record<string, string | boolean | number>>;
}

/** Seconds a campaign shard or merge may take (the example estate takes about one). */
const COMMAND_TIMEOUT_S = 60;

/** Runs a program and returns what it did, failing on a spawn error. */
function run(argv: readonly string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  const [program, ...args] = argv;
  const result = spawnSync(program as string, args, {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: COMMAND_TIMEOUT_S * 1000,
  });
  if (result.error) throw result.error;
  return result;
}

/** What a run did, for an assertion message. */
function said(what: string, result: SpawnSyncReturns<string>): string {
  return (
    `${what}\nexit ${result.status} (signal ${result.signal})\n` +
    `--- stdout\n${result.stdout.slice(0, 4000)}\n--- stderr\n${result.stderr.slice(0, 4000)}`
  );
}

/**
 * The unsharded run of a shard's command: the same text without `--shard`, its `--report` going
 * to `report` instead.
 */
function unsharded(command: string, report: string): string {
  const shard = /\s+--shard\s+("[^"]*"|\S+)/;
  const reportOption = /--report\s+("[^"]*"|\S+)/;
  expect(command).toMatch(shard);
  expect(command).toMatch(reportOption);
  return command.replace(shard, '').replace(reportOption, `--report "${report}"`);
}

/**
 * What the merged report of the examples' campaign must show. The examples run the planned side
 * only (their comments say why: a pathway-blind direct side would make every run exit 1), so the
 * report is a single mode's. Their behaviour file is read: firmware V130 refuses V121, which the
 * catalog declares as its base (a planted defect); without the file every activation succeeds.
 */
function expectBehaviourAtWork(reportText: string): void {
  const report = JSON.parse(reportText) as {
    mode: string;
    devices: number;
    byStatus: { bricked: number; degraded: number; refused: number };
    reasons: Record<string, number>;
  };
  expect(report.mode).toBe('planned');
  expect(report.devices).toBe(28);
  expect(report.byStatus).toMatchObject({ bricked: 0, degraded: 0, refused: 6 });
  expect(report.reasons['firmware V130 refused to run on V121']).toBe(6);
  // Over the example's typical links an Image Notify may be lost, and devices do not poll.
  expect(
    Object.keys(report.reasons).filter(
      (r) => !/refused to run on|never fetched: its Image Notify was lost/.test(r),
    ),
  ).toEqual([]);
}

let checkout: Checkout | undefined;

beforeAll(() => {
  checkout = makeCheckout('hanota-examples-');
}, 180_000);

afterAll(() => removeCheckout(checkout));

/**
 * A folder linking every entry of the checkout: another machine's checkout (a CI job's), with
 * folders of its own for what it writes.
 */
function cloneCheckout(name: string): string {
  const { root, dir } = checkout as Checkout;
  const clone = join(root, name);
  mkdirSync(clone);
  for (const entry of readdirSync(dir)) symlinkSync(join(dir, entry), join(clone, entry));
  return clone;
}

describe('examples/kubernetes', () => {
  const folder = join(ROOT, 'examples/kubernetes');
  const jobs = parseAllDocuments(readFileSync(join(folder, 'campaign-job.yaml'), 'utf8')).map(
    (d) => d.toJS() as Job,
  );
  const shards = jobs.find((j) => j.spec.completionMode === 'Indexed') as Job;
  const merge = jobs.find((j) => j !== shards) as Job;
  const shardContainer = shards?.spec.template.spec.containers[0] as Container;
  const mergeContainer = merge?.spec.template.spec.containers[0] as Container;
  const dockerfile = readFileSync(join(folder, 'Dockerfile'), 'utf8');
  const instructions = dockerfile
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const [keyword, ...rest] = l.trim().split(/\s+/);
      return { keyword: keyword as string, value: rest.join(' ') };
    });
  const workdir = instructions.find((i) => i.keyword === 'WORKDIR')?.value as string;

  let project = '';
  let data = '';

  /** Runs a container's command as the kubelet would, `/data` → the temporary volume. */
  function runContainer(container: Container, env: Readonly<Record<string, string>> = {}) {
    const mount = container.volumeMounts[0]?.mountPath as string;
    // Only the volume's prefix is rewritten: `/data/...` becomes `<temporary folder>/...`.
    const prefix = new RegExp(`(?<![\\w./-])${mount.replace(/[/.]/g, '\\$&')}(?=/|$)`, 'g');
    const argv = [...container.command, ...(container.args ?? [])].map((a) => a.replace(prefix, data));
    const containerEnv = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    return run(argv, project, shellEnv({ ...containerEnv, ...env }));
  }

  beforeAll(() => {
    const { root, dir } = checkout as Checkout;
    // The image's working folder after `npm install ./hanota-<version>.tgz`.
    project = join(root, 'campaign');
    mkdirSync(join(project, 'node_modules/.bin'), { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ dependencies: { hanota: `file:hanota-${version}.tgz` } }, null, 2)}\n`,
    );
    symlinkSync(dir, join(project, 'node_modules/hanota'));
    symlinkSync('../hanota/dist/cli/hanota.js', join(project, 'node_modules/.bin/hanota'));
    // The volume, filled as the Job's header comment says, from the repository's fixtures.
    data = join(root, 'data');
    mkdirSync(data);
    symlinkSync(join(ROOT, 'fixtures/example-estate.csv'), join(data, 'estate.csv'));
    symlinkSync(join(ROOT, 'fixtures/example-shard-policy.yaml'), join(data, 'policy.yaml'));
    symlinkSync(join(ROOT, 'fixtures/example-model'), join(data, 'model'));
  });

  it('builds its image from the Dockerfile with the README’s install steps', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Installing the package'));
    const install = section.slice(0, section.indexOf('\n## ', 1));
    const readmeCommands = [...install.matchAll(/`((?:npm install|npx) [^`]+)`/g)].map((m) => m[1]);
    expect(readmeCommands).toEqual([`npm install ./hanota-${version}.tgz`, 'npx hanota --help']);
    expect(instructions.filter((i) => i.keyword === 'RUN').map((i) => i.value)).toEqual(readmeCommands);
    expect(instructions[0]).toEqual({ keyword: 'FROM', value: 'node:20' });
    expect(instructions).toContainEqual({ keyword: 'COPY', value: `hanota-${version}.tgz ./` });
    expect(dockerfile).toContain('No container runtime builds or runs this file here');
    expect(install.replace(/\s+/g, ' ')).toContain('no container runtime builds or runs it here');
    for (const container of [shardContainer, mergeContainer]) {
      expect(container.image).toBe(`hanota:${version}`);
      expect(container.workingDir).toBe(workdir);
      expect(container.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    }
  });

  it('runs each shard of the Indexed Job as written', () => {
    expect(shards.spec.completions).toBe(4);
    expect(shardContainer.args?.[0]).toContain('--behaviour');
    for (let index = 0; index < (shards.spec.completions ?? 0); index++) {
      const result = runContainer(shardContainer, { JOB_COMPLETION_INDEX: String(index) });
      expect(result.status, said(`shard index ${index}`, result)).toBe(0);
    }
    expect(readdirSync(join(data, 'shards')).sort()).toEqual(
      ['0', '1', '2', '3'].map((i) => `shard-${i}.json`),
    );
  });

  it('merges the shards as written into the unsharded run’s report, byte for byte', () => {
    const merged = runContainer(mergeContainer);
    expect(merged.status, said('merge', merged)).toBe(0);
    const full = runContainer({
      ...shardContainer,
      args: [unsharded(shardContainer.args?.[0] as string, '/data/full.json')],
    });
    expect(full.status, said('unsharded run', full)).toBe(0);
    const report = readFileSync(join(data, 'report.json'), 'utf8');
    expect(report).toBe(readFileSync(join(data, 'full.json'), 'utf8'));
    expectBehaviourAtWork(report);
  });
});

describe('examples/ci', () => {
  const workflow = parse(readFileSync(join(ROOT, 'examples/ci/campaign-matrix.yml'), 'utf8')) as Workflow;
  const shardJob = workflow.jobs.shard;
  const mergeJob = workflow.jobs.merge;
  /** `bash -e -o pipefail`, as GitHub Actions runs a `run` step on Linux. */
  const bash = ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c'];
  /** The matrix expression the shard job's steps use, as GitHub Actions substitutes it. */
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
  const MATRIX_SHARD = '${{ matrix.shard }}';
  /** What a shard uploaded: artifact name → file. */
  const artifacts = new Map<string, string>();

  /** The steps that set up the checkout (the stand-in is built that way), then those that run. */
  function hanotaSteps(steps: readonly Step[]): Step[] {
    const runs = steps.filter((s) => s.run !== undefined).map((s) => s.run);
    expect(runs.slice(0, 2)).toEqual(['npm install', 'npm run build']);
    const setup = steps.findIndex((s) => s.run === 'npm run build');
    return steps.slice(setup + 1);
  }

  it('runs each shard of the matrix as written, in its own checkout', () => {
    const matrix = shardJob?.strategy?.matrix.shard ?? [];
    expect(matrix).toEqual([1, 2, 3, 4]);
    for (const shard of matrix) {
      const dir = cloneCheckout(`ci-shard-${shard}`);
      const substitute = (text: string) => text.replaceAll(MATRIX_SHARD, String(shard));
      for (const step of hanotaSteps(shardJob?.steps ?? [])) {
        if (step.run !== undefined) {
          const command = substitute(step.run);
          expect(command).not.toContain('${{');
          expect(command).toContain('--behaviour');
          const result = run([...bash, command], dir, shellEnv());
          expect(result.status, said(command, result)).toBe(0);
        } else if (step.uses?.startsWith('actions/upload-artifact@')) {
          const name = substitute(String(step.with?.name));
          artifacts.set(name, join(dir, substitute(String(step.with?.path))));
        }
      }
    }
    expect([...artifacts.keys()]).toEqual(['shard-1', 'shard-2', 'shard-3', 'shard-4']);
  });

  it('merges the shards as written into the unsharded run’s report, byte for byte', () => {
    const dir = cloneCheckout('ci-merge');
    let report = '';
    for (const step of hanotaSteps(mergeJob?.steps ?? [])) {
      if (step.uses?.startsWith('actions/download-artifact@')) {
        expect(step.with?.['merge-multiple']).toBe(true);
        const into = join(dir, String(step.with?.path));
        mkdirSync(into, { recursive: true });
        for (const file of artifacts.values()) copyFileSync(file, join(into, basename(file)));
      } else if (step.run !== undefined) {
        const result = run([...bash, step.run], dir, shellEnv());
        expect(result.status, said(step.run, result)).toBe(0);
      } else if (step.uses?.startsWith('actions/upload-artifact@')) {
        report = readFileSync(join(dir, String(step.with?.path)), 'utf8');
      }
    }
    // Any matrix value will do: `--shard` and its value go, `--report` is replaced.
    const shardRun = shardJob?.steps.find((s) => s.run?.includes('--shard'))?.run as string;
    const fullRun = unsharded(shardRun.replaceAll(MATRIX_SHARD, '1'), 'full.json');
    const fullDir = cloneCheckout('ci-full');
    const full = run([...bash, fullRun], fullDir, shellEnv());
    expect(full.status, said('unsharded run', full)).toBe(0);
    expect(report).toBe(readFileSync(join(fullDir, 'full.json'), 'utf8'));
    expectBehaviourAtWork(report);
  });
});
