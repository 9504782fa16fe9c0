/**
 * A device answering SR 11.2 Read Firmware Version (DESIGN.md §1, GBCS §4.3): the pure step that
 * decides what a received ECS52 / GCS38 / CS08 command does. It is a non-critical command:
 * General-Ciphering with the Access Control Broker's MAC and no signature, originated by the ACB
 * on a user's behalf (the RTDS CS08 command; DCC Boxed's 11.2 responses) or by the supplier
 * itself (the RTDS ECS52 and GCS38 commands). The device checks, in order: the MAC, the originator is the ACB or a party it
 * answers, recipient is this device, the message code is the read its type answers, the counter
 * is above the last it accepted from that originator, the content is the command's. Then it
 * answers the originator with its running version, MACed with their shared secret.
 */
import { bytesEqual, toHex } from '../bytes/hex.ts';
import { ecdhP256 } from '../crypto/key-agreement.ts';
import { DecodeError } from '../errors/errors.ts';
import { decodeGbcsMessage } from '../gbcs/apdu.ts';
import type { FirmwareReadResponse } from '../gbcs/device-messages.ts';
import {
  decodeFirmwareReadCommand,
  FIRMWARE_READ_CODE,
  type FirmwareRead,
  firmwareReadOf,
} from '../gbcs/firmware-read.ts';
import { computeMac, deriveMacKey } from '../gbcs/security.ts';
import type { RefusalStage } from './gbcs-activation.ts';

/** What a device needs to take a read command: its keys, the ACB's, and which read it answers. */
export interface FirmwareReadIdentity {
  /** The device's system title (EUI-64, lowercase hex). */
  readonly device: string;
  readonly keyAgreementPrivateKey: Uint8Array;
  readonly acb: string;
  readonly acbKeyAgreementKey: Uint8Array;
  /**
   * The other remote parties whose reads it answers (its supplier), by system title, with their
   * key-agreement public keys: a response is MACed for its recipient.
   */
  readonly parties?: ReadonlyMap<string, Uint8Array>;
  readonly read: FirmwareRead;
}

/** Which read each device type answers (GBCS: ECS52 ESME, GCS38 GSME, CS08 PPMID and HCALCS). */
export const FIRMWARE_READ_OF_TYPE: Readonly<Record<string, FirmwareRead>> = {
  ESME: 'ecs52',
  GSME: 'gcs38',
  PPMID: 'cs08',
  HCALCS: 'cs08',
};

/** What the device does with one read command. */
export type FirmwareReadEffect =
  | { readonly type: 'refused'; readonly stage: RefusalStage; readonly reason: string }
  /** Answer the command's originator with the version it runs. */
  | ({ readonly type: 'respond' } & FirmwareReadResponse);

/** The step's result: the last counter accepted from each originator, and the effect. */
export interface FirmwareReadStep {
  readonly lastCounters: ReadonlyMap<string, bigint>;
  readonly effect: FirmwareReadEffect;
}

/** Whether `bytes` read as one of the three read commands (the runtime routes them here). */
export function isFirmwareReadCommand(bytes: Uint8Array): boolean {
  try {
    const message = decodeGbcsMessage(bytes);
    const signing = message.kind === 'generalCiphering' ? message.ciphering.signing : message.signing;
    return signing.transactionId.cra === 'command' && firmwareReadOf(signing.messageCode) !== undefined;
  } catch (error) {
    if (error instanceof DecodeError) return false;
    throw error;
  }
}

/**
 * The key-agreement secret between the device and `party` (the ACB, or a party it answers): the
 * ACB's MACs the commands, the recipient's the response.
 */
export function sharedSecretWith(identity: FirmwareReadIdentity, party: string): Uint8Array {
  const key = party === identity.acb ? identity.acbKeyAgreementKey : identity.parties?.get(party);
  if (!key) throw new RangeError(`${party}: not a party the device answers`);
  return ecdhP256(identity.keyAgreementPrivateKey, key);
}

/** One read command reaching the device, which runs `version` (4 bytes). */
export function stepFirmwareRead(
  identity: FirmwareReadIdentity,
  lastCounters: ReadonlyMap<string, bigint>,
  bytes: Uint8Array,
  version: Uint8Array,
): FirmwareReadStep {
  const refuse = (stage: RefusalStage, reason: string): FirmwareReadStep => ({
    lastCounters,
    effect: { type: 'refused', stage, reason },
  });
  let message: ReturnType<typeof decodeGbcsMessage>;
  try {
    message = decodeGbcsMessage(bytes);
  } catch (error) {
    if (error instanceof DecodeError) return refuse('decode', error.message);
    throw error;
  }
  if (message.kind !== 'generalCiphering')
    return refuse('unprotected', 'a command from the DCC must be General-Ciphering (MACed)');
  const { signing, mac, invocationCounter } = message.ciphering;
  const key = deriveMacKey(
    sharedSecretWith(identity, identity.acb),
    signing.originator,
    signing.transactionId,
    signing.recipient,
  );
  if (!bytesEqual(computeMac(key, signing.originator, invocationCounter, signing.apdu), mac))
    return refuse('mac', 'the MAC does not verify with the Access Control Broker key');
  const originator = toHex(signing.originator);
  if (originator !== identity.acb && !identity.parties?.has(originator))
    return refuse(
      'originator',
      `originator ${originator} is neither the Access Control Broker ${identity.acb} nor a party the device answers`,
    );
  if (toHex(signing.recipient) !== identity.device)
    return refuse('recipient', `addressed to ${toHex(signing.recipient)}, not this device`);
  if (signing.messageCode !== FIRMWARE_READ_CODE[identity.read] || signing.transactionId.cra !== 'command')
    return refuse(
      'messageCode',
      `message code 0x${signing.messageCode.toString(16).padStart(4, '0')} (${signing.transactionId.cra}) is not the ${identity.read.toUpperCase()} command this device answers`,
    );
  const counter = signing.transactionId.counter;
  const last = lastCounters.get(originator);
  if (last !== undefined && counter <= last)
    return refuse('counter', `counter ${counter} is not above the last accepted ${last}`);
  let invokeId: number;
  try {
    invokeId = decodeFirmwareReadCommand(identity.read, signing.content, signing.contentOffset);
  } catch (error) {
    if (error instanceof DecodeError) return refuse('content', error.message);
    throw error;
  }
  return {
    lastCounters: new Map(lastCounters).set(originator, counter),
    effect: {
      type: 'respond',
      to: originator,
      counter,
      read: identity.read,
      invokeId,
      ...(signing.supplementary && { supplementary: signing.supplementary }),
      version,
    },
  };
}
