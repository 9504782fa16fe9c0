/**
 * GBCS message protection (GBCS §4.3, §7.2; DESIGN.md §2): the supplier's ECDSA signature over
 * a General-Signing APDU, and the GMAC over a critical command, keyed by the SP 800-56A KDF over
 * the ECDH secret between the DCC Access Control Broker's and the device's key-agreement keys.
 * Checking is a value — `valid`, `invalid` with a reason, or `unchecked` when keys are missing.
 */
import { bytesEqual, fromHex, toHex } from '../bytes/hex.ts';
import { signP256, verifyP256 } from '../crypto/ecdsa-p256.ts';
import { AES_128_KEY_LENGTH, concatKdfSha256, ecdhP256, gmac } from '../crypto/key-agreement.ts';
import {
  CRA_FLAG,
  type DecodedGeneralCiphering,
  type DecodedGeneralSigning,
  encodeGeneralCiphering,
  encodeGeneralSigning,
  encodeSignedPart,
  encodeUnsignedGeneralSigning,
  GBCS_SECURITY_CONTROL,
  type GbcsMessage,
  type GeneralSigning,
  type TransactionId,
} from './apdu.ts';

/** AlgorithmID of the KDF's OtherInfo (GBCS §4.3.3.3): AES-128-GCM. */
const KDF_ALGORITHM_ID = fromHex('60857406080300', 'KDF algorithm id');
/** The DCC Access Control Broker of the DCC test PKI: its key-agreement key MACs critical commands. */
export const DCC_TEST_ACB = '90b3d51f30000002';

/** One party's keys: public always, private when known. */
export interface PartyKey {
  readonly publicKey: Uint8Array;
  readonly privateKey?: Uint8Array;
}

/** A party's digital-signing and key-agreement keys. */
export interface PartyKeys {
  readonly ds?: PartyKey;
  readonly ka?: PartyKey;
}

/** Keys by system title (lowercase hex EUI-64), and which party is the Access Control Broker. */
export interface KeyRing {
  readonly parties: ReadonlyMap<string, PartyKeys>;
  readonly acb: string;
}

/** The outcome of one check. */
export type CheckResult =
  | { readonly status: 'valid' }
  | { readonly status: 'invalid'; readonly reason: string }
  | { readonly status: 'unchecked'; readonly reason: string };

/**
 * The MAC key for a message (GBCS §4.3.3.3): KDF(Z, AlgorithmID ‖ originator ‖ transaction id
 * with its length ‖ recipient), 16 bytes.
 */
export function deriveMacKey(
  z: Uint8Array,
  originator: Uint8Array,
  transactionId: TransactionId,
  recipient: Uint8Array,
): Uint8Array {
  const otherInfo = new Uint8Array(KDF_ALGORITHM_ID.length + 8 + 10 + 8);
  const view = new DataView(otherInfo.buffer);
  let at = 0;
  otherInfo.set(KDF_ALGORITHM_ID, at);
  at += KDF_ALGORITHM_ID.length;
  otherInfo.set(originator, at);
  at += 8;
  otherInfo[at++] = 9;
  otherInfo[at++] = CRA_FLAG[transactionId.cra];
  view.setBigUint64(at, transactionId.counter, false);
  at += 8;
  otherInfo.set(recipient, at);
  return concatKdfSha256(z, otherInfo, AES_128_KEY_LENGTH);
}

/**
 * The 12-byte GMAC of a General-Signing APDU: IV = originator ‖ invocation counter, AAD = the
 * security control byte, five zero bytes (as the GBCS §18.4 vector and the RTDS commands have
 * it) and the APDU from 0xDF through the signature.
 */
export function computeMac(
  key: Uint8Array,
  originator: Uint8Array,
  invocationCounter: number,
  signingApdu: Uint8Array,
): Uint8Array {
  const iv = new Uint8Array(12);
  iv.set(originator, 0);
  new DataView(iv.buffer).setUint32(8, invocationCounter, false);
  const aad = new Uint8Array(6 + signingApdu.length);
  aad[0] = GBCS_SECURITY_CONTROL;
  aad.set(signingApdu, 6);
  return gmac(key, iv, aad);
}

/** The key-agreement secret Z between two parties, from whichever private key the ring holds. */
export function sharedSecret(ring: KeyRing, a: string, b: string): Uint8Array | string {
  const ka = ring.parties.get(a)?.ka;
  const kb = ring.parties.get(b)?.ka;
  if (!ka || !kb) return `no key-agreement key for ${!ka ? a : b}`;
  if (ka.privateKey) return ecdhP256(ka.privateKey, kb.publicKey);
  if (kb.privateKey) return ecdhP256(kb.privateKey, ka.publicKey);
  return `no key-agreement private key for ${a} or ${b}`;
}

/** Checks the signature of a General-Signing APDU with the originator's signing key. */
export function checkSignature(signing: DecodedGeneralSigning, ring: KeyRing): CheckResult {
  if (!signing.signature) return { status: 'unchecked', reason: 'the message carries no signature' };
  const originator = toHex(signing.originator);
  const key = ring.parties.get(originator)?.ds;
  if (!key) return { status: 'unchecked', reason: `no signing key for the originator ${originator}` };
  return verifyP256(signing.signature, signing.signedBytes, key.publicKey)
    ? { status: 'valid' }
    : { status: 'invalid', reason: `the signature does not verify with the signing key of ${originator}` };
}

/**
 * The MAC key of a General-Ciphering message, or why it cannot be derived. A command is MACed by
 * the Access Control Broker for its recipient, whoever originated it; a response or alert by its
 * originator for its recipient (the RTDS 11.2 responses verify so: the ESME's to the supplier with
 * their secret, the PPMID's to the ACB with theirs).
 */
export function macKeyOf(
  signing: DecodedGeneralSigning | GeneralSigning,
  ring: KeyRing,
): Uint8Array | string {
  const recipient = toHex(signing.recipient);
  const z = sharedSecret(
    ring,
    signing.transactionId.cra === 'command' ? ring.acb : toHex(signing.originator),
    recipient,
  );
  if (typeof z === 'string') return z;
  return deriveMacKey(z, signing.originator, signing.transactionId, signing.recipient);
}

/** Checks the GMAC of a General-Ciphering APDU. */
export function checkMac(ciphering: DecodedGeneralCiphering, ring: KeyRing): CheckResult {
  const key = macKeyOf(ciphering.signing, ring);
  if (typeof key === 'string') return { status: 'unchecked', reason: key };
  const expected = computeMac(
    key,
    ciphering.signing.originator,
    ciphering.invocationCounter,
    ciphering.signing.apdu,
  );
  return bytesEqual(expected, ciphering.mac)
    ? { status: 'valid' }
    : { status: 'invalid', reason: 'the MAC does not match the one derived from the key-agreement keys' };
}

/** Signature and (for General-Ciphering) MAC checks of a decoded message. */
export function checkMessage(
  message: GbcsMessage,
  ring: KeyRing,
): { signature: CheckResult; mac?: CheckResult } {
  if (message.kind === 'generalSigning') return { signature: checkSignature(message.signing, ring) };
  return {
    signature: checkSignature(message.ciphering.signing, ring),
    mac: checkMac(message.ciphering, ring),
  };
}

/** Signs a General-Signing message with `privateKey` (the originator's signing key): the APDU bytes. */
export function signMessage(message: Omit<GeneralSigning, 'signature'>, privateKey: Uint8Array): Uint8Array {
  const signature = signP256(encodeSignedPart(message), privateKey);
  return encodeGeneralSigning({ ...message, signature });
}

/** Signs and MACs a critical command: the General-Ciphering APDU bytes. */
export function sealCriticalCommand(
  message: Omit<GeneralSigning, 'signature'>,
  signingKey: Uint8Array,
  macKey: Uint8Array,
): Uint8Array {
  const apdu = signMessage(message, signingKey);
  return encodeGeneralCiphering(apdu, computeMac(macKey, message.originator, 0, apdu));
}

/** MACs a non-critical message (unsigned, its signature field empty): the General-Ciphering APDU bytes. */
export function sealNonCritical(message: Omit<GeneralSigning, 'signature'>, macKey: Uint8Array): Uint8Array {
  const apdu = encodeUnsignedGeneralSigning(message);
  return encodeGeneralCiphering(apdu, computeMac(macKey, message.originator, 0, apdu));
}
