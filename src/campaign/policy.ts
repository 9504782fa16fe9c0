/**
 * A campaign's rollout policy (YAML): download slots per hub, hub memory, the DCC's anomaly
 * detection threshold, the hours activations may happen in, the mode, and how long to simulate.
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
