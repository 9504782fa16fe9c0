/**
 * XML-DSig on DUIS documents (DUIS §3.2.2: every request signed by the user, every response by
 * the DCC), through xml-crypto: an enveloped signature over the whole document (`Reference
 * URI=""`), exclusive C14N of SignedInfo, SHA-256 digest, ECDSA P-256/SHA-256 (`xmldsig-more#
 * ecdsa-sha256`, the signature value r‖s as RFC 4050 has it) and a `KeyInfo` naming the signer's
 * certificate by issuer and serial number — the form of DCC Boxed's templates and of the DCC's
 * own signed responses. The ECDSA itself is `crypto/ecdsa-p256.ts` (explicit options, high-S
 * accepted). The only file that imports xml-crypto and @xmldom/xmldom.
 */
import { DOMParser, XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { fromBase64, toBase64 } from '../bytes/base64.ts';
import { signP256, verifyP256 } from '../crypto/ecdsa-p256.ts';
import { DUIS_NS } from './xml.ts';

/** The algorithms of a DUIS signature. */
export const DUIS_SIGNATURE = {
  method: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  canonicalization: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  enveloped: 'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
  digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
} as const;

/** ECDSA P-256/SHA-256 for xml-crypto, keys as raw bytes (65-byte public point, 32-byte scalar). */
class EcdsaP256Sha256 {
  getSignature(signedInfo: string, privateKey: Uint8Array): string {
    return toBase64(signP256(new TextEncoder().encode(signedInfo), privateKey));
  }

  verifySignature(material: string, publicKey: Uint8Array, signatureValue: string): boolean {
    let signature: Uint8Array;
    try {
      signature = fromBase64(signatureValue, 'SignatureValue');
    } catch {
      return false;
    }
    return verifyP256(signature, new TextEncoder().encode(material), publicKey);
  }

  getAlgorithmName(): string {
    return DUIS_SIGNATURE.method;
  }
}

/** What checking a document's signature found. */
export type SignatureCheck =
  | { readonly status: 'valid' }
  | { readonly status: 'invalid'; readonly reason: string }
  | { readonly status: 'unsigned' };

function withEcdsa(sig: SignedXml): SignedXml {
  (sig.SignatureAlgorithms as Record<string, unknown>)[DUIS_SIGNATURE.method] = EcdsaP256Sha256;
  return sig;
}

/** Checks the enveloped signature of a DUIS document against the signer's public key (65 bytes). */
export function checkDuisSignature(xml: string, publicKey: Uint8Array): SignatureCheck {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  const signature = Array.from(root?.childNodes ?? [])
    .map((n) => n as unknown as Element)
    .find((n) => n.namespaceURI === DUIS_NS.ds && n.localName === 'Signature');
  if (!signature) return { status: 'unsigned' };
  const sig = withEcdsa(
    new SignedXml({ publicCert: Buffer.from(publicKey), getCertFromKeyInfo: () => null }),
  );
  try {
    sig.loadSignature(signature as unknown as Node);
    if (sig.signatureAlgorithm !== DUIS_SIGNATURE.method)
      return {
        status: 'invalid',
        reason: `signature method ${sig.signatureAlgorithm}, expected ECDSA P-256/SHA-256`,
      };
    return sig.checkSignature(xml)
      ? { status: 'valid' }
      : { status: 'invalid', reason: 'the signature does not verify' };
  } catch (error) {
    const message = (error as Error).message.replace(/\s+/g, ' ').trim();
    // xml-crypto throws for a signature value that does not verify, quoting the whole value.
    if (/^invalid signature: the signature value/.test(message))
      return { status: 'invalid', reason: 'the signature does not verify' };
    return { status: 'invalid', reason: message };
  }
}

/** Who signs: the private key and the certificate `KeyInfo` names. */
export interface DuisSigner {
  readonly privateKey: Uint8Array;
  /** The certificate's issuer, as DUIS writes it (`CN=Z1,OU=07`). */
  readonly issuerName: string;
  /** The certificate's serial number, decimal. */
  readonly serialNumber: string;
}

/** The document without the enveloped signature of its root (a template's placeholder), as text. */
export function withoutSignature(xml: string): string {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = doc.documentElement;
  const signatures = Array.from(root?.childNodes ?? [])
    .map((n) => n as unknown as Element)
    .filter((n) => n.namespaceURI === DUIS_NS.ds && n.localName === 'Signature');
  if (signatures.length === 0) return xml;
  for (const s of signatures) {
    // The whitespace before it goes with it.
    const before = s.previousSibling;
    if (before && before.nodeType === 3 && /^\s*$/.test(before.nodeValue ?? ''))
      root?.removeChild(before as never);
    root?.removeChild(s as never);
  }
  return new XMLSerializer().serializeToString(doc);
}

/**
 * The document with an enveloped signature appended to its root, as the DCC signs its responses
 * and a user its requests; a signature it already has (a template's placeholder) is replaced.
 */
export function signDuisDocument(input: string, signer: DuisSigner): string {
  const xml = withoutSignature(input);
  const sig = withEcdsa(
    new SignedXml({
      privateKey: Buffer.from(signer.privateKey),
      signatureAlgorithm: DUIS_SIGNATURE.method,
      canonicalizationAlgorithm: DUIS_SIGNATURE.canonicalization,
    }),
  );
  sig.addReference({
    xpath: '/*',
    transforms: [DUIS_SIGNATURE.enveloped],
    digestAlgorithm: DUIS_SIGNATURE.digest,
    uri: '',
    isEmptyUri: true,
  });
  sig.getKeyInfoContent = () =>
    `<ds:X509Data><ds:X509IssuerSerial><ds:X509IssuerName>${signer.issuerName}</ds:X509IssuerName><ds:X509SerialNumber>${signer.serialNumber}</ds:X509SerialNumber></ds:X509IssuerSerial></ds:X509Data>`;
  sig.computeSignature(xml, { prefix: 'ds', location: { reference: '/*', action: 'append' } });
  return sig.getSignedXml();
}
