/**
 * A campaign's rollout policy (YAML): download slots per hub, hub memory, the DCC's anomaly
 * detection threshold, the hours activations may happen in, phased rollout groups, retries with
 * back-off, the mode, and how long to simulate.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { HanotaError } from '../errors/errors.ts';

const duration = z.union([
  z.number().positive(),
  z.string().regex(/^\d+(\.\d+)?\s*(s|m|h|d)$/, 'a duration like 30m, 2h, 1d'),
]);

/** The policy file format. */
export const policySchema = z.strictObject({
  /** Downloads a hub serves at once. */
  concurrency: z.strictObject({ perHub: z.number().int().positive() }).optional(),
  memory: z
    .strictObject({ blocks: z.number().int().positive(), blockSize: z.number().int().positive() })
    .optional(),
  /** At most `limit` firmware distributions per `window`; more are quarantined to later windows. */
  adt: z.strictObject({ limit: z.number().int().positive(), window: duration }).optional(),
  /** Activations only in these UTC hours: [fromHour, toHour). */
  activationWindow: z
    .strictObject({ fromHour: z.number().int().min(0).max(23), toHour: z.number().int().min(0).max(24) })
    .optional(),
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
            name: z.string().min(1),
            percent: z.number().positive().max(100),
            /** Percent of the group's devices on target before the next group starts. */
            successThreshold: z.number().min(0).max(100),
            /** Percent of the group's devices in error over which the rollout halts. */
            errorThreshold: z.number().min(0).max(100),
          }),
        )
        .min(1),
    })
    .superRefine((rollout, ctx) => {
      const total = rollout.groups.reduce((n, g) => n + g.percent, 0);
      if (total > 100 + 1e-9)
        ctx.addIssue({
          code: 'custom',
          path: ['groups'],
          message: `percentages add up to ${total}, over 100`,
        });
      const names = rollout.groups.map((g) => g.name);
      names.forEach((name, k) => {
        if (names.indexOf(name) !== k || (name === 'rest' && total < 100))
          ctx.addIssue({
            code: 'custom',
            path: ['groups', k, 'name'],
            message: `'${name}' names two groups`,
          });
      });
    })
    .optional(),
  /** The supplier distributes again what the hub refused or a device rejected. */
  retry: z
    .strictObject({
      attempts: z.number().int().min(0),
      backoff: duration,
      /** Each wait this many times the one before (default 2). */
      factor: z.number().min(1).optional(),
      maxBackoff: duration.optional(),
    })
    .optional(),
  mode: z.enum(['planned', 'direct', 'both']).optional(),
  /**
   * Hubs fall into this many buckets (by a hash of their ID); each runs on its own with a share of
   * the threshold proportional to its devices. Shards and workers split buckets, so the report
   * does not depend on how the campaign was split. Default 1.
   */
  buckets: z.number().int().positive().max(4096).optional(),
  maxDays: z.number().positive().optional(),
});

/** A validated policy. */
export type Policy = z.infer<typeof policySchema>;

/** A policy that cannot be used; the message names the key. */
export class PolicyError extends HanotaError {
  constructor(path: string, message: string) {
    super('POLICY', `${path}: ${message}`);
  }
}

/** Parses a policy file's text. */
export function parsePolicy(text: string): Policy {
  const doc = parseDocument(text, { uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const at = first.linePos?.[0];
    throw new PolicyError(
      at ? `line ${at.line}, column ${at.col}` : 'document',
      (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, ''),
    );
  }
  const parsed = policySchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PolicyError(issue?.path.join('.') || 'document', issue?.message ?? 'invalid');
  }
  return parsed.data;
}

/** Microseconds in a policy duration. */
export function durationUs(d: number | string): number {
  if (typeof d === 'number') return d * 1_000_000;
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(d) as RegExpExecArray;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'] * 1_000_000;
}
