/**
 * Differential: GBCS commands hanota builds verify under node:crypto (OpenSSL: ECDSA P-256
 * with IEEE P1363 signatures, ECDH, SHA-256, AES-128-GCM), and commands built with node:crypto
 * verify under hanota. Keys are drawn by fast-check.
 */
import {
  createCipheriv,
  createECDH,
  createHash,
  createPrivateKey,
  createPublicKey,
  sign,
  verify,
} from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes/hex.ts';
import { encodePrivateKeyPem, encodePublicKeyPem } from '../../src/crypto/keys.ts';
import {
  decodeGbcsMessage,
  encodeGeneralCiphering,
  encodeGeneralSigning,
  encodeSignedPart,
} from '../../src/gbcs/apdu.ts';
import { buildCs06 } from '../../src/gbcs/build-cs06.ts';
import { CS06_MESSAGE_CODE, encodeCs06Command } from '../../src/gbcs/cs06.ts';
import { checkMessage, type KeyRing } from '../../src/gbcs/security.ts';
import { simulatedParty } from '../../src/gbcs/simulated-party.ts';

/** node:crypto's MAC: KDF over ECDH, then GCM with an empty plaintext, tag cut to 12 bytes. */
function nodeMac(
  acbPrivate: Uint8Array,
  devicePublic: Uint8Array,
  apdu: Uint8Array,
  originator: Uint8Array,
  tid: Uint8Array,
  recipient: Uint8Array,
): Uint8Array {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(acbPrivate);
  const z = ecdh.computeSecret(devicePublic);
  const key = createHash('sha256')
    .update(Uint8Array.of(0, 0, 0, 1))
    .update(z)
    .update(fromHex('60857406080300', 'alg'))
    .update(originator)
    .update(tid)
    .update(recipient)
    .digest()
    .subarray(0, 16);
  const cipher = createCipheriv('aes-128-gcm', key, Uint8Array.of(...originator, 0, 0, 0, 0));
  cipher.setAAD(Uint8Array.of(0x11, 0, 0, 0, 0, 0, ...apdu));
  cipher.final();
  return new Uint8Array(cipher.getAuthTag().subarray(0, 12));
}

const label = fc.string({ minLength: 1, maxLength: 12 });

describe('GBCS crypto against node:crypto', () => {
  it('hanota-built commands verify under node:crypto', () => {
    fc.assert(
      fc.property(
        label,
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (l, counter, hash) => {
          const supplier = simulatedParty('90b3d51f30010000', `s${l}`);
          const acb = simulatedParty('90b3d51f30000002', `a${l}`);
          const device = simulatedParty('00db1234567890a0', `d${l}`);
          const bytes = buildCs06({
            supplier: supplier.eui,
            signingKey: supplier.dsPrivate,
            recipient: device.eui,
            macFor: device.kaPublic,
            acbKaPrivate: acb.kaPrivate,
            counter,
            hash,
          });
          const m = decodeGbcsMessage(bytes);
          if (m.kind !== 'generalCiphering') throw new Error('not ciphering');
          const s = m.ciphering.signing;
          const publicKey = createPublicKey(encodePublicKeyPem(supplier.dsPublic));
          expect(
            verify(
              'sha256',
              s.signedBytes,
              { key: publicKey, dsaEncoding: 'ieee-p1363' },
              s.signature as Uint8Array,
            ),
          ).toBe(true);
          const tid = s.apdu.subarray(1, 11);
          expect(toHex(nodeMac(acb.kaPrivate, device.kaPublic, s.apdu, s.originator, tid, s.recipient))).toBe(
            toHex(m.ciphering.mac),
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('node:crypto-built commands verify under hanota', () => {
    fc.assert(
      fc.property(label, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (l, counter) => {
        const supplier = simulatedParty('90b3d51f30010000', `s${l}`);
        const acb = simulatedParty('90b3d51f30000002', `a${l}`);
        const device = simulatedParty('00db1234567890a0', `d${l}`);
        const message = {
          transactionId: { cra: 'command' as const, counter },
          originator: fromHex(supplier.eui, 'o'),
          recipient: fromHex(device.eui, 'r'),
          messageCode: CS06_MESSAGE_CODE,
          content: encodeCs06Command({ hash: new Uint8Array(32).fill(7), counter }),
        };
        const signedPart = encodeSignedPart(message);
        const privateKey = createPrivateKey(encodePrivateKeyPem(supplier.dsPrivate));
        const signature = new Uint8Array(
          sign('sha256', signedPart, { key: privateKey, dsaEncoding: 'ieee-p1363' }),
        );
        const apdu = encodeGeneralSigning({ ...message, signature });
        const mac = nodeMac(
          acb.kaPrivate,
          device.kaPublic,
          apdu,
          message.originator,
          apdu.subarray(1, 11),
          message.recipient,
        );
        const ring: KeyRing = {
          acb: acb.eui,
          parties: new Map([
            [supplier.eui, { ds: { publicKey: supplier.dsPublic } }],
            [acb.eui, { ka: { publicKey: acb.kaPublic } }],
            [device.eui, { ka: { publicKey: device.kaPublic, privateKey: device.kaPrivate } }],
          ]),
        };
        expect(checkMessage(decodeGbcsMessage(encodeGeneralCiphering(apdu, mac)), ring)).toEqual({
          signature: { status: 'valid' },
          mac: { status: 'valid' },
        });
      }),
      { numRuns: 25 },
    );
  });
});
