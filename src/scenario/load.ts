/**
 * Reading a scenario file: YAML, then the schema, then the references between its parts (hubs,
 * devices, images, suppliers named in the timeline and expectations). Every problem is a
 * `ScenarioError` naming the path inside the file and what was expected.
 */
import { HanotaError } from '../errors/errors.ts';
import { readYaml } from '../pathways/yaml-input.ts';
import { type ScenarioAction, type ScenarioFile, scenarioSchema } from './schema.ts';

/** A scenario that cannot be used; `path` is where in the file (`devices[2].hub`). */
export class ScenarioError extends HanotaError {
  readonly path: string;

  constructor(path: string, message: string) {
    super('SCENARIO', `${path}: ${message}`);
    this.path = path;
  }
}

const VERBS = [
  'distribute',
  'activate',
  'upgrade',
  'powerCycle',
  'link',
  'changeSupplier',
  'inject',
  'adt',
  'evict',
] as const;
/** The verb of a timeline action. */
export type Verb = (typeof VERBS)[number];

function pathOf(parts: readonly PropertyKey[]): string {
  return parts.reduce<string>(
    (s, p) => (typeof p === 'number' ? `${s}[${p}]` : s === '' ? String(p) : `${s}.${String(p)}`),
    '',
  );
}

/** The verb of an action (exactly one per action). */
export function verbOf(action: ScenarioAction): Verb {
  return VERBS.find((v) => action[v] !== undefined) as Verb;
}

/** Parses and checks a scenario file's text. */
export function parseScenario(text: string): ScenarioFile {
  const data = readYaml(text, (where, message) => {
    throw new ScenarioError(where, message);
  });
  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScenarioError(pathOf(issue?.path ?? []) || 'document', issue?.message ?? 'invalid');
  }
  const s = parsed.data;
  const hubs = new Set<string>();
  (s.hubs ?? [{ id: 'hub' }]).forEach((h, i) => {
    if (hubs.has(h.id)) throw new ScenarioError(`hubs[${i}].id`, `'${h.id}' is used twice`);
    hubs.add(h.id);
  });
  const devices = new Set<string>();
  s.devices.forEach((d, i) => {
    if (devices.has(d.id)) throw new ScenarioError(`devices[${i}].id`, `'${d.id}' is used twice`);
    devices.add(d.id);
    if (d.hub !== undefined && !hubs.has(d.hub))
      throw new ScenarioError(`devices[${i}].hub`, `no hub '${d.hub}'`);
    if (d.hub === undefined && hubs.size > 1)
      throw new ScenarioError(`devices[${i}].hub`, 'name the hub: there are several');
    if (d.supplier !== undefined && !s.suppliers?.[d.supplier])
      throw new ScenarioError(`devices[${i}].supplier`, `no supplier '${d.supplier}'`);
    if (d.entry === undefined && (d.manufacturerCode === undefined || d.fileVersion === undefined))
      throw new ScenarioError(
        `devices[${i}]`,
        'give entry (with a catalog), or manufacturerCode and fileVersion',
      );
    if (d.entry !== undefined && s.catalog === undefined)
      throw new ScenarioError(`devices[${i}].entry`, 'an entry needs a catalog');
  });
  const need = (path: string, kind: 'device' | 'image' | 'supplier' | 'hub', name: string | undefined) => {
    if (name === undefined) return;
    const known =
      kind === 'device'
        ? devices.has(name)
        : kind === 'image'
          ? s.images[name] !== undefined
          : kind === 'hub'
            ? hubs.has(name)
            : s.suppliers?.[name] !== undefined;
    if (!known) throw new ScenarioError(path, `no ${kind} '${name}'`);
  };
  (s.timeline ?? []).forEach((a, i) => {
    const path = `timeline[${i}]`;
    const verbs = VERBS.filter((v) => a[v] !== undefined);
    if (verbs.length !== 1)
      throw new ScenarioError(
        path,
        `one action per entry (${VERBS.join(', ')}), found ${verbs.length ? verbs.join(', ') : 'none'}`,
      );
    if (a.distribute) {
      need(`${path}.distribute.image`, 'image', a.distribute.image);
      for (const [k, d] of a.distribute.to.entries()) need(`${path}.distribute.to[${k}]`, 'device', d);
    }
    if (a.activate) {
      need(`${path}.activate.device`, 'device', a.activate.device);
      need(`${path}.activate.image`, 'image', a.activate.image);
      need(`${path}.activate.supplier`, 'supplier', a.activate.supplier);
      if (a.activate.cancel && a.activate.executeAt)
        throw new ScenarioError(`${path}.activate`, 'cancel and executeAt exclude each other');
    }
    if (a.upgrade) {
      need(`${path}.upgrade.device`, 'device', a.upgrade.device);
      if (s.catalog === undefined)
        throw new ScenarioError(`${path}.upgrade`, 'an upgrade along the planned path needs a catalog');
    }
    if (a.powerCycle) {
      if ((a.powerCycle.device === undefined) === (a.powerCycle.hub === undefined))
        throw new ScenarioError(`${path}.powerCycle`, 'name a device or a hub');
      need(`${path}.powerCycle.device`, 'device', a.powerCycle.device);
      need(`${path}.powerCycle.hub`, 'hub', a.powerCycle.hub);
    }
    if (a.link) need(`${path}.link.device`, 'device', a.link.device);
    if (a.evict) need(`${path}.evict.image`, 'image', a.evict.image);
    if (a.changeSupplier) {
      need(`${path}.changeSupplier.device`, 'device', a.changeSupplier.device);
      need(`${path}.changeSupplier.to`, 'supplier', a.changeSupplier.to);
    }
    if (a.inject) {
      need(`${path}.inject.device`, 'device', a.inject.device);
      need(`${path}.inject.image`, 'image', a.inject.image);
    }
  });
  for (const name of Object.keys(s.expect.devices ?? {})) need(`expect.devices.${name}`, 'device', name);
  return s;
}

/** The files a scenario refers to, relative to it: catalog, behaviour, images, supplier keys. */
export function referencedFiles(s: ScenarioFile): string[] {
  return [
    ...(s.catalog ? [s.catalog] : []),
    ...(s.behaviour ? [s.behaviour] : []),
    ...Object.values(s.images),
    ...Object.values(s.suppliers ?? {}).map((x) => x.key),
  ];
}

/** Seconds in a duration (`90`, `30s`, `5m`, `2h`, `3d`, `250ms`). */
export function durationSeconds(d: number | string): number {
  if (typeof d === 'number') return d;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(d) as RegExpExecArray;
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

/** A number given in decimal or 0x hex. */
export function uintOf(v: number | string): number {
  return typeof v === 'number'
    ? v
    : v.startsWith('0x') || v.startsWith('0X')
      ? Number.parseInt(v.slice(2), 16)
      : Number(v);
}
