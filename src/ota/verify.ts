/**
 * `image verify`: every check hanota can make of an OTA file, as values. Structure (the file
 * parsed), the Image Integrity Code (ZigBee files), and the signature: the GBCS supplier
 * signature when a key is given. ZigBee Smart Energy signature sub-elements (crypto suites 1
 * and 2, ECQV certificates on sect163k1/sect283k1) are reported as not checked, never as valid.
 */
import { hexNumber, toHex } from '../bytes/hex.ts';
import { SUB_ELEMENT_TAG } from './constants.ts';
import { verifyGbcsSignature } from './gbcs-signature.ts';
import type { OtaImage } from './image.ts';
import { checkIntegrityCodes } from './integrity.ts';

/** Outcome of one check. `unchecked`: present but not verifiable here (the detail says why). */
export type CheckStatus = 'pass' | 'fail' | 'absent' | 'unchecked';

/** One check and its outcome. */
export interface CheckResult {
  readonly check: 'structure' | 'integrityCode' | 'signature';
  readonly status: CheckStatus;
  readonly detail: string;
}

/** All checks of one file; `ok` is false when any check failed. */
export interface VerifyResult {
  readonly ok: boolean;
  readonly checks: readonly CheckResult[];
}

/** Options of `verifyImage`. */
export interface VerifyOptions {
  /** The supplier's P-256 public key (uncompressed), for GBCS images. */
  readonly publicKey?: Uint8Array;
  /** Fail, rather than report, a signature that is absent or cannot be checked. */
  readonly requireSignature?: boolean;
}

const SE_SIGNATURE_TAGS: ReadonlySet<number> = new Set([
  SUB_ELEMENT_TAG.ecdsaSignatureSuite1,
  SUB_ELEMENT_TAG.ecdsaSignatureSuite2,
]);

function integrityCheck(image: OtaImage): CheckResult {
  if (image.format === 'gbcs') {
    return {
      check: 'integrityCode',
      status: 'absent',
      detail: 'GBCS images carry no integrity code sub-element',
    };
  }
  const results = checkIntegrityCodes(image);
  if (results.length === 0)
    return { check: 'integrityCode', status: 'absent', detail: 'no tag 0x0003 sub-element' };
  const failed = results.find((r) => r.status === 'invalid');
  if (failed) {
    const computed = failed.computed ? `, computed ${toHex(failed.computed)}` : '';
    return {
      check: 'integrityCode',
      status: 'fail',
      detail: `${failed.reason} at offset ${failed.offset} (expected ${toHex(failed.expected)}${computed})`,
    };
  }
  const unchecked = results.find((r) => r.status === 'unchecked');
  if (unchecked) {
    return {
      check: 'integrityCode',
      status: 'unchecked',
      detail: `${unchecked.reason} at offset ${unchecked.offset}`,
    };
  }
  const coverage = results.map((r) =>
    r.coverage === 'beforeElement' ? 'bytes before the sub-element' : 'bytes before its value',
  );
  return {
    check: 'integrityCode',
    status: 'pass',
    detail: `AES-MMO matches over the ${coverage.join(', ')}`,
  };
}

function signatureCheck(image: OtaImage, publicKey: Uint8Array | undefined): CheckResult {
  if (image.format === 'zigbee') {
    const signed = image.elements.filter((e) => SE_SIGNATURE_TAGS.has(e.tag));
    if (signed.length === 0)
      return { check: 'signature', status: 'absent', detail: 'no signature sub-element' };
    return {
      check: 'signature',
      status: 'unchecked',
      detail: `Smart Energy ECDSA signature sub-element (tag ${hexNumber(signed[0]?.tag ?? 0, 4)}) present; ECQV certificate signatures are not verified by hanota`,
    };
  }
  if (!image.signature)
    return { check: 'signature', status: 'absent', detail: 'unsigned GBCS image (PPMID/IHD form)' };
  if (!publicKey)
    return { check: 'signature', status: 'unchecked', detail: 'signed, but no key or certificate given' };
  return verifyGbcsSignature(image, publicKey)
    ? {
        check: 'signature',
        status: 'pass',
        detail: 'supplier ECDSA P-256 signature over the Manufacturer Image verifies',
      }
    : {
        check: 'signature',
        status: 'fail',
        detail: 'supplier signature does not verify under the given key',
      };
}

function structureCheck(image: OtaImage): CheckResult {
  const { minimumHardwareVersion: min, maximumHardwareVersion: max } = image.header;
  if (min !== undefined && max !== undefined && min > max) {
    return {
      check: 'structure',
      status: 'fail',
      detail: `minimumHardwareVersion ${hexNumber(min, 4)} is above maximumHardwareVersion ${hexNumber(max, 4)}: no hardware can take this image`,
    };
  }
  const notes = [
    ...(image.trailingBytes > 0 ? [`${image.trailingBytes} bytes after the declared total size`] : []),
    ...(image.format === 'gbcs' && image.form === 'detected'
      ? [`${image.signature ? 'signed' : 'unsigned'} form detected from the last bytes`]
      : []),
  ];
  return { check: 'structure', status: 'pass', detail: [`${image.format} file parses`, ...notes].join('; ') };
}

/** Runs every check on a parsed image (parsing it was most of the structure check). */
export function verifyImage(image: OtaImage, options: VerifyOptions = {}): VerifyResult {
  const signature = signatureCheck(image, options.publicKey);
  const checks: CheckResult[] = [
    structureCheck(image),
    integrityCheck(image),
    options.requireSignature && (signature.status === 'absent' || signature.status === 'unchecked')
      ? { ...signature, status: 'fail', detail: `${signature.detail} (a verified signature is required)` }
      : signature,
  ];
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}
