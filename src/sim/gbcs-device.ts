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

/** The trace note of the receipt alert after a whole-image check. */
export function receiptAlert(
  result: ImageCheck,
  bytes: Uint8Array,
): { what: string; detail: Record<string, string | number | boolean> } {
  const hash = manufacturerImageHash(bytes);
  const ok = result.status === 'SUCCESS';
  return {
    what: ok ? 'alert 0x8F72 Firmware Distribution Receipt' : 'alert 0x8F1C Firmware Verification Failed',
    detail: {
      alertCode: ok ? ALERT_CODE.firmwareDistributionReceipt : ALERT_CODE.firmwareVerificationFailed,
      ...(hash && { manufacturerImageSha256: toHex(hash) }),
      ...(!ok && 'reason' in result && { reason: result.reason }),
    },
  };
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
): { what: string; detail: Record<string, string | number | boolean> } | undefined {
  switch (effect.type) {
    case 'refused':
      return { what: 'CS06 refused', detail: { stage: effect.stage, reason: effect.reason } };
    case 'respond':
      return {
        what: 'CS06 response',
        detail: {
          counter: effect.counter.toString(),
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
