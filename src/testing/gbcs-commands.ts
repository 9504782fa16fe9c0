/**
 * Building signed, MACed CS06 commands for tests and simulations, with deterministic keys from
 * labels (`deriveP256PrivateKey`): a supplier, the Access Control Broker, devices. Public so
 * users' property tests can build the same commands hanota's do.
 */
import { fromHex, toHex } from '../bytes/hex.ts';
import { deriveP256PrivateKey, publicKeyOf } from '../crypto/ecdsa-p256.ts';
import { ecdhP256 } from '../crypto/key-agreement.ts';
import type { CraFlag } from '../gbcs/apdu.ts';
import { CS06_MESSAGE_CODE, encodeCs06Command } from '../gbcs/cs06.ts';
import { deriveMacKey, sealCriticalCommand } from '../gbcs/security.ts';

/** A simulated party: its system title and key pairs. */
export interface SimulatedParty {
  readonly eui: string;
  readonly dsPrivate: Uint8Array;
  readonly dsPublic: Uint8Array;
  readonly kaPrivate: Uint8Array;
  readonly kaPublic: Uint8Array;
}

/** A party with keys derived from `label` (never for real keys). */
export function simulatedParty(eui: string, label: string): SimulatedParty {
  const dsPrivate = deriveP256PrivateKey(`${label}/ds`);
  const kaPrivate = deriveP256PrivateKey(`${label}/ka`);
  return { eui, dsPrivate, dsPublic: publicKeyOf(dsPrivate), kaPrivate, kaPublic: publicKeyOf(kaPrivate) };
}

/** What a CS06 command says and who seals it. */
export interface Cs06Spec {
  /** Named as originator. */
  readonly supplier: string;
  /** Signs the command. */
  readonly signingKey: Uint8Array;
  /** Named as recipient. */
  readonly recipient: string;
  /** The device whose key-agreement key the MAC is derived with (the ACB's private key is used). */
  readonly macFor: Uint8Array;
  readonly acbKaPrivate: Uint8Array;
  readonly counter: bigint;
  readonly hash: Uint8Array;
  readonly executeAt?: string;
  readonly messageCode?: number;
  readonly cra?: CraFlag;
  /** Counter inside the content, when it should differ from the header's. */
  readonly payloadCounter?: bigint;
}

/** The General-Ciphering bytes of a CS06 command built from `spec`. */
export function buildCs06(spec: Cs06Spec): Uint8Array {
  const message = {
    transactionId: { cra: spec.cra ?? ('command' as const), counter: spec.counter },
    originator: fromHex(spec.supplier, 'supplier'),
    recipient: fromHex(spec.recipient, 'recipient'),
    messageCode: spec.messageCode ?? CS06_MESSAGE_CODE,
    content: encodeCs06Command({
      hash: spec.hash,
      counter: spec.payloadCounter ?? spec.counter,
      ...(spec.executeAt !== undefined && { executeAt: spec.executeAt }),
    }),
  };
  const z = ecdhP256(spec.acbKaPrivate, spec.macFor);
  const macKey = deriveMacKey(z, message.originator, message.transactionId, message.recipient);
  return sealCriticalCommand(message, spec.signingKey, macKey);
}

/** Lowercase hex of an EUI given in any case. */
export function eui(text: string): string {
  return toHex(fromHex(text, 'eui'));
}
