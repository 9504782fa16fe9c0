/**
 * P-256 keys from PEM text: X.509 certificates (RFC 5280), SubjectPublicKeyInfo public keys
 * (RFC 5480), PKCS#8 (RFC 5208) and SEC 1 (RFC 5915) private keys; and the reverse for the
 * keys hanota generates. Only id-ecPublicKey on prime256v1 is accepted: GBCS uses nothing else.
 */
import { ByteReader } from '../bytes/byte-reader.ts';
import { DER_TAG, type DerNode, derContents, encodeDer, expectDer, readDer } from '../bytes/der.ts';
import { bytesEqual } from '../bytes/hex.ts';
import { DecodeError, KeyError } from '../errors/errors.ts';
import { isP256PrivateKey, isP256PublicKey, publicKeyOf } from './ecdsa-p256.ts';

/** DER of OID 1.2.840.10045.2.1 (id-ecPublicKey). */
const OID_EC_PUBLIC_KEY = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);
/** DER of OID 1.2.840.10045.3.1.7 (prime256v1 / secp256r1). */
const OID_PRIME256V1 = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07);

/** Where a key came from. */
export type KeySource = 'certificate' | 'spki' | 'pkcs8' | 'sec1';

/** A P-256 key pair or public key. */
export interface P256Key {
  readonly source: KeySource;
  /** Uncompressed SEC 1 point, 65 bytes. */
  readonly publicKey: Uint8Array;
  /** Private scalar, 32 bytes, when the PEM held one. */
  readonly privateKey?: Uint8Array;
}

/** One PEM block. */
export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

const KEY_LABELS: ReadonlySet<string> = new Set([
  'CERTIFICATE',
  'PUBLIC KEY',
  'PRIVATE KEY',
  'EC PRIVATE KEY',
]);

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in `text`, in order. Throws a `KeyError` when there is none. */
export function parsePem(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(PEM_BLOCK)) {
    const label = match[1] as string;
    const body = (match[2] as string).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) {
      throw new KeyError('PEM_BASE64', `PEM ${label}: the body is not valid base64`);
    }
    blocks.push({ label, der: Uint8Array.from(atob(body), (c) => c.charCodeAt(0)) });
  }
  if (blocks.length === 0) throw new KeyError('PEM_MISSING', 'PEM: no -----BEGIN ...----- block found');
  return blocks;
}

/** The first P-256 key in PEM `text` (certificate, public key or private key). */
export function readP256Key(text: string): P256Key {
  const blocks = parsePem(text);
  // Other blocks (EC PARAMETERS before an EC PRIVATE KEY, as openssl writes them) are skipped.
  const block = blocks.find((b) => KEY_LABELS.has(b.label));
  if (!block) {
    throw new KeyError(
      'PEM_LABEL',
      `PEM: no certificate, public key or private key among the blocks (${blocks.map((b) => b.label).join(', ')})`,
    );
  }
  try {
    switch (block.label) {
      case 'CERTIFICATE':
        return { source: 'certificate', publicKey: publicKeyOfCertificate(block.der) };
      case 'PUBLIC KEY':
        return { source: 'spki', publicKey: readSpki(readDer(der(block.der), 'SubjectPublicKeyInfo')) };
      case 'PRIVATE KEY':
        return withPublic('pkcs8', readPkcs8(block.der));
      case 'EC PRIVATE KEY':
        return withPublic('sec1', readSec1(readDer(der(block.der), 'ECPrivateKey')));
      default:
        throw new KeyError(
          'PEM_LABEL',
          `PEM: '${block.label}' is not a certificate, public key or private key`,
        );
    }
  } catch (error) {
    if (error instanceof DecodeError) {
      throw new KeyError('KEY_DER', `PEM ${block.label}: ${error.message} (DER offset ${error.offset})`);
    }
    throw error;
  }
}

function der(bytes: Uint8Array): ByteReader {
  return new ByteReader(bytes, { littleEndian: false });
}

function withPublic(source: KeySource, privateKey: Uint8Array): P256Key {
  if (!isP256PrivateKey(privateKey))
    throw new KeyError('KEY_RANGE', `${source} private key: not a valid P-256 scalar`);
  return { source, privateKey, publicKey: publicKeyOf(privateKey) };
}

/** Attribute types of X.520 names, by the DER of their OID (2.5.4.x), as RFC 4514 names them. */
const NAME_ATTRIBUTES: Readonly<Record<string, string>> = {
  '550403': 'CN',
  '550406': 'C',
  '550407': 'L',
  '550408': 'ST',
  '55040a': 'O',
  '55040b': 'OU',
};

/** An OID's dotted form (X.690 §8.19: the first byte holds two arcs, then base-128 arcs). */
export function dottedOid(bytes: Uint8Array): string {
  const arcs: number[] = [];
  let arc = 0;
  for (const b of bytes) {
    arc = arc * 128 + (b & 0x7f);
    if (b & 0x80) continue;
    if (arcs.length === 0)
      arcs.push(Math.min(2, Math.floor(arc / 40)), arc - Math.min(2, Math.floor(arc / 40)) * 40);
    else arcs.push(arc);
    arc = 0;
  }
  return arcs.join('.');
}

/** An X.509 certificate's issuer and serial number: what an XML-DSig `X509IssuerSerial` names. */
export interface CertificateId {
  /**
   * The issuer, last RDN first, without spaces (`CN=Z1,OU=07`, as DCC Boxed writes it): RFC 4514's
   * order, but values are not escaped and an attribute type hanota does not name is written as its
   * dotted OID — enough for the DCC test PKI's names, not every issuer's.
   */
  readonly issuerName: string;
  /** The serial number, decimal. */
  readonly serialNumber: string;
}

/** The issuer and serial number of the first certificate in PEM `text`. */
export function readCertificateId(text: string): CertificateId {
  const block = parsePem(text).find((b) => b.label === 'CERTIFICATE');
  if (!block) throw new KeyError('PEM_LABEL', 'PEM: no CERTIFICATE block');
  try {
    const certificate = derContents(expectDer(der(block.der), DER_TAG.SEQUENCE, 'Certificate'));
    const tbs = derContents(expectDer(certificate, DER_TAG.SEQUENCE, 'tbsCertificate'));
    let node = readDer(tbs, 'tbsCertificate.version');
    if (node.tag === DER_TAG.CONTEXT_0) node = readDer(tbs, 'tbsCertificate.serialNumber');
    let serial = 0n;
    for (const b of node.value) serial = (serial << 8n) | BigInt(b);
    readDer(tbs, 'tbsCertificate.signature');
    const issuer = derContents(expectDer(tbs, DER_TAG.SEQUENCE, 'tbsCertificate.issuer'));
    const rdns: string[] = [];
    while (issuer.remaining > 0) {
      const set = derContents(readDer(issuer, 'issuer RDN'));
      const parts: string[] = [];
      while (set.remaining > 0) {
        const attribute = derContents(expectDer(set, DER_TAG.SEQUENCE, 'issuer attribute'));
        const oidBytes = expectDer(attribute, DER_TAG.OID, 'attribute type').value;
        const oid = Array.from(oidBytes, (b) => b.toString(16).padStart(2, '0')).join('');
        const value = new TextDecoder().decode(readDer(attribute, 'attribute value').value);
        parts.push(`${NAME_ATTRIBUTES[oid] ?? dottedOid(oidBytes)}=${value}`);
      }
      rdns.push(parts.join('+'));
    }
    return { issuerName: rdns.reverse().join(','), serialNumber: serial.toString() };
  } catch (error) {
    if (error instanceof DecodeError)
      throw new KeyError('KEY_DER', `PEM CERTIFICATE: ${error.message} (DER offset ${error.offset})`);
    throw error;
  }
}

function publicKeyOfCertificate(bytes: Uint8Array): Uint8Array {
  const certificate = derContents(expectDer(der(bytes), DER_TAG.SEQUENCE, 'Certificate'));
  const tbs = derContents(expectDer(certificate, DER_TAG.SEQUENCE, 'tbsCertificate'));
  let node = readDer(tbs, 'tbsCertificate.version');
  if (node.tag === DER_TAG.CONTEXT_0) node = readDer(tbs, 'tbsCertificate.serialNumber');
  for (const field of ['signature', 'issuer', 'validity', 'subject']) readDer(tbs, `tbsCertificate.${field}`);
  return readSpki(expectDer(tbs, DER_TAG.SEQUENCE, 'tbsCertificate.subjectPublicKeyInfo'));
}

function checkAlgorithm(algorithm: DerNode, field: string): void {
  const parts = derContents(algorithm);
  const oid = expectDer(parts, DER_TAG.OID, `${field}.algorithm`);
  if (!bytesEqual(oid.value, OID_EC_PUBLIC_KEY)) {
    throw new KeyError(
      'KEY_ALGORITHM',
      `${field}.algorithm: not id-ecPublicKey (only P-256 keys are used in GBCS)`,
    );
  }
  const curve = expectDer(parts, DER_TAG.OID, `${field}.parameters`);
  if (!bytesEqual(curve.value, OID_PRIME256V1)) {
    throw new KeyError('KEY_CURVE', `${field}.parameters: the curve is not prime256v1 (P-256)`);
  }
}

function readSpki(spki: DerNode): Uint8Array {
  const parts = derContents(spki);
  checkAlgorithm(
    expectDer(parts, DER_TAG.SEQUENCE, 'SubjectPublicKeyInfo.algorithm'),
    'SubjectPublicKeyInfo',
  );
  const bits = expectDer(parts, DER_TAG.BIT_STRING, 'SubjectPublicKeyInfo.subjectPublicKey');
  const point = bits.value.subarray(1);
  if (bits.value[0] !== 0 || !isP256PublicKey(point)) {
    throw new KeyError(
      'KEY_POINT',
      'SubjectPublicKeyInfo.subjectPublicKey: not an uncompressed point on P-256',
    );
  }
  return point;
}

function readPkcs8(bytes: Uint8Array): Uint8Array {
  const parts = derContents(expectDer(der(bytes), DER_TAG.SEQUENCE, 'PrivateKeyInfo'));
  expectDer(parts, DER_TAG.INTEGER, 'PrivateKeyInfo.version');
  checkAlgorithm(expectDer(parts, DER_TAG.SEQUENCE, 'PrivateKeyInfo.privateKeyAlgorithm'), 'PrivateKeyInfo');
  const inner = expectDer(parts, DER_TAG.OCTET_STRING, 'PrivateKeyInfo.privateKey');
  return readSec1(readDer(new ByteReader(inner.value, { littleEndian: false }), 'ECPrivateKey'));
}

function readSec1(node: DerNode): Uint8Array {
  const parts = derContents(node);
  expectDer(parts, DER_TAG.INTEGER, 'ECPrivateKey.version');
  const privateKey = expectDer(parts, DER_TAG.OCTET_STRING, 'ECPrivateKey.privateKey').value;
  // The optional [0] parameters name the curve; a key on any other curve is refused, not
  // reinterpreted as a P-256 scalar.
  if (parts.remaining > 0) {
    const next = readDer(parts, 'ECPrivateKey.parameters');
    if (next.tag === DER_TAG.CONTEXT_0) {
      const curve = expectDer(derContents(next), DER_TAG.OID, 'ECPrivateKey.parameters');
      if (!bytesEqual(curve.value, OID_PRIME256V1)) {
        throw new KeyError('KEY_CURVE', 'ECPrivateKey.parameters: the curve is not prime256v1 (P-256)');
      }
    }
  }
  return privateKey;
}

function algorithmIdentifier(): Uint8Array {
  return encodeDer(
    DER_TAG.SEQUENCE,
    encodeDer(DER_TAG.OID, OID_EC_PUBLIC_KEY),
    encodeDer(DER_TAG.OID, OID_PRIME256V1),
  );
}

function pem(label: string, bytes: Uint8Array): string {
  const base64 = btoa(String.fromCharCode(...bytes));
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** PEM "PUBLIC KEY" (SubjectPublicKeyInfo) of an uncompressed P-256 point. */
export function encodePublicKeyPem(publicKey: Uint8Array): string {
  if (!isP256PublicKey(publicKey))
    throw new KeyError('KEY_POINT', 'publicKey: not an uncompressed point on P-256');
  const bits = encodeDer(DER_TAG.BIT_STRING, Uint8Array.of(0), publicKey);
  return pem('PUBLIC KEY', encodeDer(DER_TAG.SEQUENCE, algorithmIdentifier(), bits));
}

/** PEM "PRIVATE KEY" (PKCS#8 wrapping SEC 1, public key included) of a P-256 scalar. */
export function encodePrivateKeyPem(privateKey: Uint8Array): string {
  if (!isP256PrivateKey(privateKey)) throw new KeyError('KEY_RANGE', 'privateKey: not a valid P-256 scalar');
  const publicKey = encodeDer(
    DER_TAG.CONTEXT_1,
    encodeDer(DER_TAG.BIT_STRING, Uint8Array.of(0), publicKeyOf(privateKey)),
  );
  const ecPrivateKey = encodeDer(
    DER_TAG.SEQUENCE,
    encodeDer(DER_TAG.INTEGER, Uint8Array.of(1)),
    encodeDer(DER_TAG.OCTET_STRING, privateKey),
    publicKey,
  );
  const info = encodeDer(
    DER_TAG.SEQUENCE,
    encodeDer(DER_TAG.INTEGER, Uint8Array.of(0)),
    algorithmIdentifier(),
    encodeDer(DER_TAG.OCTET_STRING, ecPrivateKey),
  );
  return pem('PRIVATE KEY', info);
}
