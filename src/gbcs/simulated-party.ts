/**
 * Parties of a simulated GB smart-metering system (a supplier, the DCC Access Control Broker,
 * devices) with key pairs derived deterministically from a label (`deriveP256PrivateKey`): the
 * same label gives the same keys in every run. Never for real keys.
 */
import { deriveP256PrivateKey, publicKeyOf } from '../crypto/ecdsa-p256.ts';

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
