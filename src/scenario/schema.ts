/**
 * The scenario language (YAML, validated here): a hub or several, the devices behind them, the
 * catalog, images and supplier keys they use (paths relative to the scenario file), a timeline
 * of actions at virtual times, and expectations. `scenarioJsonSchema()` is the same definition as
 * JSON Schema, shipped as `scenarios/scenario.schema.json` for editors.
 */
import { z } from 'zod';
import { DEVICE_TYPES } from '../devices/profiles.ts';
import { expectedGot } from '../pathways/yaml-input.ts';
import { LINK_PROFILES } from '../sim/link.ts';

const id = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only');
/** A duration: a number of seconds, or a number with s, m, h or d. */
const duration = z.union(
  [
    z.number().nonnegative(),
    z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'a duration like 30s, 5m, 2h, 3d'),
  ],
  // Neither a number nor text (a list, true, nothing): say what would do.
  { error: (issue) => expectedGot('a duration like 30s, 5m, 2h, 3d (or a number of seconds)', issue.input) },
);
/** An unsigned number in decimal or 0x hex. */
const uint = (bits: 16 | 32) =>
  z
    .union(
      [
        z.number().int().nonnegative(),
        z.string().regex(/^0x[0-9a-fA-F]+$|^\d+$/, 'a number (decimal or 0x hex)'),
      ],
      { error: (issue) => expectedGot('a number (decimal or 0x hex)', issue.input) },
    )
    .refine(
      (v) =>
        (typeof v === 'number' ? v : v.startsWith('0x') ? Number.parseInt(v.slice(2), 16) : Number(v)) <
        2 ** bits,
      {
        error: (issue) =>
          expectedGot(`at most ${bits} bits (0 to 0x${(2 ** bits - 1).toString(16)})`, issue.input),
      },
    );
const eui = z.string().regex(/^[0-9a-fA-F]{16}$/, 'an EUI-64 (16 hex digits)');
const iso = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, 'a UTC time YYYY-MM-DDTHH:MM:SSZ');

const hub = z.strictObject({
  id,
  /** The hub model (informational). */
  model: z.string().optional(),
  memory: z
    .strictObject({ blocks: z.number().int().positive(), blockSize: z.number().int().positive() })
    .optional(),
  maxConcurrentDownloads: z.number().int().positive().optional(),
  minimumBlockPeriodMs: z.number().int().nonnegative().optional(),
});

const device = z.strictObject({
  id,
  type: z.enum(DEVICE_TYPES),
  /** The device model (informational; a catalog entry names its own). */
  model: z.string().optional(),
  hub: id.optional(),
  eui: eui.optional(),
  /** The catalog entry it runs; gives manufacturer code, image type and version from that entry's image. */
  entry: z.string().optional(),
  manufacturerCode: uint(16).optional(),
  imageType: uint(16).optional(),
  fileVersion: uint(32).optional(),
  /** `none` leaves it out of queries (PPMID/IHD may). */
  hardwareVersion: z
    .union([uint(16), z.literal('none')], {
      error: (issue) => expectedGot('a 16-bit number (decimal or 0x hex) or none', issue.input),
    })
    .optional(),
  link: z.enum(Object.keys(LINK_PROFILES) as [string, ...string[]]).optional(),
  loss: z.number().min(0).max(0.99).optional(),
  /** A sleepy device's wake interval, s (GSME). */
  wakeIntervalS: z.number().positive().optional(),
  supplier: id.optional(),
  /** Offered an older image: download it (the default, as Silicon Labs' client) or refuse it. */
  downgrade: z.enum(['accept', 'refuse']).optional(),
  /** Offered the version it runs: no new image (the default, as Silicon Labs' client) or download it again. */
  reinstall: z.enum(['ignore', 'accept']).optional(),
  /** How often it queries the hub at rest (default 5m, Silicon Labs' client). */
  queryInterval: duration.optional(),
  /** Fetch the image by Image Page Requests, with Silicon Labs' client's page settings (default: blocks). */
  pageRequests: z.boolean().optional(),
});

const distribute = z.strictObject({ image: id, to: z.array(id).min(1) });
const activate = z.strictObject({
  device: id,
  image: id,
  supplier: id.optional(),
  executeAt: iso.optional(),
  cancel: z.boolean().optional(),
});
const inject = z.strictObject({
  device: id,
  image: id,
  kind: z.enum(['forged', 'replayed', 'misaddressed', 'otherHash', 'oldSupplier']),
});

const action = z.strictObject({
  at: duration.optional(),
  distribute: distribute.optional(),
  activate: activate.optional(),
  upgrade: z.strictObject({ device: id, to: z.string() }).optional(),
  powerCycle: z
    .strictObject({ device: id.optional(), hub: id.optional(), offFor: duration.optional() })
    .optional(),
  link: z
    .strictObject({
      device: id,
      profile: z.enum(Object.keys(LINK_PROFILES) as [string, ...string[]]).optional(),
      loss: z.number().min(0).max(0.99).optional(),
    })
    .optional(),
  changeSupplier: z.strictObject({ device: id, to: id }).optional(),
  inject: inject.optional(),
  adt: z.strictObject({ limit: z.number().int().nonnegative(), window: duration }).optional(),
  /** The distribution of an image ends: the hub frees its blocks now, or when the last download ends. */
  evict: z.strictObject({ image: id }).optional(),
});

const expectDevice = z.strictObject({
  entry: z.string().optional(),
  runningVersion: uint(32).optional(),
  phase: z.string().optional(),
  bricked: z.boolean().optional(),
  /** GBCS and hub events in this order (others may come between): 0x8F72, CS06:success, refused:counter, … */
  events: z.array(z.string()).optional(),
  /** Something about this device must have failed, with a reason containing this text. */
  failsWith: z.string().optional(),
});

const expectations = z.strictObject({
  devices: z.record(z.string(), expectDevice).optional(),
  /** The invariants every run must keep (src/scenario/invariants.ts): `hanota fuzz` writes this into what it finds. */
  invariants: z.boolean().optional(),
  noneBricked: z.boolean().optional(),
  hubMemoryPeakBlocks: z.strictObject({ max: z.number().int().nonnegative() }).optional(),
  completedBy: duration.optional(),
  /** No device targeted by the timeline may finish its last activation before this. */
  completedAfter: duration.optional(),
  frames: z
    .strictObject({
      min: z.number().int().nonnegative().optional(),
      max: z.number().int().nonnegative().optional(),
    })
    .optional(),
  distributions: z
    .strictObject({
      refused: z.number().int().nonnegative().optional(),
      quarantined: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

/** The scenario file format. */
export const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z
    .number()
    .int()
    .nonnegative()
    .max(2 ** 32 - 1)
    .optional(),
  maxDays: z.number().positive().optional(),
  catalog: z.string().optional(),
  behaviour: z.string().optional(),
  suppliers: z.record(id, z.strictObject({ key: z.string(), eui: eui.optional() })).optional(),
  images: z.record(id, z.string()),
  hubs: z.array(hub).min(1).optional(),
  devices: z.array(device).min(1),
  timeline: z.array(action).optional(),
  expect: expectations,
});

/** A validated scenario. */
export type ScenarioFile = z.infer<typeof scenarioSchema>;
/** One timeline action. */
export type ScenarioAction = z.infer<typeof action>;

/** The format as JSON Schema (draft 2020-12). */
export function scenarioJsonSchema(): unknown {
  return { title: 'hanota scenario', ...z.toJSONSchema(scenarioSchema) };
}
