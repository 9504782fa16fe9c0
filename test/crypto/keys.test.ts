/**
 * PEM keys and certificates: the DCC test PKI files in the shared vectors (published with
 * SmartDCCInnovation/gbcs-parser) read to the same public keys as node:crypto reads them.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { toHex } from '../../src/bytes/hex.ts';
import { deriveP256PrivateKey } from '../../src/crypto/ecdsa-p256.ts';
import {
  dottedOid,
  encodePrivateKeyPem,
  encodePublicKeyPem,
  readCertificateId,
  readP256Key,
} from '../../src/crypto/keys.ts';
import { KeyError } from '../../src/errors/errors.ts';
import { describeWithVectors, readVectorText, vectorPath } from '../helpers/vectors.ts';

/** Uncompressed point of a PEM as node:crypto sees it. */
function nodePublicPoint(pem: string): string {
  const key = pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem);
  const jwk = key.export({ format: 'jwk' });
  const b64 = (s: string | undefined) => toHex(new Uint8Array(Buffer.from(s ?? '', 'base64url')));
  return `04${b64(jwk.x)}${b64(jwk.y)}`;
}

describeWithVectors('readP256Key on the DCC test PKI', () => {
  const files = readdirSync(vectorPath('gbcs/keys')).filter((f) => f.endsWith('.pem') || f.endsWith('.key'));
  for (const file of files) {
    it(`reads ${file} to the public key node:crypto reads`, () => {
      const pem = readVectorText(`gbcs/keys/${file}`);
      const key = readP256Key(pem);
      expect(toHex(key.publicKey)).toBe(nodePublicPoint(pem));
      expect(key.source).toBe(file.endsWith('.key') ? 'pkcs8' : 'certificate');
    });
  }

  it('derives from the supplier private key the public key of its certificate', () => {
    const priv = readP256Key(readVectorText('gbcs/keys/90b3d51f30010000-ds.key'));
    const cert = readP256Key(readVectorText('gbcs/keys/90b3d51f30010000-ds.pem'));
    expect(priv.privateKey).toHaveLength(32);
    expect(toHex(priv.publicKey)).toBe(toHex(cert.publicKey));
  });
});

it('writes PEM keys that node:crypto reads back to the same point', () => {
  const d = deriveP256PrivateKey('keys test');
  const priv = encodePrivateKeyPem(d);
  const pub = encodePublicKeyPem(readP256Key(priv).publicKey);
  expect(nodePublicPoint(priv)).toBe(toHex(readP256Key(pub).publicKey));
  expect(toHex(readP256Key(priv).privateKey as Uint8Array)).toBe(toHex(d));
});

it('refuses a PEM with no block, with bad base64, or with an RSA key, naming what is wrong', () => {
  expect(() => readP256Key('hello')).toThrow(KeyError);
  expect(() => readP256Key('-----BEGIN PUBLIC KEY-----\n@@@@\n-----END PUBLIC KEY-----')).toThrow(
    /not valid base64/,
  );
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const rsa = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  expect(() => readP256Key(rsa)).toThrow(/not id-ecPublicKey/);
});

it('reads an openssl EC key with its EC PARAMETERS block first, and refuses a key on another curve', () => {
  const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const sec1 = p256.privateKey.export({ type: 'sec1', format: 'pem' }) as string;
  const params = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
  const key = readP256Key(params + sec1);
  expect(key.source).toBe('sec1');
  expect(toHex(key.publicKey)).toBe(nodePublicPoint(sec1));
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  expect(() => readP256Key(k1.privateKey.export({ type: 'sec1', format: 'pem' }) as string)).toThrow(
    /not prime256v1/,
  );
  expect(() => readP256Key(k1.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string)).toThrow(
    /not prime256v1/,
  );
  expect(() => readP256Key(params)).toThrow(/no certificate, public key or private key/);
});

describeWithVectors('readCertificateId on the DCC test PKI', () => {
  it('gives the issuer and serial of every certificate as node:crypto reads them, the issuer in DUIS order', () => {
    const pems = readdirSync(vectorPath('gbcs/keys')).filter((f) => f.endsWith('.pem'));
    expect(pems.length).toBeGreaterThan(5);
    for (const file of pems) {
      const text = readVectorText(`gbcs/keys/${file}`);
      const cert = new X509Certificate(text);
      const id = readCertificateId(text);
      expect(id.serialNumber).toBe(BigInt(`0x${cert.serialNumber}`).toString());
      // node:crypto lists the RDNs first to last, one per line; DUIS writes them last first.
      expect(id.issuerName).toBe(cert.issuer.split('\n').reverse().join(','));
    }
    // The DCC's signing certificate, as DCC Boxed names it in its responses.
    expect(readCertificateId(readVectorText('gbcs/keys/90b3d51f30000002-ds.pem'))).toEqual({
      issuerName: 'CN=Z1,OU=07',
      serialNumber: '117636141832862931915946451229571981153',
    });
  });

  it('refuses a PEM without a certificate', () => {
    expect(() => readCertificateId(readVectorText('gbcs/keys/90b3d51f30010000-ds.key'))).toThrow(
      /no CERTIFICATE/,
    );
  });
});

it('writes an OID in dotted form (X.690 §8.19): prime256v1, an X.520 type, a two-arc start over 80', () => {
  expect(dottedOid(Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07))).toBe(
    '1.2.840.10045.3.1.7',
  );
  expect(dottedOid(Uint8Array.of(0x55, 0x04, 0x03))).toBe('2.5.4.3');
  expect(dottedOid(Uint8Array.of(0x88, 0x37, 0x01))).toBe('2.999.1');
});
