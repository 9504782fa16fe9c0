/**
 * A campaign's rollout policy (YAML): download slots per hub, hub memory, the DCC's anomaly
 * detection threshold, the hours activations may happen in, phased rollout groups, retries with
 * back-off, the mode, and how long to simulate. Every value is checked against the range the
 * simulation can honour, and every problem names the key, what was expected and what was found.
 */
import { z } from 'zod';
import { HanotaError } from '../errors/errors.ts';
import { expectedGot, readYaml } from '../pathways/yaml-input.ts';

/**
 * The longest campaign simulated, in days (ten years), and so the longest duration worth
 * stating: a window or back-off beyond it is never reached. It keeps simulated times (µs) far
 * below 2^53 and the per-day series of the report small.
 */
export const POLICY_MAX_DAYS = 3650;
/** Retries per distribution at most: each is a new distribution through the threshold. */
export const POLICY_MAX_ATTEMPTS = 1000;
/** The largest back-off factor. */
export const POLICY_MAX_FACTOR = 1000;
/**
 * The most hub buckets a policy may ask for: 2^17, enough for buckets of a few hundred devices
 * (the size at which a bucket runs fastest, BENCHMARKS.md) over all of GB's thirty million meters.
 */
export const MAX_BUCKETS = 131_072;

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/;
const UNIT_S = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const DURATION_TEXT = 'a duration like 30s, 5m, 2h or 1d (or a number of seconds)';

/** Seconds in a policy duration; undefined when `d` is not one. */
function secondsOf(d: unknown): number | undefined {
  if (typeof d === 'number') return Number.isFinite(d) ? d : undefined;
  if (typeof d !== 'string') return undefined;
  const m = DURATION.exec(d.trim());
  return m ? Number(m[1]) * UNIT_S[m[2] as keyof typeof UNIT_S] : undefined;
}

/** A duration of at least `min` seconds (written `minText`) and at most POLICY_MAX_DAYS. */
function duration(min: number, minText: string) {
  const range = `a duration from ${minText} to ${POLICY_MAX_DAYS}d`;
  return z
    .union([z.number(), z.string()], { error: (issue) => expectedGot(DURATION_TEXT, issue.input) })
    .superRefine((v, ctx) => {
      const s = secondsOf(v);
      if (s === undefined) ctx.addIssue({ code: 'custom', message: expectedGot(DURATION_TEXT, v) });
      else if (!(s >= min && s <= POLICY_MAX_DAYS * 86_400))
        ctx.addIssue({ code: 'custom', message: expectedGot(range, v) });
    });
}

/** A whole number from `min` to `max` (a safe integer when `max` is not given). */
function whole(min: number, max?: number) {
  const expected =
    max === undefined ? `a whole number, at least ${min}` : `a whole number from ${min} to ${max}`;
  const error = (issue: { input?: unknown }) => expectedGot(expected, issue.input);
  return z
    .number({ error })
    .refine((n) => Number.isSafeInteger(n) && n >= min && n <= (max ?? Number.MAX_SAFE_INTEGER), { error });
}

/** A number in a range: `(min, max]` when `minExclusive`, else `[min, max]`. */
function numberIn(min: number, max: number, expected: string, minExclusive = false) {
  const error = (issue: { input?: unknown }) => expectedGot(expected, issue.input);
  return z.number({ error }).refine((n) => (minExclusive ? n > min : n >= min) && n <= max, { error });
}

const percent = numberIn(0, 100, 'a percentage from 0 to 100');

/** The policy file format. */
export const policySchema = z.strictObject({
  /** Downloads a hub serves at once. */
  concurrency: z.strictObject({ perHub: whole(1) }).optional(),
  memory: z.strictObject({ blocks: whole(1), blockSize: whole(1) }).optional(),
  /**
   * At most `limit` firmware distributions per `window`; more are quarantined to later windows.
   * The window is at least a second (the threshold counts whole distributions per window).
   */
  adt: z.strictObject({ limit: whole(1), window: duration(1, '1s') }).optional(),
  /** Activations only in these UTC hours: [fromHour, toHour). */
  activationWindow: z.strictObject({ fromHour: whole(0, 23), toHour: whole(0, 24) }).optional(),
  /**
   * A phased rollout: groups of the devices to upgrade, in estate order, each a percentage of
   * them; the devices left when the percentages add up to less than 100 form a last group, "rest".
   * The semantics of the thresholds are src/campaign/rollout.ts's.
   */
  rollout: z
    .strictObject({
      groups: z
        .array(
          z.strictObject({
            name: z.string({ error: (issue) => expectedGot('a group name', issue.input) }).min(1, {
              error: 'expected a group name, got an empty one',
            }),
            percent: numberIn(0, 100, 'a percentage over 0 and at most 100', true),
            /** Percent of the group's devices on target before the next group starts. */
            successThreshold: percent,
            /** Percent of the group's devices in error over which the rollout halts. */
            errorThreshold: percent,
          }),
        )
        .min(1, { error: 'expected at least one group, got none' }),
    })
    .superRefine((rollout, ctx) => {
      const total = rollout.groups.reduce((n, g) => n + g.percent, 0);
      if (total > 100 + 1e-9)
        ctx.addIssue({
          code: 'custom',
          path: ['groups'],
          message: `percentages add up to ${total}, over 100: expected at most 100 in all`,
        });
      const names = rollout.groups.map((g) => g.name);
      names.forEach((name, k) => {
        if (names.indexOf(name) !== k || (name === 'rest' && total < 100))
          ctx.addIssue({
            code: 'custom',
            path: ['groups', k, 'name'],
            message:
              name === 'rest' && names.indexOf(name) === k
                ? "'rest' names the last group, of the devices the percentages leave: expected another name"
                : `'${name}' names two groups: expected a name no other group has`,
          });
      });
    })
    .optional(),
  /** The supplier distributes again what the hub refused or a device rejected. */
  retry: z
    .strictObject({
      attempts: whole(0, POLICY_MAX_ATTEMPTS),
      backoff: duration(1, '1s'),
      /** Each wait this many times the one before (default 2). */
      factor: numberIn(1, POLICY_MAX_FACTOR, `a number from 1 to ${POLICY_MAX_FACTOR}`).optional(),
      maxBackoff: duration(1, '1s').optional(),
    })
    .optional(),
  mode: z
    .enum(['planned', 'direct', 'both'], {
      error: (issue) => expectedGot('planned, direct or both', issue.input),
    })
    .optional(),
  /**
   * Hubs fall into this many buckets (by a hash of their ID); each runs on its own with a share of
   * the threshold proportional to its devices. Shards and workers split buckets, so the report
   * does not depend on how the campaign was split. Default 1.
   */
  buckets: whole(1, MAX_BUCKETS).optional(),
  /**
   * How often devices of a type query their hub at rest (default: the device profile's, Silicon
   * Labs' 5 minutes), e.g. `{ ESME: 1d, GSME: 30m }`.
   */
  queryInterval: z
    .strictObject({
      ESME: duration(1, '1s').optional(),
      GSME: duration(1, '1s').optional(),
      IHD: duration(1, '1s').optional(),
      PPMID: duration(1, '1s').optional(),
      HCALCS: duration(1, '1s').optional(),
    })
    .optional(),
  /** Days simulated at most (default 60). */
  maxDays: numberIn(
    0,
    POLICY_MAX_DAYS,
    `a number of days over 0 and at most ${POLICY_MAX_DAYS}`,
    true,
  ).optional(),
});

/** A validated policy. */
export type Policy = z.infer<typeof policySchema>;

/** A policy that cannot be used; the message names the key. */
export class PolicyError extends HanotaError {
  constructor(path: string, message: string) {
    super('POLICY', `${path}: ${message}`);
  }
}

/** `retry.backoff`, `rollout.groups[1].name`. */
function pathText(parts: readonly PropertyKey[]): string {
  return parts.reduce<string>(
    (s, p) => (typeof p === 'number' ? `${s}[${p}]` : s === '' ? String(p) : `${s}.${String(p)}`),
    '',
  );
}

/** The keys the schema allows at `path` (for "unknown key" messages). */
function keysAt(path: readonly PropertyKey[]): string[] {
  let s: unknown = policySchema;
  for (const p of path) {
    while (s instanceof z.ZodOptional) s = s.unwrap();
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, unknown>)[String(p)];
    else if (s instanceof z.ZodArray) s = s.element;
    else return [];
  }
  while (s instanceof z.ZodOptional) s = s.unwrap();
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

const TYPE_TEXT: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
};

/** What a schema problem the fields above do not word themselves says. */
function issueText(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'invalid_type')
    return expectedGot(TYPE_TEXT[issue.expected] ?? issue.expected, issue.input);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `'${k}'`).join(', ');
    const known = keysAt(issue.path ?? []);
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${keys}${known.length ? ` (expected ${known.join(', ')})` : ''}`;
  }
  return undefined;
}

/** Parses a policy file's text. */
export function parsePolicy(text: string): Policy {
  const data = readYaml(text, (where, message) => {
    throw new PolicyError(where, message);
  });
  const parsed = policySchema.safeParse(data ?? {}, { error: issueText });
  if (!parsed.success) {
    // A misspelt key is the likelier cause of a missing one: say it first.
    const issues = parsed.error.issues;
    const issue = issues.find((i) => i.code === 'unrecognized_keys') ?? issues[0];
    throw new PolicyError(pathText(issue?.path ?? []) || 'document', issue?.message ?? 'invalid');
  }
  return parsed.data;
}

/** Microseconds in a policy duration, whole (a validated duration; 0 for anything else). */
export function durationUs(d: number | string): number {
  return Math.round((secondsOf(d) ?? 0) * 1_000_000);
}
