/**
 * The GBCS side of an ESME, GSME or HCALCS (DESIGN.md §1–2, GBCS §4.3, §11.3): the trust anchors
 * a device holds, and the pure step that decides what a received CS06 Activate Firmware command
 * does. A command acts only when it passes, in this order: MAC, signature by the device's
 * supplier, recipient is this device, message code allowed, counter strictly greater than the
 * last accepted from that originator, payload counter equal to the header's. Only then does the
 * device compare the Manufacturer Image hash it holds with the command's. Future-dated commands
 * wait for their time (the driver's timer) and report with alert 0x00CA; a cancellation removes
 * the pending one. Every refusal is an effect with its stage and reason.
 */
import { bytesEqual, fromHex, toHex } from '../bytes/hex.ts';
import { ecdhP256 } from '../crypto/key-agreement.ts';
import { DecodeError } from '../errors/errors.ts';
import { ALERT_CODE, type FutureDatedActivationAlert } from '../gbcs/alerts.ts';
import { decodeGbcsMessage } from '../gbcs/apdu.ts';
import {
  type ActivationOutcome,
  CS06_MESSAGE_CODE,
  type Cs06Command,
  type Cs06Response,
  decodeCs06Command,
  isCancellation,
  isoToUnixSeconds,
} from '../gbcs/cs06.ts';
import { checkSignature, computeMac, deriveMacKey } from '../gbcs/security.ts';

/** What a GBCS device was given at manufacture and commissioning. */
export interface GbcsIdentity {
  /** The device's system title (EUI-64, lowercase hex). */
  readonly device: string;
  readonly keyAgreementPrivateKey: Uint8Array;
  /** Its digital-signing private key: what it signs its responses and alerts with. */
  readonly signingPrivateKey: Uint8Array;
  /** The DCC Access Control Broker's system title and key-agreement public key. */
  readonly acb: string;
  readonly acbKeyAgreementKey: Uint8Array;
}

/** The supplier whose signed commands the device obeys. */
export interface SupplierAnchor {
  readonly supplier: string;
  readonly signingKey: Uint8Array;
}

/** A future-dated activation waiting for its time. */
export interface PendingActivation {
  readonly hash: Uint8Array;
  readonly counter: bigint;
  readonly executeAt: string;
  /** `executeAt` in seconds since the Unix epoch. */
  readonly executeAtUnixS: number;
}

/** The device's security state. */
export interface ActivationState {
  readonly anchor: SupplierAnchor;
  /** Last accepted counter per originator (hex system title). */
  readonly lastCounters: ReadonlyMap<string, bigint>;
  readonly pending?: PendingActivation;
}

/** Where a refused command failed (`unprotected` and `originator` are a read command's). */
export type RefusalStage =
  | 'decode'
  | 'notCritical'
  | 'unprotected'
  | 'originator'
  | 'mac'
  | 'signature'
  | 'recipient'
  | 'messageCode'
  | 'counter'
  | 'payloadCounter'
  | 'content';

/** Events. */
export type ActivationEvent =
  | { readonly type: 'command'; readonly bytes: Uint8Array }
  | { readonly type: 'due' }
  | { readonly type: 'changeSupplier'; readonly anchor: SupplierAnchor };

/** What the device knows about its firmware when the event comes. */
export interface ActivationContext {
  readonly nowUnixS: number;
  /** SHA-256 of the Manufacturer Image held and verified, not yet running; undefined when none. */
  readonly heldImageHash?: Uint8Array;
  /** The firmware version the device runs, 4 bytes (the OTA file version, big-endian). */
  readonly runningVersion: Uint8Array;
  /** The version the held image would run. */
  readonly heldVersion?: Uint8Array;
  /** The held image's firmware refuses to run on this device (its behaviour file says so). */
  readonly heldRefuses?: boolean;
}

/** Effects for the driver. */
export type ActivationEffect =
  | { readonly type: 'refused'; readonly stage: RefusalStage; readonly reason: string }
  /** Answer command `counter` from `to` (the command's originator, hex system title). */
  | {
      readonly type: 'respond';
      readonly to: string;
      readonly counter: bigint;
      readonly response: Cs06Response;
    }
  | { readonly type: 'activate' }
  | ({ readonly type: 'alert' } & FutureDatedActivationAlert)
  | { readonly type: 'schedule'; readonly atUnixS: number }
  | { readonly type: 'unschedule' }
  | { readonly type: 'note'; readonly what: string };

/** A step's result. */
export interface ActivationStep {
  readonly state: ActivationState;
  readonly effects: readonly ActivationEffect[];
}

/** A device that obeys `anchor` and has accepted nothing yet. */
export function initialActivationState(anchor: SupplierAnchor): ActivationState {
  return { anchor, lastCounters: new Map() };
}

/**
 * The outcome of activating the held image whose hash is compared with `hash`, and whether the
 * device tries to run it: it does when the hash matches, and a firmware that then refuses itself
 * leaves the old one running (`activationFailure`).
 */
function execute(
  hash: Uint8Array,
  ctx: ActivationContext,
): { outcome: ActivationOutcome; version: Uint8Array; runs: boolean } {
  if (!ctx.heldImageHash) return { outcome: 'noImageHeld', version: ctx.runningVersion, runs: false };
  if (!bytesEqual(ctx.heldImageHash, hash))
    return { outcome: 'hashMismatch', version: ctx.runningVersion, runs: false };
  if (ctx.heldRefuses) return { outcome: 'activationFailure', version: ctx.runningVersion, runs: true };
  return { outcome: 'success', version: ctx.heldVersion ?? ctx.runningVersion, runs: true };
}

type Verified =
  | { ok: true; command: Cs06Command; originator: string }
  | { ok: false; stage: RefusalStage; reason: string };

/** The checks, in GBCS order, of a received critical command. */
function verify(identity: GbcsIdentity, state: ActivationState, bytes: Uint8Array): Verified {
  let message: ReturnType<typeof decodeGbcsMessage>;
  try {
    message = decodeGbcsMessage(bytes);
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, stage: 'decode', reason: error.message };
    throw error;
  }
  if (message.kind !== 'generalCiphering')
    return {
      ok: false,
      stage: 'notCritical',
      reason: 'a critical command must be General-Ciphering (MACed)',
    };
  const { signing, mac, invocationCounter } = message.ciphering;
  const z = ecdhP256(identity.keyAgreementPrivateKey, identity.acbKeyAgreementKey);
  const key = deriveMacKey(z, signing.originator, signing.transactionId, signing.recipient);
  if (!bytesEqual(computeMac(key, signing.originator, invocationCounter, signing.apdu), mac))
    return { ok: false, stage: 'mac', reason: 'the MAC does not verify with the Access Control Broker key' };
  const originator = toHex(signing.originator);
  if (originator !== state.anchor.supplier)
    return {
      ok: false,
      stage: 'signature',
      reason: `originator ${originator} is not the supplier ${state.anchor.supplier}`,
    };
  const ring = {
    acb: identity.acb,
    parties: new Map([[originator, { ds: { publicKey: state.anchor.signingKey } }]]),
  };
  const signature = checkSignature(signing, ring);
  if (signature.status !== 'valid') return { ok: false, stage: 'signature', reason: signature.reason };
  if (toHex(signing.recipient) !== identity.device)
    return {
      ok: false,
      stage: 'recipient',
      reason: `addressed to ${toHex(signing.recipient)}, not this device`,
    };
  if (signing.messageCode !== CS06_MESSAGE_CODE || signing.transactionId.cra !== 'command')
    return {
      ok: false,
      stage: 'messageCode',
      reason: `message code 0x${signing.messageCode.toString(16).padStart(4, '0')} (${signing.transactionId.cra}) is not a CS06 command`,
    };
  const last = state.lastCounters.get(originator);
  if (last !== undefined && signing.transactionId.counter <= last)
    return {
      ok: false,
      stage: 'counter',
      reason: `counter ${signing.transactionId.counter} is not above the last accepted ${last}`,
    };
  let command: Cs06Command;
  try {
    command = decodeCs06Command(signing.content, signing.contentOffset);
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, stage: 'content', reason: error.message };
    throw error;
  }
  if (command.counter !== signing.transactionId.counter)
    return {
      ok: false,
      stage: 'payloadCounter',
      reason: `payload counter ${command.counter} differs from the header counter ${signing.transactionId.counter}`,
    };
  return { ok: true, command, originator };
}

/** One step of a device's activation logic. */
export function stepActivation(
  identity: GbcsIdentity,
  state: ActivationState,
  event: ActivationEvent,
  ctx: ActivationContext,
): ActivationStep {
  const effects: ActivationEffect[] = [];
  if (event.type === 'changeSupplier') {
    effects.push({
      type: 'note',
      what: `supplier changed from ${state.anchor.supplier} to ${event.anchor.supplier}`,
    });
    // The old supplier's pending activation goes with it: nothing it signed acts from now on.
    if (state.pending)
      effects.push(
        { type: 'unschedule' },
        { type: 'note', what: 'pending activation dropped: supplier changed' },
      );
    return { state: { anchor: event.anchor, lastCounters: state.lastCounters }, effects };
  }
  if (event.type === 'due') {
    const pending = state.pending;
    if (!pending || pending.executeAtUnixS > ctx.nowUnixS) return { state, effects };
    const { outcome, version, runs } = execute(pending.hash, ctx);
    if (runs) effects.push({ type: 'activate' });
    effects.push({
      type: 'alert',
      alertCode:
        outcome === 'success'
          ? ALERT_CODE.futureDatedActivationSuccess
          : ALERT_CODE.futureDatedActivationFailure,
      executeAt: pending.executeAt,
      commandCounter: pending.counter,
      outcome,
      firmwareVersion: version,
    });
    return { state: { anchor: state.anchor, lastCounters: state.lastCounters }, effects };
  }
  const verified = verify(identity, state, event.bytes);
  if (!verified.ok) {
    effects.push({ type: 'refused', stage: verified.stage, reason: verified.reason });
    return { state, effects };
  }
  const { command, originator } = verified;
  const lastCounters = new Map(state.lastCounters).set(originator, command.counter);
  const accepted: ActivationState = {
    anchor: state.anchor,
    lastCounters,
    ...(state.pending && { pending: state.pending }),
  };
  if (command.executeAt !== undefined && isCancellation(command)) {
    if (state.pending)
      effects.push({ type: 'unschedule' }, { type: 'note', what: 'pending activation cancelled' });
    effects.push({
      type: 'respond',
      to: originator,
      counter: command.counter,
      response: { kind: 'commandAccepted' },
    });
    return { state: { anchor: state.anchor, lastCounters }, effects };
  }
  if (command.executeAt !== undefined && isoToUnixSeconds(command.executeAt) > ctx.nowUnixS) {
    const executeAtUnixS = isoToUnixSeconds(command.executeAt);
    const pending = {
      hash: command.hash,
      counter: command.counter,
      executeAt: command.executeAt,
      executeAtUnixS,
    };
    effects.push(
      { type: 'schedule', atUnixS: executeAtUnixS },
      { type: 'respond', to: originator, counter: command.counter, response: { kind: 'commandAccepted' } },
    );
    return { state: { ...accepted, pending }, effects };
  }
  const { outcome, version, runs } = execute(command.hash, ctx);
  if (runs) effects.push({ type: 'activate' });
  effects.push({
    type: 'respond',
    to: originator,
    counter: command.counter,
    response: { kind: 'executed', outcome, firmwareVersion: version },
  });
  return { state: accepted, effects };
}

/** The 4-byte GBCS firmware version of an OTA file version. */
export function firmwareVersionBytes(fileVersion: number): Uint8Array {
  return fromHex(fileVersion.toString(16).padStart(8, '0'), 'fileVersion');
}
