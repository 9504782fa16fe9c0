/**
 * What the frame driver adds for GBCS devices (ESME, GSME, HCALCS): the Firmware Distribution
 * Receipt Alert when a download has been checked (0x8F72 when the supplier's signature verifies,
 * 0x8F1C when the image is refused), the context a CS06 command is judged in (the Manufacturer
 * Image held, the versions), and how activation effects read in the trace.
 */
import { toHex } from '../bytes/hex.ts';
import { sha256 } from '../crypto/hashes.ts';
import {
  type ActivationContext,
  type ActivationEffect,
  firmwareVersionBytes,
  type GbcsIdentity,
  type SupplierAnchor,
} from '../devices/gbcs-activation.ts';
import { type ClientState, holdsVerifiedImage, type ImageCheck } from '../devices/ota-client-state.ts';
import type { DeviceStorage } from '../devices/storage.ts';
import { DecodeError } from '../errors/errors.ts';
import { ALERT_CODE } from '../gbcs/alerts.ts';
import {
  type DeviceSigner,
  type ReceiptAlertForm,
  signedCs06Response,
  signedFutureDatedAlert,
  signedReceiptAlert,
} from '../gbcs/device-messages.ts';
import { parseImage } from '../ota/image.ts';

/** A device's GBCS side in a run. */
export interface GbcsDeviceSpec {
  readonly identity: GbcsIdentity;
  readonly anchor: SupplierAnchor;
  /** CS06 commands the supplier sends once the device's 0x8F72 alert reaches it, in order. */
  readonly commandsAfterReceipt?: readonly Uint8Array[];
  /** The same, per received image (by Manufacturer Image SHA-256, hex); before `commandsAfterReceipt`. */
  readonly commandsForImage?: ReadonlyMap<string, readonly Uint8Array[]>;
}

/** Time from a device's receipt alert to the supplier's first command reaching it, µs (a DCC round trip). */
export const SUPPLIER_REACTION_US = 30_000_000;

/**
 * How many times the supplier sends again a command the DCC reports undelivered (the device was
 * off), waiting twice as long each time from a minute (a DCC round trip each way): over 17 hours.
 */
export const SUPPLIER_RESENDS = 10;

/** SHA-256 of the Manufacturer Image in `bytes`, when they read as a GBCS image. */
function manufacturerImageHash(bytes: Uint8Array): Uint8Array | undefined {
  try {
    const image = parseImage(bytes, { format: 'gbcs', signed: true });
    return image.format === 'gbcs' ? sha256(image.manufacturerImage.data) : undefined;
  } catch (error) {
    if (error instanceof DecodeError) return undefined;
    throw error;
  }
}

/** How a device signs what it sends: its keys, its supplier, and the form of its receipt alert. */
export interface GbcsSender {
  readonly signer: DeviceSigner;
  /** Where its alerts go: the supplier it obeys now. */
  readonly supplier: string;
  readonly receiptForm: ReceiptAlertForm;
}

/** What signs a device's messages: an ESME sends DLMS receipt alerts, the others GBZ. */
export function gbcsSender(spec: GbcsDeviceSpec, supplier: string, deviceType: string): GbcsSender {
  return {
    signer: { eui: spec.identity.device, signingKey: spec.identity.signingPrivateKey },
    supplier,
    receiptForm: deviceType === 'ESME' ? 'dlms' : 'gbz',
  };
}

/**
 * The trace note of the receipt alert after a whole-image check; with `signed`, the alert as the
 * device sends it (`apdu`, hex), signed, alert counter `counter`, at ZigBee UTC time `utcTime`.
 */
export function receiptAlert(
  result: ImageCheck,
  bytes: Uint8Array,
  signed?: { readonly sender: GbcsSender; readonly counter: bigint; readonly utcTime: number },
): { what: string; detail: Record<string, string | number | boolean> } {
  const hash = manufacturerImageHash(bytes);
  const ok = result.status === 'SUCCESS';
  const alertCode = ok ? ALERT_CODE.firmwareDistributionReceipt : ALERT_CODE.firmwareVerificationFailed;
  // A refused image the device could not read still has its alert: over the bytes it holds.
  const apdu =
    signed &&
    signedReceiptAlert(
      signed.sender.signer,
      signed.sender.supplier,
      signed.counter,
      signed.sender.receiptForm,
      {
        alertCode,
        utcTime: signed.utcTime,
        hash: hash ?? sha256(bytes),
      },
    );
  return {
    what: ok ? 'alert 0x8F72 Firmware Distribution Receipt' : 'alert 0x8F1C Firmware Verification Failed',
    detail: {
      alertCode,
      ...(hash && { manufacturerImageSha256: toHex(hash) }),
      ...(!ok && 'reason' in result && { reason: result.reason }),
      ...(apdu && { apdu: toHex(apdu) }),
    },
  };
}

/**
 * The signed message an activation effect sends, when it sends one: the CS06 response, or the
 * future-dated activation alert (with the device's next alert counter, from `nextCounter`).
 */
export function activationMessage(
  effect: ActivationEffect,
  sender: GbcsSender,
  utcTime: number,
  nextCounter: () => bigint,
): Uint8Array | undefined {
  if (effect.type === 'respond')
    return signedCs06Response(sender.signer, effect.to, effect.counter, utcTime, effect.response);
  if (effect.type === 'alert')
    return signedFutureDatedAlert(sender.signer, sender.supplier, nextCounter(), effect);
  return undefined;
}

/** What the device holds when a CS06 command or its due time comes. */
export function activationContext(
  nowUnixS: number,
  state: ClientState,
  storage: DeviceStorage,
): ActivationContext {
  const saved = storage.saved();
  const held =
    holdsVerifiedImage(state) && saved !== undefined ? manufacturerImageHash(storage.bytes()) : undefined;
  return {
    nowUnixS,
    runningVersion: firmwareVersionBytes(storage.runningVersion),
    ...(held &&
      saved && { heldImageHash: held, heldVersion: firmwareVersionBytes(saved.target.fileVersion) }),
    ...(state.heldReaction?.kind === 'refuse' && { heldRefuses: true }),
  };
}

/** The trace note of an activation effect; undefined for those the driver carries out silently. */
export function activationNote(
  effect: ActivationEffect,
  apdu?: Uint8Array,
): { what: string; detail: Record<string, string | number | boolean> } | undefined {
  const note = activationNoteOf(effect);
  return note && apdu ? { what: note.what, detail: { ...note.detail, apdu: toHex(apdu) } } : note;
}

function activationNoteOf(
  effect: ActivationEffect,
): { what: string; detail: Record<string, string | number | boolean> } | undefined {
  switch (effect.type) {
    case 'refused':
      return { what: 'CS06 refused', detail: { stage: effect.stage, reason: effect.reason } };
    case 'respond':
      return {
        what: 'CS06 response',
        detail: {
          counter: effect.counter.toString(),
          to: effect.to,
          ...(effect.response.kind === 'commandAccepted'
            ? { response: 'commandAccepted' }
            : { response: effect.response.outcome, firmwareVersion: toHex(effect.response.firmwareVersion) }),
        },
      };
    case 'alert':
      return {
        what: `alert 0x${effect.alertCode.toString(16).toUpperCase()} future-dated activation ${effect.outcome === 'success' ? 'succeeded' : 'failed'}`,
        detail: {
          alertCode: effect.alertCode,
          executeAt: effect.executeAt,
          commandCounter: effect.commandCounter.toString(),
          outcome: effect.outcome,
          firmwareVersion: toHex(effect.firmwareVersion),
        },
      };
    case 'note':
      return { what: effect.what, detail: {} };
    default:
      return undefined;
  }
}
