/**
 * What must hold in every run, whatever faults it met (DESIGN.md §5): no activation without a
 * verified command, and no command acted on twice; what a device assembled is the image; a device
 * following its declared pathway is never bricked; every distribution is delivered, refused with
 * a reason, or still pending — never lost. A scenario asks for them with `expect.invariants`;
 * `hanota fuzz` always checks them.
 */
import { toHex } from '../bytes/hex.ts';
import { sha256 } from '../crypto/hashes.ts';
import type { FrameRunResult } from '../sim/frame-run.ts';
import { activatedVersion } from '../sim/trace.ts';
import type { BuiltScenario } from './build.ts';

/** One invariant and whether it held (the first violation when not). */
export interface InvariantResult {
  readonly invariant: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly device?: string;
}

/** The outcome of one device as the invariants need it. */
export interface InvariantDevice {
  readonly device: string;
  readonly phase: string;
  readonly runningVersion: number;
  readonly bricked: boolean;
  readonly failures: readonly string[];
}

const GBCS_TYPES = new Set(['ESME', 'GSME', 'HCALCS']);

/** Checks the invariants on a scenario's runs and device outcomes. */
export function checkInvariants(
  built: BuiltScenario,
  runs: readonly { readonly hub: string; readonly result: FrameRunResult }[],
  devices: readonly InvariantDevice[],
): InvariantResult[] {
  const out: InvariantResult[] = [];
  const first = (
    invariant: string,
    violations: readonly { detail: string; device?: string }[],
    fine: string,
  ) => {
    const v = violations[0];
    out.push(
      v
        ? { invariant, ok: false, detail: v.detail, ...(v.device && { device: v.device }) }
        : { invariant, ok: true, detail: fine },
    );
  };

  // Commands: each accepted once, and a GBCS device activates no more often than it accepted one.
  const commandViolations: { detail: string; device: string }[] = [];
  for (const { result } of runs) {
    const answered = new Map<string, number>();
    const accepted = new Map<string, number>();
    const activations = new Map<string, number>();
    for (const e of result.trace.events) {
      if (e.kind === 'note' && e.what === 'CS06 response') {
        // A command is answered once; a second answer to its counter means a replay got past the counter check.
        const key = `${e.node} ${e.detail?.counter}`;
        answered.set(key, (answered.get(key) ?? 0) + 1);
        if ((answered.get(key) as number) > 1)
          commandViolations.push({
            detail: `${e.node} answered the command with counter ${e.detail?.counter} twice: a replay got past the counter check`,
            device: e.node,
          });
        const response = e.detail?.response;
        if (response === 'success' || response === 'commandAccepted')
          accepted.set(e.node, (accepted.get(e.node) ?? 0) + 1);
      }
      if (e.kind === 'state' && activatedVersion(e) !== undefined)
        activations.set(e.node, (activations.get(e.node) ?? 0) + 1);
    }
    for (const [node, n] of activations) {
      const type = built.devices.get(node)?.type;
      if (type && GBCS_TYPES.has(type) && n > (accepted.get(node) ?? 0))
        commandViolations.push({
          detail: `${node} activated ${n} time(s) on ${accepted.get(node) ?? 0} accepted CS06 command(s)`,
          device: node,
        });
    }
  }
  first('no activation without a verified command, none acted on twice', commandViolations, 'held');

  // What a device holds, complete and verified, is one of the images byte for byte.
  const hashes = new Set([...built.images.values()].map((i) => toHex(sha256(i.bytes))));
  const byteViolations: { detail: string; device: string }[] = [];
  for (const { result } of runs)
    for (const d of result.devices)
      if (d.complete && !hashes.has(d.assembledSha256))
        byteViolations.push({
          detail: `${d.node} holds ${d.bytesReceived} bytes (SHA-256 ${d.assembledSha256.slice(0, 16)}…) that are no image`,
          device: d.node,
        });
  first('assembled images equal the image', byteViolations, 'held');

  // Declared pathways keep devices alive.
  first(
    'no device following its declared pathway bricked',
    devices
      .filter((d) => d.bricked && built.devices.get(d.device)?.planned)
      .map((d) => ({ detail: `${d.device} bricked on its declared pathway`, device: d.device })),
    'held',
  );

  // Distributions: refused with a reason, or delivered, or pending — never lost.
  const lost: { detail: string; device?: string }[] = [];
  for (const { hub, result } of runs)
    for (const r of result.distributions)
      if (!r.ok && (!r.reason || !r.detail))
        lost.push({ detail: `a distribution to ${hub} refused without a reason` });
  for (const d of devices) {
    const info = built.devices.get(d.device);
    if (
      info?.targeted &&
      d.phase === 'idle' &&
      d.runningVersion === info.startVersion &&
      d.failures.length === 0
    )
      lost.push({
        detail: `${d.device} was sent an image, runs what it ran, is idle and nothing says why`,
        device: d.device,
      });
  }
  first('every distribution delivered, refused with a reason, or pending', lost, 'held');
  return out;
}
