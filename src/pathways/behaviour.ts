/**
 * A device behaviour file (YAML, one per model): what each firmware image does when activated
 * on a device running each earlier entry — the manufacturer's knowledge of their firmware, kept
 * apart from the pathways they declared. `accepts` lists the running entries it upgrades from
 * cleanly; `from` states what happens from particular other entries; `otherwise` covers the
 * rest: `refuse` (the firmware rejects itself and the old one keeps running), `brick` (it runs
 * and the listed functions are lost for good), `degrade` (it runs with the listed functions lost).
 *
 * ```yaml
 * model: Volta
 * firmware:
 *   V130:
 *     accepts: [V120]
 *     from:
 *       V110: { brick: [supply control] }
 *     otherwise: refuse
 * ```
 */
import { HanotaError } from '../errors/errors.ts';
import { readYaml } from './yaml-input.ts';

/** What a firmware does when activated from a running entry it does not accept. */
export type Reaction =
  | { readonly kind: 'refuse' }
  | { readonly kind: 'brick'; readonly functions: readonly string[] }
  | { readonly kind: 'degrade'; readonly functions: readonly string[] };

/** What activating a firmware from a given running entry does. */
export type Outcome = { readonly kind: 'accept' } | Reaction;

/** One firmware's behaviour. */
export interface FirmwareBehaviour {
  readonly accepts: readonly string[];
  readonly from: ReadonlyMap<string, Reaction>;
  readonly otherwise: Reaction;
}

/** A behaviour file. */
export interface Behaviour {
  readonly model: string;
  readonly firmware: ReadonlyMap<string, FirmwareBehaviour>;
}

/** A behaviour file that cannot be used: `path` names the key (`firmware.V130.otherwise`). */
export class BehaviourError extends HanotaError {
  readonly path: string;

  constructor(path: string, message: string) {
    super('BEHAVIOUR', `${path}: ${message}`);
    this.path = path;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function idList(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new BehaviourError(path, 'expected a list of CPL entry IDs');
  return v.map((x, i) => {
    if (typeof x !== 'string' && typeof x !== 'number')
      throw new BehaviourError(`${path}[${i}]`, 'expected an entry ID');
    return String(x);
  });
}

function reaction(v: unknown, path: string): Reaction {
  if (v === 'refuse') return { kind: 'refuse' };
  if (isRecord(v)) {
    const keys = Object.keys(v);
    const kind = keys[0];
    if (keys.length === 1 && (kind === 'brick' || kind === 'degrade')) {
      const functions = v[kind];
      if (
        !Array.isArray(functions) ||
        functions.length === 0 ||
        !functions.every((f) => typeof f === 'string')
      )
        throw new BehaviourError(`${path}.${kind}`, 'expected a non-empty list of the functions lost');
      return { kind, functions };
    }
  }
  throw new BehaviourError(path, 'expected refuse, { brick: [functions] } or { degrade: [functions] }');
}

/** Parses a behaviour file; every problem names its line or key. */
export function parseBehaviour(text: string): Behaviour {
  // The failsafe schema keeps every scalar a string: entry IDs like 0100 or 1.10 stay as written.
  const root = readYaml(
    text,
    (where, message) => {
      throw new BehaviourError(where, message);
    },
    { failsafe: true },
  );
  if (!isRecord(root)) throw new BehaviourError('document', 'expected a mapping with model and firmware');
  if (typeof root.model !== 'string' || root.model === '')
    throw new BehaviourError('model', 'expected the model name');
  if (!isRecord(root.firmware))
    throw new BehaviourError('firmware', 'expected a mapping of entry ID to behaviour');
  for (const key of Object.keys(root))
    if (key !== 'model' && key !== 'firmware') throw new BehaviourError(key, 'unknown key (model, firmware)');
  const firmware = new Map<string, FirmwareBehaviour>();
  for (const [id, spec] of Object.entries(root.firmware)) {
    const path = `firmware.${id}`;
    if (!isRecord(spec)) throw new BehaviourError(path, 'expected accepts, from and otherwise');
    for (const key of Object.keys(spec))
      if (!['accepts', 'from', 'otherwise'].includes(key))
        throw new BehaviourError(`${path}.${key}`, 'unknown key (accepts, from, otherwise)');
    const from = new Map<string, Reaction>();
    if (spec.from !== undefined) {
      if (!isRecord(spec.from))
        throw new BehaviourError(`${path}.from`, 'expected a mapping of entry ID to reaction');
      for (const [running, r] of Object.entries(spec.from))
        from.set(running, reaction(r, `${path}.from.${running}`));
    }
    const accepts = spec.accepts === undefined ? [] : idList(spec.accepts, `${path}.accepts`);
    for (const a of accepts)
      if (from.has(a)) throw new BehaviourError(`${path}.from.${a}`, `${a} is also in accepts`);
    if (spec.otherwise === undefined)
      throw new BehaviourError(`${path}.otherwise`, 'missing: say what happens from other entries');
    firmware.set(id, { accepts, from, otherwise: reaction(spec.otherwise, `${path}.otherwise`) });
  }
  return { model: root.model, firmware };
}

/** What activating `image` on a device running `running` does, by the behaviour file. */
export function outcomeOf(behaviour: Behaviour, image: string, running: string): Outcome | undefined {
  const fw = behaviour.firmware.get(image);
  if (!fw) return undefined;
  if (fw.accepts.includes(running)) return { kind: 'accept' };
  return fw.from.get(running) ?? fw.otherwise;
}
