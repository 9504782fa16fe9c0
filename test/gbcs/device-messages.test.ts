/**
 * A device's signed responses and alerts have the layouts of the RTDS 4.5.0 messages: rebuilt from
 * the fields of each RTDS response and alert (shared vectors) and signed with a simulated device
 * key, every byte the signature covers equals the RTDS message's, and the signature verifies with
 * that key. (No device signing key is published, so the signatures themselves cannot match.)
 */
import { expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes/hex.ts';
import { verifyP256 } from '../../src/crypto/ecdsa-p256.ts';
import {
  decodeDlmsFirmwareReceiptAlert,
  decodeFutureDatedActivationAlert,
  decodeGbzFirmwareReceiptAlert,
} from '../../src/gbcs/alerts.ts';
import { type DecodedGeneralSigning, decodeGbcsMessage } from '../../src/gbcs/apdu.ts';
import { decodeCs06Response } from '../../src/gbcs/cs06.ts';
import {
  type DeviceSigner,
  signedCs06Response,
  signedFutureDatedAlert,
  signedReceiptAlert,
} from '../../src/gbcs/device-messages.ts';
import { simulatedParty } from '../../src/gbcs/simulated-party.ts';
import { describeWithVectors, readVectorText } from '../helpers/vectors.ts';

function rtds(name: string): DecodedGeneralSigning {
  const m = decodeGbcsMessage(fromHex(readVectorText(`gbcs/rtds-4.5.0/${name}`), name));
  if (m.kind !== 'generalSigning') throw new Error(`${name}: expected General-Signing`);
  return m.signing;
}

function signed(bytes: Uint8Array): DecodedGeneralSigning {
  const m = decodeGbcsMessage(bytes);
  if (m.kind !== 'generalSigning') throw new Error('expected General-Signing');
  return m.signing;
}

/** 2015-01-01T00:00:00Z, the RTDS messages' date-time, in ZigBee UTC seconds. */
const RTDS_TIME = 0x1c374a80;

describeWithVectors('device messages laid out as the RTDS 4.5.0 ones', () => {
  const hex = (b: Uint8Array) => toHex(b);
  const signer = (eui: string) => {
    const party = simulatedParty(eui, `rtds layout ${eui}`);
    return { signer: { eui, signingKey: party.dsPrivate }, publicKey: party.dsPublic };
  };

  /** How each RTDS message is rebuilt from its own fields, with a simulated device key. */
  type Rebuild = (s: DeviceSigner, to: string, r: DecodedGeneralSigning) => Uint8Array;
  const response: Rebuild = (s, to, r) =>
    signedCs06Response(s, to, r.transactionId.counter, RTDS_TIME, decodeCs06Response(r.content));
  const futureDated: Rebuild = (s, to, r) =>
    signedFutureDatedAlert(s, to, r.transactionId.counter, decodeFutureDatedActivationAlert(r.content));
  const cases: readonly [string, string, Rebuild][] = [
    ['the CS06 response', 'CS06_11.3_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX', response],
    ['the CS06 response', 'CS06_11.3_IMMEDIATE_ERROR_RESPONSE_GBCS.HEX', response],
    ['the CS06 response', 'CS06_11.3_FUTURE_DATED_SUCCESS_RESPONSE_GBCS.HEX', response],
    ['the future-dated alert', 'CS06_11.3_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX', futureDated],
    ['the future-dated alert', 'CS06_11.3_8F67_FUTURE_DATED_ERROR_ALERT_GBCS.HEX', futureDated],
  ];
  for (const [what, name, rebuild] of cases)
    it(`writes ${what} ${name} byte for byte up to its signature`, () => {
      const r = rtds(name);
      const { signer: s, publicKey } = signer(hex(r.originator));
      const ours = signed(rebuild(s, hex(r.recipient), r));
      expect(hex(ours.signedBytes)).toBe(hex(r.signedBytes));
      expect(verifyP256(ours.signature as Uint8Array, ours.signedBytes, publicKey)).toBe(true);
    });

  it('writes the DLMS receipt alert of an ESME byte for byte up to its signature', () => {
    const r = rtds('FDRA-DLMS_NA_8F72_ALERT_GBCS.HEX');
    const { signer: s } = signer(hex(r.originator));
    const { invokeId: _, ...alert } = decodeDlmsFirmwareReceiptAlert(r.content);
    const ours = signed(signedReceiptAlert(s, hex(r.recipient), r.transactionId.counter, 'dlms', alert));
    expect(hex(ours.signedBytes)).toBe(hex(r.signedBytes));
  });

  it('writes the GBZ receipt alert of a GSME byte for byte up to its signature', () => {
    const r = rtds('FDRA-ZigBee_NA_8F72_ALERT_GBCS.HEX');
    const { signer: s } = signer(hex(r.originator));
    const alert = decodeGbzFirmwareReceiptAlert(r.content);
    const ours = signed(signedReceiptAlert(s, hex(r.recipient), r.transactionId.counter, 'gbz', alert));
    expect(hex(ours.signedBytes)).toBe(hex(r.signedBytes));
  });
});
