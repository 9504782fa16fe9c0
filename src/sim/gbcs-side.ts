/**
 * The GBCS side of a run's devices (DESIGN.md §1–2), carried out for the node runtime: the read
 * commands of SR 11.2 reaching any device that answers them (ESME, GSME, HCALCS, PPMID; the rules
 * `devices/gbcs-read.ts`'s), and for ESMEs, GSMEs and HCALCS: CS06 commands reaching a device
 * (lost when it is off, and then sent again by the supplier; held for a sleepy device until it
 * wakes), each step of its activation logic and its effects (the signed responses and alerts in
 * the trace, the client told to run its image, a future-dated activation scheduled), and the
 * receipt alert after a download's check, after which the supplier's commands follow a DCC round
 * trip later. The rules are `devices/gbcs-activation.ts`'s.
 */

import { toHex } from '../bytes/hex.ts';
import { type ActivationEvent, firmwareVersionBytes, stepActivation } from '../devices/gbcs-activation.ts';
import { isFirmwareReadCommand, sharedSecretWith, stepFirmwareRead } from '../devices/gbcs-read.ts';
import type { ImageCheck } from '../devices/ota-client-state.ts';
import { macedFirmwareReadResponse } from '../gbcs/device-messages.ts';
import type { VirtualClock } from './clock.ts';
import type { DeviceRuntime, SimEvent } from './device-runtime.ts';
import {
  activationContext,
  activationMessage,
  activationNote,
  gbcsSender,
  receiptAlert,
  SUPPLIER_REACTION_US,
  SUPPLIER_RESENDS,
} from './gbcs-device.ts';
import { nextAwake } from './link.ts';
import type { Trace } from './trace.ts';

/** What the GBCS side uses of the runtime. */
export interface GbcsPort {
  readonly clock: VirtualClock<SimEvent>;
  readonly trace: Trace;
  /** The run's wall-clock start, seconds since the Unix epoch. */
  readonly startUnixS: number;
  /** ZigBee UTC time now (seconds since 2000). */
  utcNow(): number;
  note(node: string, what: string, detail: Record<string, string | number | boolean>): void;
  /** The device's client runs the verified image it holds. */
  activateHeld(device: DeviceRuntime, reason: string): void;
}

/** A GBCS event reaching `device`: a command, or a future-dated activation falling due. */
export function gbcsEvent(
  port: GbcsPort,
  device: DeviceRuntime,
  event: Extract<SimEvent, { kind: 'gbcs' }>,
): void {
  const now = port.clock.now;
  // A device without power hears nothing: the command is lost, its counter unused. The DCC tells
  // the supplier it was not delivered, and the supplier sends its own commands again, waiting
  // twice as long each time from a DCC round trip each way (`SUPPLIER_RESENDS`).
  if (event.event.type === 'command' && device.state.phase === 'off') {
    const resends = event.resends ?? 0;
    port.note(event.node, 'GBCS command lost', {
      reason: 'the device is off',
      ...(resends > 0 && { resent: 'the supplier sends it again' }),
    });
    if (resends > 0)
      port.clock.after(2 * SUPPLIER_REACTION_US * 2 ** (SUPPLIER_RESENDS - resends), {
        ...event,
        resends: resends - 1,
      });
    return;
  }
  // A sleepy device hears a command only while awake: until then it waits at the hub.
  const awakeAt = nextAwake(device.wake, now);
  if (awakeAt > now) {
    port.clock.schedule(awakeAt, event);
    return;
  }
  if (event.event.type === 'command' && isFirmwareReadCommand(event.event.bytes))
    firmwareRead(port, device, event.event.bytes);
  else stepGbcs(port, device, event.event);
}

/** A read command (SR 11.2) reaching the device: its response, MACed, in the trace; or why it was refused. */
function firmwareRead(port: GbcsPort, device: DeviceRuntime, bytes: Uint8Array): void {
  const node = device.spec.node;
  const identity = device.spec.firmwareRead;
  if (!identity) {
    port.note(node, 'GBCS command ignored', { reason: 'the device has no GBCS keys in this run' });
    return;
  }
  const version = firmwareVersionBytes(device.storage.runningVersion);
  // One counter per originator for every command it sends (GBCS §4.3.1): a GBCS device's reads
  // and CS06 commands share its activation state's; a PPMID keeps its own.
  const step = stepFirmwareRead(
    identity,
    device.activation?.lastCounters ?? device.readCounters ?? new Map(),
    bytes,
    version,
  );
  if (device.activation) device.activation = { ...device.activation, lastCounters: step.lastCounters };
  else device.readCounters = step.lastCounters;
  const effect = step.effect;
  if (effect.type === 'refused') {
    port.note(node, `${identity.read.toUpperCase()} refused`, { stage: effect.stage, reason: effect.reason });
    return;
  }
  const apdu = port.trace.keeps
    ? macedFirmwareReadResponse(node, sharedSecretWith(identity, effect.to), effect)
    : undefined;
  port.note(node, `${effect.read.toUpperCase()} response`, {
    counter: effect.counter.toString(),
    to: effect.to,
    firmwareVersion: toHex(version),
    ...(apdu && { apdu: toHex(apdu) }),
  });
}

/** One step of the device's activation logic, its effects carried out. */
function stepGbcs(port: GbcsPort, device: DeviceRuntime, event: ActivationEvent): void {
  const gbcs = device.spec.gbcs;
  const node = device.spec.node;
  if (!gbcs || !device.activation) {
    port.note(node, 'GBCS command ignored', { reason: 'the device has no GBCS keys in this run' });
    return;
  }
  const nowUnixS = port.startUnixS + Math.floor(port.clock.now / 1_000_000);
  const ctx = activationContext(nowUnixS, device.state, device.storage);
  const step = stepActivation(gbcs.identity, device.activation, event, ctx);
  device.activation = step.state;
  const sender = gbcsSender(gbcs, step.state.anchor.supplier, device.spec.profile.deviceType);
  for (const effect of step.effects) {
    // What the device sends, signed with its key, goes into the trace as the bytes it sends.
    const apdu = port.trace.keeps
      ? activationMessage(effect, sender, port.utcNow(), () => nextAlertCounter(device))
      : undefined;
    const note = activationNote(effect, apdu);
    if (note) port.note(node, note.what, note.detail);
    if (effect.type === 'activate') port.activateHeld(device, 'CS06 Activate Firmware');
    // `unschedule` needs nothing here: a `due` event that finds no pending activation, or one
    // dated later, does nothing (stepActivation checks both).
    if (effect.type === 'schedule')
      port.clock.schedule(Math.max(port.clock.now, (effect.atUnixS - port.startUnixS) * 1_000_000), {
        kind: 'gbcs',
        node,
        event: { type: 'due' },
      });
  }
}

/** A GBCS device's next alert counter: its originator counter, strictly increasing (GBCS §4.3.1). */
function nextAlertCounter(device: DeviceRuntime): bigint {
  device.alertCounter = (device.alertCounter ?? 0n) + 1n;
  return device.alertCounter;
}

/** The device's receipt alert after its check; on success the supplier's commands follow a round trip later. */
export function gbcsReceipt(port: GbcsPort, device: DeviceRuntime, result: ImageCheck): void {
  const gbcs = device.spec.gbcs;
  const alert = receiptAlert(
    result,
    device.storage.bytes(),
    gbcs && device.activation && port.trace.keeps
      ? {
          sender: gbcsSender(gbcs, device.activation.anchor.supplier, device.spec.profile.deviceType),
          counter: nextAlertCounter(device),
          utcTime: port.utcNow(),
        }
      : undefined,
  );
  port.note(device.spec.node, alert.what, alert.detail);
  if (result.status !== 'SUCCESS') return;
  const hash = alert.detail.manufacturerImageSha256;
  const forImage = typeof hash === 'string' ? gbcs?.commandsForImage?.get(hash) : undefined;
  (forImage ?? gbcs?.commandsAfterReceipt ?? []).forEach((bytes, i) => {
    port.clock.after(SUPPLIER_REACTION_US * (i + 1), {
      kind: 'gbcs',
      node: device.spec.node,
      event: { type: 'command', bytes },
      resends: SUPPLIER_RESENDS,
    });
  });
}
