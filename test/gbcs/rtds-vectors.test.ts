/**
 * Known answers: DCC RTDS 4.5.0 CS06 messages and the GBCS §18.4 cryptographic test vector
 * (../shared/vectors/gbcs/, see its README), with the DCC test PKI keys.
 */

import { expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes/hex.ts';
import { nodeIo } from '../../src/cli/context.ts';
import { readKeyDirectory } from '../../src/cli/key-directory.ts';
import { type DecodedGeneralSigning, decodeGbcsMessage } from '../../src/gbcs/apdu.ts';
import { decodeCs06Command, decodeCs06Response } from '../../src/gbcs/cs06.ts';
import {
  checkMessage,
  DCC_TEST_ACB,
  deriveMacKey,
  type KeyRing,
  type PartyKeys,
  sharedSecret,
} from '../../src/gbcs/security.ts';
import { describeWithVectors, readVectorText, vectorPath } from '../helpers/vectors.ts';

function rtds(name: string): Uint8Array {
  return fromHex(readVectorText(`gbcs/rtds-4.5.0/${name}`), name);
}

/** The keys of ../shared/vectors/gbcs/keys, read as `--keys` reads them. */
function vectorKeys(): KeyRing {
  return readKeyDirectory({ io: nodeIo, exit: () => {} }, vectorPath('gbcs/keys'), DCC_TEST_ACB);
}

function signingOf(bytes: Uint8Array): DecodedGeneralSigning {
  const m = decodeGbcsMessage(bytes);
  return m.kind === 'generalSigning' ? m.signing : m.ciphering.signing;
}

describeWithVectors('RTDS 4.5.0 CS06 Activate Firmware', () => {
  const ring = vectorKeys();

  it('parses the immediate command: supplier to ESME, counter 1000, message code 0x0012, the hash', () => {
    const message = decodeGbcsMessage(rtds('CS06_11.3_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX'));
    expect(message.kind).toBe('generalCiphering');
    const s = signingOf(rtds('CS06_11.3_IMMEDIATE_SUCCESS_COMMAND_GBCS.HEX'));
    expect(s.transactionId).toEqual({ cra: 'command', counter: 1000n });
    expect(toHex(s.originator)).toBe('90b3d51f30010000');
    expect(toHex(s.recipient)).toBe('00db1234567890a0');
    expect(s.dateTime).toBeUndefined();
    expect(s.messageCode).toBe(0x0012);
    const content = decodeCs06Command(s.content, s.contentOffset);
    expect(toHex(content.hash)).toBe('aa758690730934ff0685aa758690730934ff0685657788990011223344556677');
    expect(content.counter).toBe(1000n);
    expect(content.executeAt).toBeUndefined();
  });

  it('parses the future-dated command: counter 1001, execution at 2030-01-15T09:00:00Z', () => {
    const s = signingOf(rtds('CS06_11.3_FUTURE_DATED_SUCCESS_COMMAND_GBCS.HEX'));
    expect(s.transactionId).toEqual({ cra: 'command', counter: 1001n });
    expect(decodeCs06Command(s.content).executeAt).toBe('2030-01-15T09:00:00Z');
  });

  for (const kind of ['IMMEDIATE', 'FUTURE_DATED']) {
    it(`verifies the ${kind.toLowerCase()} command's signature and MAC with the shared keys`, () => {
      const result = checkMessage(
        decodeGbcsMessage(rtds(`CS06_11.3_${kind}_SUCCESS_COMMAND_GBCS.HEX`)),
        ring,
      );
      expect(result).toEqual({ signature: { status: 'valid' }, mac: { status: 'valid' } });
    });

    it(`has a ${kind.toLowerCase()} pre-command equal to the command minus signature and MAC`, () => {
      const pre = rtds(`CS06_11.3_${kind}_SUCCESS_PRECOMMAND_GBCS.HEX`);
      const s = signingOf(rtds(`CS06_11.3_${kind}_SUCCESS_COMMAND_GBCS.HEX`));
      expect(toHex(pre)).toBe(toHex(s.apdu.subarray(0, 1 + s.signedBytes.length)));
      const parsed = decodeGbcsMessage(pre);
      expect(parsed.kind === 'generalSigning' && parsed.signing.signature).toBeUndefined();
    });

    it(`verifies the ${kind.toLowerCase()} response's signature with the ESME's signing key`, () => {
      const message = decodeGbcsMessage(rtds(`CS06_11.3_${kind}_SUCCESS_RESPONSE_GBCS.HEX`));
      expect(message.kind).toBe('generalSigning');
      expect(checkMessage(message, ring)).toEqual({ signature: { status: 'valid' } });
    });
  }

  it('reads the immediate response: success, firmware version 0123abce, a date-time, counter echoed', () => {
    const s = signingOf(rtds('CS06_11.3_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX'));
    expect(s.transactionId).toEqual({ cra: 'response', counter: 1000n });
    expect(toHex(s.originator)).toBe('00db1234567890a0');
    expect(toHex(s.dateTime as Uint8Array)).toBe('07df0101ff000000008000ff');
    const response = decodeCs06Response(s.content);
    expect(response).toEqual({
      kind: 'executed',
      outcome: 'success',
      firmwareVersion: fromHex('0123abce', 'v'),
    });
  });

  it('reads the future-dated response as command accepted', () => {
    const s = signingOf(rtds('CS06_11.3_FUTURE_DATED_SUCCESS_RESPONSE_GBCS.HEX'));
    expect(decodeCs06Response(s.content)).toEqual({ kind: 'commandAccepted' });
  });

  it('verifies the 0x8F72 distribution receipt alert from the GSME', () => {
    const s = signingOf(rtds('FDRA-ZigBee_NA_8F72_ALERT_GBCS.HEX'));
    expect(s.transactionId.cra).toBe('alert');
    expect(s.messageCode).toBe(0x00cf);
    expect(
      checkMessage(decodeGbcsMessage(rtds('FDRA-ZigBee_NA_8F72_ALERT_GBCS.HEX')), ring).signature,
    ).toEqual({
      status: 'valid',
    });
  });
});

describeWithVectors('GBCS §18.4 cryptographic test vector', () => {
  const v = JSON.parse(readVectorText('gbcs/gbcs-18.4-test-vector.json'));
  const point = (xy: string) => fromHex(`04${xy}`, 'public key');
  const ring: KeyRing = {
    acb: v.acb.id.toLowerCase(),
    parties: new Map<string, PartyKeys>([
      [v.supplierA.id.toLowerCase(), { ds: { publicKey: point(v.supplierA.dsPublicKeyXY) } }],
      [
        v.acb.id.toLowerCase(),
        {
          ka: {
            publicKey: new Uint8Array(65), // not needed: the ACB's private key is known
            privateKey: fromHex(v.acb.kaPrivateKey, 'acb key'),
          },
        },
      ],
      [v.deviceA.id.toLowerCase(), { ka: { publicKey: point(v.deviceA.kaPublicKeyXY) } }],
    ]),
  };

  it('verifies its signature and MAC', () => {
    const result = checkMessage(decodeGbcsMessage(fromHex(v.hex, 'vector')), ring);
    expect(result).toEqual({ signature: { status: 'valid' }, mac: { status: 'valid' } });
  });

  it('derives its MAC key', () => {
    const s = signingOf(fromHex(v.hex, 'vector'));
    const z = sharedSecret(ring, ring.acb, toHex(s.recipient));
    expect(typeof z).not.toBe('string');
    expect(toHex(deriveMacKey(z as Uint8Array, s.originator, s.transactionId, s.recipient))).toBe(
      v.expect.derivedMacKey,
    );
  });
});
