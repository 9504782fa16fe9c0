/**
 * The invariants (src/scenario/invariants.ts) on hand-made outcomes, one violation each, so that
 * none of them holds vacuously; the library test checks they hold on every shipped scenario.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes/hex.ts';
import { sha256 } from '../../src/crypto/hashes.ts';
import type { BuiltScenario } from '../../src/scenario/build.ts';
import { checkInvariants, type InvariantDevice } from '../../src/scenario/invariants.ts';
import type { FrameRunResult } from '../../src/sim/frame-run.ts';
import type { TraceEvent } from '../../src/sim/trace.ts';

const IMAGE = Uint8Array.of(1, 2, 3, 4);

function built(device: Partial<{ type: string; targeted: boolean; planned: boolean }> = {}): BuiltScenario {
  return {
    runs: [],
    images: new Map([['fw', { bytes: IMAGE }]]),
    devices: new Map([
      ['esme', { hub: 'hub', type: 'ESME', startVersion: 1, targeted: true, planned: false, ...device }],
    ]),
    failures: new Map(),
    quarantined: 0,
  } as unknown as BuiltScenario;
}

function run(
  events: TraceEvent[],
  extra: Partial<{ devices: unknown[]; distributions: unknown[] }> = {},
): { hub: string; result: FrameRunResult }[] {
  return [
    {
      hub: 'hub',
      result: { trace: { events }, devices: [], distributions: [], ...extra } as unknown as FrameRunResult,
    },
  ];
}

const fine: InvariantDevice = {
  device: 'esme',
  phase: 'upgraded',
  runningVersion: 2,
  bricked: false,
  failures: [],
};
const note = (what: string, detail: Record<string, string>): TraceEvent =>
  ({ kind: 'note', timeUs: 0, node: 'esme', what, detail }) as TraceEvent;
const upgraded = {
  kind: 'state',
  timeUs: 5,
  node: 'esme',
  from: 'waiting',
  to: 'upgraded/normal',
  reason: 'activated, running 0x00000002',
} as TraceEvent;

function broken(results: ReturnType<typeof checkInvariants>): string[] {
  return results.filter((r) => !r.ok).map((r) => r.detail);
}

describe('checkInvariants', () => {
  it('holds on a verified activation', () => {
    const events = [note('CS06 response', { counter: '1', response: 'success' }), upgraded];
    expect(broken(checkInvariants(built(), run(events), [fine]))).toEqual([]);
  });

  it('catches a command answered twice and an activation without an accepted command', () => {
    const twice = [
      note('CS06 response', { counter: '1', response: 'success' }),
      note('CS06 response', { counter: '1', response: 'noImageHeld' }),
    ];
    expect(broken(checkInvariants(built(), run(twice), [fine]))).toEqual([
      'esme answered the command with counter 1 twice: a replay got past the counter check',
    ]);
    expect(broken(checkInvariants(built(), run([upgraded]), [fine]))).toEqual([
      'esme activated 1 time(s) on 0 accepted CS06 command(s)',
    ]);
  });

  it('catches assembled bytes that are no image', () => {
    const device = {
      node: 'esme',
      complete: true,
      bytesReceived: 4,
      assembledSha256: toHex(sha256(Uint8Array.of(9))),
    };
    expect(broken(checkInvariants(built(), run([], { devices: [device] }), [fine]))[0]).toMatch(
      /^esme holds 4 bytes \(SHA-256 [0-9a-f]{16}…\) that are no image$/,
    );
    const good = { ...device, assembledSha256: toHex(sha256(IMAGE)) };
    expect(broken(checkInvariants(built(), run([], { devices: [good] }), [fine]))).toEqual([]);
  });

  it('catches a device bricked on its declared pathway, not one sent straight to a target', () => {
    const bricked = { ...fine, bricked: true };
    expect(broken(checkInvariants(built({ planned: true }), run([]), [bricked]))).toEqual([
      'esme bricked on its declared pathway',
    ]);
    expect(broken(checkInvariants(built({ planned: false }), run([]), [bricked]))).toEqual([]);
  });

  it('catches a distribution lost: sent, idle, unchanged, and nothing says why', () => {
    const idle = { ...fine, phase: 'idle', runningVersion: 1 };
    expect(broken(checkInvariants(built(), run([]), [idle]))).toEqual([
      'esme was sent an image, runs what it ran, is idle and nothing says why',
    ]);
    expect(broken(checkInvariants(built(), run([]), [{ ...idle, failures: ['hub: no image: …'] }]))).toEqual(
      [],
    );
    const silent = [{ ok: false, alert: 'CCS08 FirmwareImageDiscarded', reason: '', detail: '' }];
    expect(broken(checkInvariants(built(), run([], { distributions: silent }), [fine]))).toEqual([
      'a distribution to hub refused without a reason',
    ]);
  });
});
