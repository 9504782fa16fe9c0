/**
 * Running a scenario: its runs (one per hub), what each device's activations did — its firmware's
 * reactions are in the trace, as the run applied its behaviour file — and every expectation
 * checked against the outcome, with the trace lines that show why when one is not met. Same
 * scenario and seed, same result.
 */
import { publicKeyOf } from '../crypto/ecdsa-p256.ts';
import { decodeOtaFrame } from '../ota/frame-codec.ts';
import type { Reaction } from '../pathways/behaviour.ts';
import { reactionOfNote } from '../sim/device-firmware.ts';
import { runSimulation, type TransportName } from '../sim/frame-driver.ts';
import type { DeviceResult, FrameRunResult } from '../sim/frame-run.ts';
import { activatedVersion, type TraceEvent } from '../sim/trace.ts';
import { type BuiltScenario, buildScenario } from './build.ts';
import { checkInvariants } from './invariants.ts';
import { durationSeconds, uintOf } from './load.ts';
import type { ScenarioFile } from './schema.ts';

/** How a device's transition ends when it refused an image it was offered. */
const REFUSED_OFFER = ': upgrade end request INVALID_IMAGE';

/** One expectation and whether it held. */
export interface ExpectationResult {
  readonly expectation: string;
  readonly ok: boolean;
  readonly detail: string;
  /** Trace lines of the devices concerned, when it did not hold. */
  readonly evidence?: readonly string[];
}

/** A device at the end, with what the behaviour file made of its activations. */
export interface DeviceOutcome {
  readonly device: string;
  readonly hub: string;
  readonly phase: string;
  readonly runningVersion: number;
  /** The catalog entry it runs, when known. */
  readonly entry: string | null;
  readonly bricked: boolean;
  readonly functionsLost: readonly string[];
  /** Alerts, CS06 outcomes and refusals, in order: 0x8F72, CS06:success, refused:counter, … */
  readonly events: readonly string[];
  /** Everything that failed for it, with reasons. */
  readonly failures: readonly string[];
  /** Each image it activated: when (simulated ms) and its file version. */
  readonly activations: readonly { readonly atMs: number; readonly fileVersion: number }[];
}

/** A scenario's result. */
export interface ScenarioResult {
  readonly name: string;
  readonly seed: number;
  readonly ok: boolean;
  readonly expectations: readonly ExpectationResult[];
  readonly devices: readonly DeviceOutcome[];
  readonly framesSent: number;
  readonly simulatedMs: number;
  readonly hubMemoryPeakBlocks: number;
  /** The runs, one per hub, for traces and captures. */
  readonly runs: readonly { readonly hub: string; readonly result: FrameRunResult }[];
  /**
   * The digital-signing public key of each GBCS device (by EUI-64) that signed the responses and
   * alerts in the traces: what checks them (`hanota gbcs parse --keys`).
   */
  readonly signingKeys: ReadonlyMap<string, Uint8Array>;
}

function eventLabel(e: TraceEvent): string | undefined {
  if (e.kind === 'state') {
    if (/^power on with \d+ bytes/.test(e.reason)) return 'resume';
    if (e.reason === 'hub restarted') return 'hub:restarted';
    return undefined;
  }
  if (e.kind === 'frame')
    return e.command === 'imageBlockResponse' &&
      e.fate !== 'lost' &&
      (e.bytes ? waitForData(e.bytes) : e.status === 'WAIT_FOR_DATA')
      ? 'WAIT_FOR_DATA'
      : undefined;
  if (e.what === 'power cut') return 'power:cut';
  if (e.what === 'pending activation cancelled') return 'CS06:cancelled';
  const alert = /^alert (0x[0-9A-F]{4})/.exec(e.what);
  if (alert) return alert[1];
  if (e.what === 'CS06 response') return `CS06:${e.detail?.response}`;
  if (e.what === 'CS06 refused') return `refused:${e.detail?.stage}`;
  return undefined;
}

function line(e: TraceEvent): string {
  const t = `${(e.timeUs / 1e6).toFixed(3)}s`;
  if (e.kind === 'frame') return `${t} ${e.from} → ${e.to} ${e.command} (${e.fate})`;
  if (e.kind === 'state') return `${t} ${e.node} ${e.from} → ${e.to}: ${e.reason}`;
  const detail = e.detail
    ? ` ${Object.entries(e.detail)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`
    : '';
  return `${t} ${e.node} ${e.what}${detail}`;
}

/** True for an Image Block Response telling the device to wait. */
function waitForData(bytes: Uint8Array): boolean {
  const decoded = decodeOtaFrame(bytes);
  return (
    decoded.ok &&
    decoded.frame.command.name === 'imageBlockResponse' &&
    decoded.frame.command.status === 'WAIT_FOR_DATA'
  );
}

/** Ordered subsequence test. */
function inOrder(events: readonly string[], wanted: readonly string[]): boolean {
  let at = 0;
  for (const e of events) if (e === wanted[at]) at++;
  return at === wanted.length;
}

/**
 * The events of a trace that concern each device, in order: those of its node (`e1`, `hub/e1`)
 * and the frames it sent or received.
 */
function eventsByDevice(events: readonly TraceEvent[]): Map<string, TraceEvent[]> {
  const by = new Map<string, TraceEvent[]>();
  const add = (key: string, e: TraceEvent) => {
    let list = by.get(key);
    if (!list) {
      list = [];
      by.set(key, list);
    }
    if (list[list.length - 1] !== e) list.push(e);
  };
  for (const e of events) {
    if ('node' in e) {
      add(e.node, e);
      const slash = e.node.lastIndexOf('/');
      if (slash >= 0) add(e.node.slice(slash + 1), e);
    } else {
      add(e.from, e);
      add(e.to, e);
    }
  }
  return by;
}

function outcomes(
  built: BuiltScenario,
  runs: readonly { hub: string; result: FrameRunResult }[],
): DeviceOutcome[] {
  const { entryOfFile, entryOfVersion } = built.entries;
  const out: DeviceOutcome[] = [];
  // Each run's trace split by device once: filtering it per device cost devices × events.
  const indexed = new Map(
    runs.map((r) => [
      r.hub,
      {
        result: r.result,
        devices: new Map(r.result.devices.map((d) => [d.node, d])),
        events: eventsByDevice(r.result.trace.events),
      },
    ]),
  );
  for (const [name, info] of built.devices) {
    const run = indexed.get(info.hub) as NonNullable<ReturnType<typeof indexed.get>>;
    const result = run.devices.get(name) as DeviceResult;
    const trace = run.events.get(name) ?? [];
    const failures = [...(built.failures.get(name) ?? [])];
    for (const e of trace) {
      if (e.kind === 'note' && e.what === 'CS06 refused')
        failures.push(`CS06 refused at ${e.detail?.stage}: ${e.detail?.reason}`);
      if (
        e.kind === 'note' &&
        e.what === 'CS06 response' &&
        e.detail?.response !== 'success' &&
        e.detail?.response !== 'commandAccepted'
      )
        failures.push(`CS06 answered ${e.detail?.response}`);
      if (e.kind === 'note' && e.what.startsWith('alert 0x8F1C'))
        failures.push(`image refused: ${e.detail?.reason}`);
      if (e.kind === 'note' && e.what.startsWith('alert 0x8F67'))
        failures.push(`future-dated activation failed: ${e.detail?.outcome}`);
      if (e.kind === 'state' && e.reason.startsWith('no image: ')) failures.push(`hub: ${e.reason}`);
      // An image the device refused when offered (a downgrade, one whose firmware refused to run):
      // said when it happened, whatever its later polls leave as its last outcome.
      if (e.kind === 'state' && e.node === name && e.reason.endsWith(REFUSED_OFFER))
        failures.push(e.reason.slice(0, -REFUSED_OFFER.length));
    }
    // A firmware that refused to run is said below, by entry, from the trace.
    const refusedToRun = trace.some((e) => reactionOfNote(e)?.kind === 'refuse');
    const outcome = result.outcome;
    if (
      outcome &&
      !(refusedToRun && outcome.startsWith('firmware ')) &&
      !failures.some((f) => f.startsWith(outcome))
    )
      failures.push(outcome);
    for (const e of trace)
      if (e.kind === 'note' && e.what === 'distribution refused')
        failures.push(`distribution refused: ${e.detail?.reason}: ${e.detail?.detail}`);
    // Walk the activations from where the device started; what its firmware did as each ran (its
    // behaviour file, applied in the run) is in the trace.
    let entry: string | null = info.entry ?? entryOfVersion.get(info.startVersion) ?? null;
    let version = info.startVersion;
    let bricked = false;
    const functionsLost: string[] = [];
    const events: string[] = [];
    const activations: { atMs: number; fileVersion: number }[] = [];
    let heldFile: string | undefined;
    let reaction: Exclude<Reaction, { kind: 'refuse' }> | undefined;
    for (const e of trace) {
      const label = eventLabel(e);
      if (label) events.push(label);
      if (e.kind === 'note' && e.what === 'image activated') heldFile = String(e.detail?.sha256);
      const did = reactionOfNote(e);
      if (did && did.kind !== 'refuse') reaction = did;
      else if (did && e.kind === 'note') {
        const image = e.detail?.image ?? `0x${e.detail?.fileVersion}`;
        failures.push(`firmware ${image} refused to run on ${entry ?? `0x${e.detail?.runningVersion}`}`);
        events.push('firmware:refused');
      }
      const activated = activatedVersion(e);
      if (activated === undefined) continue;
      activations.push({ atMs: Math.floor(e.timeUs / 1000), fileVersion: activated });
      const target = (heldFile && entryOfFile.get(heldFile)) || entryOfVersion.get(activated);
      heldFile = undefined;
      if (reaction) {
        bricked = bricked || reaction.kind === 'brick';
        functionsLost.push(...reaction.functions);
        failures.push(
          `${reaction.kind === 'brick' ? 'bricked' : 'degraded'} by ${target ?? `0x${activated.toString(16)}`} on ${entry}: lost ${reaction.functions.join(', ')}`,
        );
        events.push(`firmware:${reaction.kind}`);
        reaction = undefined;
      }
      if (target) entry = target;
      version = activated;
    }
    out.push({
      device: name,
      hub: info.hub,
      phase: result.phase,
      // What the device runs (a firmware that refused itself left the old one running).
      runningVersion: version,
      entry,
      bricked,
      functionsLost,
      events,
      // Each reason once: a hub that told a retrying device "no image" five times said one thing.
      failures: [...new Set(failures)],
      activations,
    });
  }
  return out;
}

/**
 * Runs a scenario over `transport` (frame by default). `files` holds the bytes of every
 * referenced path, as written in it.
 */
export function runScenario(
  s: ScenarioFile,
  files: ReadonlyMap<string, Uint8Array>,
  defaultSeed: number,
  transport: TransportName = 'frame',
): ScenarioResult {
  const seed = s.seed ?? defaultSeed;
  const built = buildScenario(s, files, seed);
  let runs: { hub: string; result: FrameRunResult }[];
  try {
    runs = built.runs.map(({ hub, input }) => ({ hub, result: runSimulation(input, transport) }));
  } catch (error) {
    // A simulation that stops half way (a hub reading an image it no longer holds) is a failed run.
    if (!(error instanceof RangeError || error instanceof TypeError)) throw error;
    return {
      name: s.name,
      seed,
      ok: false,
      expectations: [
        { expectation: 'the simulation runs to its end', ok: false, detail: `it stopped: ${error.message}` },
      ],
      devices: [],
      framesSent: 0,
      simulatedMs: 0,
      hubMemoryPeakBlocks: 0,
      runs: [],
      signingKeys: signingKeysOf(built),
    };
  }
  const devices = outcomes(built, runs);
  const framesSent = runs.reduce((n, r) => n + r.result.framesSent, 0);
  const simulatedMs = Math.max(0, ...runs.map((r) => Math.floor(r.result.endUs / 1000)));
  const hubMemoryPeakBlocks = Math.max(0, ...runs.map((r) => r.result.hubMemoryPeakBlocks));
  const checks: ExpectationResult[] = [];
  const evidence = (device: string) =>
    runs
      .flatMap((r) => r.result.trace.events)
      .filter(
        (e) =>
          e.kind !== 'frame' && ('node' in e ? e.node === device || e.node.endsWith(`/${device}`) : false),
      )
      .slice(-12)
      .map(line);
  const check = (expectation: string, ok: boolean, detail: string, device?: string) =>
    checks.push({ expectation, ok, detail, ...(!ok && device && { evidence: evidence(device) }) });
  const e = s.expect;
  for (const [name, want] of Object.entries(e.devices ?? {})) {
    const got = devices.find((d) => d.device === name) as DeviceOutcome;
    if (want.entry !== undefined)
      check(
        `${name} runs ${want.entry}`,
        got.entry === want.entry,
        `runs ${got.entry ?? 'an unknown entry'}`,
        name,
      );
    if (want.runningVersion !== undefined) {
      const v = uintOf(want.runningVersion);
      check(
        `${name} runs 0x${v.toString(16).padStart(8, '0')}`,
        got.runningVersion === v,
        `runs 0x${got.runningVersion.toString(16).padStart(8, '0')}`,
        name,
      );
    }
    if (want.phase !== undefined)
      check(`${name} ends ${want.phase}`, got.phase === want.phase, `ends ${got.phase}`, name);
    if (want.bricked !== undefined)
      check(
        `${name} ${want.bricked ? 'is' : 'is not'} bricked`,
        got.bricked === want.bricked,
        got.bricked ? `bricked, lost ${got.functionsLost.join(', ')}` : 'not bricked',
        name,
      );
    if (want.events !== undefined)
      check(
        `${name} events in order: ${want.events.join(', ')}`,
        inOrder(got.events, want.events),
        `events: ${got.events.join(', ') || 'none'}`,
        name,
      );
    if (want.failsWith !== undefined) {
      const hit = got.failures.find((f) => f.includes(want.failsWith as string));
      check(
        `${name} fails with "${want.failsWith}"`,
        hit !== undefined,
        hit ?? `failures: ${got.failures.join('; ') || 'none'}`,
        name,
      );
    }
  }
  if (e.noneBricked) {
    const bricked = devices.filter((d) => d.bricked).map((d) => d.device);
    check(
      'no device bricked',
      bricked.length === 0,
      bricked.length ? `bricked: ${bricked.join(', ')}` : 'none bricked',
      bricked[0],
    );
  }
  if (e.hubMemoryPeakBlocks)
    check(
      `hub memory peak at most ${e.hubMemoryPeakBlocks.max} blocks`,
      hubMemoryPeakBlocks <= e.hubMemoryPeakBlocks.max,
      `peak ${hubMemoryPeakBlocks} blocks`,
    );
  const targeted = [...built.devices].filter(([, d]) => d.targeted).map(([name]) => name);
  const lastActivation = (device: string) => {
    const run = runs.find((r) => r.hub === built.devices.get(device)?.hub)?.result;
    const times = (run?.trace.states(device) ?? [])
      .filter((t) => activatedVersion(t) !== undefined)
      .map((t) => Math.floor(t.timeUs / 1000));
    return times.length ? Math.max(...times) : undefined;
  };
  if (e.completedBy !== undefined) {
    const byMs = durationSeconds(e.completedBy) * 1000;
    const late = targeted.filter((d) => (lastActivation(d) ?? Number.POSITIVE_INFINITY) > byMs);
    check(
      `every upgraded device done by ${e.completedBy}`,
      late.length === 0,
      late.length
        ? `not done in time: ${late.map((d) => `${d} (${lastActivation(d) ?? 'never'} ms)`).join(', ')}`
        : `last at ${Math.max(0, ...targeted.map((d) => lastActivation(d) ?? 0))} ms`,
      late[0],
    );
  }
  if (e.completedAfter !== undefined) {
    const afterMs = durationSeconds(e.completedAfter) * 1000;
    const early = targeted.filter((d) => (lastActivation(d) ?? Number.POSITIVE_INFINITY) < afterMs);
    check(
      `no upgraded device done before ${e.completedAfter}`,
      early.length === 0,
      early.length ? `early: ${early.map((d) => `${d} (${lastActivation(d)} ms)`).join(', ')}` : 'none early',
      early[0],
    );
  }
  if (e.frames) {
    const { min = 0, max = Number.POSITIVE_INFINITY } = e.frames;
    check(
      `frames within ${min}..${max === Number.POSITIVE_INFINITY ? '∞' : max}`,
      framesSent >= min && framesSent <= max,
      `${framesSent} frames`,
    );
  }
  if (e.distributions) {
    const refused = runs.reduce((n, r) => n + r.result.distributions.filter((d) => !d.ok).length, 0);
    if (e.distributions.refused !== undefined)
      check(
        `${e.distributions.refused} distribution(s) refused by the hub`,
        refused === e.distributions.refused,
        `${refused} refused`,
      );
    if (e.distributions.quarantined !== undefined)
      check(
        `${e.distributions.quarantined} distribution(s) quarantined`,
        built.quarantined === e.distributions.quarantined,
        `${built.quarantined} quarantined`,
      );
  }
  if (e.invariants)
    for (const x of checkInvariants(built, runs, devices)) check(x.invariant, x.ok, x.detail, x.device);
  return {
    name: s.name,
    seed,
    ok: checks.every((c) => c.ok),
    expectations: checks,
    devices,
    framesSent,
    simulatedMs,
    hubMemoryPeakBlocks,
    runs,
    signingKeys: signingKeysOf(built),
  };
}

/** The signing public keys of the scenario's GBCS devices. */
function signingKeysOf(built: BuiltScenario): Map<string, Uint8Array> {
  const keys = new Map<string, Uint8Array>();
  for (const { input } of built.runs)
    for (const d of input.devices)
      if (d.gbcs) keys.set(d.gbcs.identity.device, publicKeyOf(d.gbcs.identity.signingPrivateKey));
  return keys;
}
