/**
 * The Security Sub-Committee's question (MP231): when a vulnerability in a ZigBee stack is
 * notified, which CPL entries run that chipset vendor's stack in the affected range, which devices
 * of an estate run them (per model, hub and supplier), and where each affected model and hardware
 * version can go: the nearest Active entry outside the range that the declared pathways reach.
 * Entries whose chipset or stack version the catalog does not give (best-endeavours data) are
 * unknown, never safe. The ZigBee band join option of each entry is checked against MP231's six.
 */
import { DecodeError } from '../errors/errors.ts';
import { type Catalog, type CatalogEntry, groupKey, isZigbeeBand } from './catalog.ts';
import type { EstateDevice } from './estate.ts';
import { Planner } from './planner.ts';

/**
 * One bound of a version range: a comparison, or `line` — a bare version names its whole line
 * (`6.9` is 6.9, 6.9.1, 6.9.12 …; `=6.9` is 6.9 exactly).
 */
type Bound = { readonly op: '<' | '<=' | '>' | '>=' | '=' | 'line'; readonly version: readonly number[] };

/** A stack version range: every bound holds (`>=6.7,<6.10.4`; `6.0..6.9`; `=7.1`; a bare version). */
export interface StackRange {
  readonly text: string;
  readonly bounds: readonly Bound[];
}

/**
 * The version in a stack version text: its first dotted number (`EmberZNet 6.10.3` → [6, 10, 3];
 * `Zigbee PRO 2017 / EmberZNet 6.10` → [6, 10]). A text with no dotted number is unreadable.
 */
export function stackVersionOf(text: string): number[] | undefined {
  const m = /\d+(?:\.\d+)+/.exec(text);
  return m ? m[0].split('.').map(Number) : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Reads a range; a `DecodeError` says what is wrong. */
export function parseStackRange(text: string): StackRange {
  const bounds: Bound[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    const span = /^(\d+(?:\.\d+)*)\s*\.\.\s*(\d+(?:\.\d+)*)$/.exec(part);
    const one = /^(<=|>=|<|>|=)?\s*(\d+(?:\.\d+)*)$/.exec(part);
    if (span) {
      const low = (span[1] as string).split('.').map(Number);
      const high = (span[2] as string).split('.').map(Number);
      if (compare(low, high) > 0)
        throw new DecodeError('STACK_RANGE', `--stack '${text}': the span '${part}' runs backwards`, 0);
      bounds.push({ op: '>=', version: low }, { op: '<=', version: high });
    } else if (one)
      bounds.push({
        op: (one[1] ?? 'line') as Bound['op'],
        version: (one[2] as string).split('.').map(Number),
      });
    else
      throw new DecodeError(
        'STACK_RANGE',
        `--stack '${text}': '${part}' is not a version bound (write e.g. '>=6.7,<6.10.4', '6.0..6.9' or '7.1')`,
        0,
      );
  }
  return { text, bounds };
}

/** Whether `version` is in `range`. */
export function inRange(version: readonly number[], range: StackRange): boolean {
  return range.bounds.every(({ op, version: v }) => {
    if (op === 'line') return v.every((n, i) => version[i] === n);
    const c = compare(version, v);
    return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : op === '>=' ? c >= 0 : c === 0;
  });
}

const UNKNOWN_TEXT = /^(|unknown|n\/a|na|tbc|tbd|-)$/i;

/** What an entry's ZigBee data says about the notified vulnerability. */
export type EntryExposure = 'affected' | 'safe' | 'unknown';

/** The exposure of one entry: affected, safe, or unknown (and why). */
export function entryExposure(
  e: CatalogEntry,
  chipset: string,
  range: StackRange,
): { exposure: EntryExposure; why: string } {
  const vendor = (e.extra.zigbee_chipset_vendor ?? '').trim();
  const stack = (e.extra.zigbee_stack_version ?? '').trim();
  if (UNKNOWN_TEXT.test(vendor)) return { exposure: 'unknown', why: 'chipset vendor not given' };
  if (vendor.toLowerCase() !== chipset.trim().toLowerCase())
    return { exposure: 'safe', why: `chipset ${vendor}` };
  const version = UNKNOWN_TEXT.test(stack) ? undefined : stackVersionOf(stack);
  if (!version)
    return { exposure: 'unknown', why: `stack version ${stack ? `'${stack}' unreadable` : 'not given'}` };
  return inRange(version, range)
    ? { exposure: 'affected', why: `stack ${stack} in ${range.text}` }
    : { exposure: 'safe', why: `stack ${stack} outside ${range.text}` };
}

/** One model and hardware version with affected entries. */
export interface ExposedGroup {
  readonly deviceType: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly hardwareVersion: string;
  readonly affected: readonly string[];
  readonly unknown: readonly string[];
  /** Its ZigBee band join options as the entries give them; those not MP231's are in `badBands`. */
  readonly bands: readonly string[];
  readonly badBands: readonly string[];
  /** The nearest Active safe entry every affected entry (devices run) reaches; absent: none. */
  readonly target?: string;
  readonly targetHops?: number;
  readonly noTarget?: string;
  /** With an estate: the devices running an affected entry. */
  readonly devices?: readonly {
    readonly deviceId: string;
    readonly hubId: string;
    readonly supplier: string;
    readonly cplEntryId: string;
  }[];
  /** With an estate: the devices running an entry of unknown exposure. */
  readonly unknownDevices?: number;
}

/** The whole answer. */
export interface ExposureReport {
  readonly chipset: string;
  readonly stack: string;
  readonly affected: readonly string[];
  readonly unknown: readonly string[];
  readonly groups: readonly ExposedGroup[];
  /** With an estate: devices running an entry of unknown exposure (not known to be safe). */
  readonly unknownDevices?: readonly string[];
  /** The chipset vendors the catalog names (as written, once each): a vendor notified under another spelling shows here. */
  readonly vendors: readonly string[];
  /** Every entry, affected or not, whose ZigBee band is missing (mandatory since MP231) or not one of the six. */
  readonly bandProblems: readonly {
    readonly cplEntryId: string;
    readonly model: string;
    readonly band: string;
  }[];
}

/** The SSC's view of `catalog` (and `estate`) for `chipset` stacks in `range`. */
export function exposure(
  catalog: Catalog,
  chipset: string,
  range: StackRange,
  estate?: readonly EstateDevice[],
): ExposureReport {
  const of = new Map(catalog.entries.map((e) => [e.cplEntryId, entryExposure(e, chipset, range)] as const));
  const affected = catalog.entries.filter((e) => of.get(e.cplEntryId)?.exposure === 'affected');
  const unknown = catalog.entries.filter((e) => of.get(e.cplEntryId)?.exposure === 'unknown');
  const planner = new Planner(catalog);
  const byGroup = new Map<string, CatalogEntry[]>();
  for (const e of catalog.entries) byGroup.set(groupKey(e), [...(byGroup.get(groupKey(e)) ?? []), e]);
  const groups: ExposedGroup[] = [];
  for (const entries of byGroup.values()) {
    const hit = entries.filter((e) => of.get(e.cplEntryId)?.exposure === 'affected');
    if (hit.length === 0) continue;
    const first = entries[0] as CatalogEntry;
    const devices = estate?.filter((d) => hit.some((e) => e.cplEntryId === d.cplEntryId));
    // Where remediation starts: the affected entries devices run; without such devices, all of them.
    const run = [...new Set((devices ?? []).map((d) => d.cplEntryId))];
    const starts = run.length > 0 ? run : hit.map((e) => e.cplEntryId);
    let best: { id: string; hops: number } | undefined;
    for (const t of entries) {
      if (of.get(t.cplEntryId)?.exposure !== 'safe' || t.status.trim().toLowerCase() !== 'active') continue;
      let total = 0;
      for (const s of starts) {
        const plan = planner.plan(s, t.cplEntryId);
        if (!plan.ok) {
          total = Number.POSITIVE_INFINITY;
          break;
        }
        total += plan.hops.length;
      }
      if (total === Number.POSITIVE_INFINITY) continue;
      if (!best || total < best.hops || (total === best.hops && t.cplEntryId < best.id))
        best = { id: t.cplEntryId, hops: total };
    }
    const bands = [
      ...new Set(entries.map((e) => (e.extra.zigbee_band ?? '').trim()).filter((b) => b !== '')),
    ];
    groups.push({
      deviceType: first.deviceType,
      manufacturer: first.manufacturer,
      model: first.model,
      hardwareVersion: first.hardwareVersion,
      affected: hit.map((e) => e.cplEntryId),
      unknown: entries.filter((e) => of.get(e.cplEntryId)?.exposure === 'unknown').map((e) => e.cplEntryId),
      bands,
      badBands: bands.filter((b) => !isZigbeeBand(b)),
      ...(best
        ? { target: best.id, targetHops: best.hops }
        : {
            noTarget:
              'no Active entry outside the range is reached by the declared pathways from every affected entry',
          }),
      ...(devices && {
        devices: devices.map((d) => ({
          deviceId: d.deviceId,
          hubId: d.hubId,
          supplier: (d.extra.supplier ?? '').trim(),
          cplEntryId: d.cplEntryId,
        })),
        unknownDevices: (estate ?? []).filter(
          (d) =>
            of.get(d.cplEntryId)?.exposure === 'unknown' &&
            entries.some((e) => e.cplEntryId === d.cplEntryId),
        ).length,
      }),
    });
  }
  return {
    chipset,
    stack: range.text,
    affected: affected.map((e) => e.cplEntryId),
    unknown: unknown.map((e) => e.cplEntryId),
    groups,
    vendors: [
      ...new Set(
        catalog.entries
          .map((e) => (e.extra.zigbee_chipset_vendor ?? '').trim())
          .filter((v) => !UNKNOWN_TEXT.test(v)),
      ),
    ],
    bandProblems: catalog.entries.flatMap((e) => {
      const band = (e.extra.zigbee_band ?? '').trim();
      return isZigbeeBand(band)
        ? []
        : [{ cplEntryId: e.cplEntryId, model: `${e.manufacturer} ${e.model}`, band }];
    }),
    ...(estate && {
      unknownDevices: estate
        .filter((d) => of.get(d.cplEntryId)?.exposure === 'unknown')
        .map((d) => d.deviceId),
    }),
  };
}
