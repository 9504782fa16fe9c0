/**
 * The supplier's side of GBCS use case CS06 (SRV 11.3 Activate Firmware): a CS06 command signed
 * with the supplier's digital-signing key and sealed, as the DCC Access Control Broker does, with
 * the GMAC derived from the broker's and the recipient's key-agreement keys (GBCS §18.4; the byte
 * layout in DESIGN.md §2). Production code: scenarios, conformance runs and `hanota simulate
 * --activate` send what it builds, and the testing kit's arbitraries build on it.
 */
import { fromHex } from '../bytes/hex.ts';
import { ecdhP256 } from '../crypto/key-agreement.ts';
import type { CraFlag } from './apdu.ts';
import { CS06_MESSAGE_CODE, encodeCs06Command } from './cs06.ts';
import { deriveMacKey, sealCriticalCommand } from './security.ts';

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
