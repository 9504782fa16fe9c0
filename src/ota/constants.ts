/**
 * Constants of the ZigBee OTA Upgrade file format (ZCL r8, §11.4 "OTA File Format") and of
 * the GBCS OTA Upgrade Image trailer (GBCS §11.2, DESIGN.md §2). Definitions are data.
 */

/** Upgrade file identifier, little-endian u32 at offset 0 (ZCL §11.4.2.1). */
export const OTA_FILE_IDENTIFIER = 0x0beef11e;

/** The only header version this format defines (ZCL §11.4.2.2). */
export const OTA_HEADER_VERSION = 0x0100;

/** Length of the header without optional fields (ZCL §11.4.2). */
export const OTA_BASE_HEADER_LENGTH = 56;

/** Length of the OTA header string field. */
export const OTA_HEADER_STRING_LENGTH = 32;

/** Byte offsets of the fixed header fields (ZCL §11.4.2). */
export const OTA_HEADER_OFFSET = {
  identifier: 0,
  headerVersion: 4,
  headerLength: 6,
  fieldControl: 8,
  manufacturerCode: 10,
  imageType: 12,
  fileVersion: 14,
  zigbeeStackVersion: 18,
  headerString: 20,
  totalImageSize: 52,
  optionalFields: 56,
} as const;

/** Header field control bits and the optional fields they announce (ZCL §11.4.2.4). */
export const FIELD_CONTROL = {
  securityCredentialVersion: 0x0001,
  upgradeFileDestination: 0x0002,
  hardwareVersions: 0x0004,
} as const;

/** Field control bits this header version defines; any other bit is reserved. */
export const FIELD_CONTROL_KNOWN_BITS = 0x0007;

/** Length in bytes of each optional header field, in the order they follow the fixed header. */
export const OPTIONAL_FIELD_LENGTH = {
  securityCredentialVersion: 1,
  upgradeFileDestination: 8,
  hardwareVersions: 4,
} as const;

/** Largest declarable file: the total image size is a u32. */
export const MAX_TOTAL_IMAGE_SIZE = 0xffff_ffff;

/** Sub-element tag and length prefix: tag u16, length u32 (ZCL §11.4.3). */
export const SUB_ELEMENT_PREFIX_LENGTH = 6;

/** Sub-element tags (ZCL §11.4.3, Table 11-3). 0xF000–0xFFFF are manufacturer specific. */
export const SUB_ELEMENT_TAG = {
  upgradeImage: 0x0000,
  ecdsaSignatureSuite1: 0x0001,
  ecdsaSigningCertificateSuite1: 0x0002,
  imageIntegrityCode: 0x0003,
  pictureData: 0x0004,
  ecdsaSignatureSuite2: 0x0005,
  ecdsaSigningCertificateSuite2: 0x0006,
} as const;

/** Name of a sub-element tag. */
export type SubElementTagName = keyof typeof SUB_ELEMENT_TAG;

/** First manufacturer-specific tag. */
export const MANUFACTURER_TAG_FIRST = 0xf000;

/** The readable name of a tag, `manufacturerSpecific` for 0xF000–0xFFFF, `reserved` otherwise. */
export function subElementTagName(tag: number): SubElementTagName | 'manufacturerSpecific' | 'reserved' {
  for (const [name, value] of Object.entries(SUB_ELEMENT_TAG))
    if (value === tag) return name as SubElementTagName;
  return tag >= MANUFACTURER_TAG_FIRST ? 'manufacturerSpecific' : 'reserved';
}

/**
 * The GBCS trailer after the Manufacturer Image: one flag byte, the length byte 0x40, and a
 * 64-byte ECDSA P-256 signature r‖s by the supplier (DESIGN.md §2; the DCC sample's flag is 0x00).
 */
export const GBCS_TRAILER = {
  /** Whole trailer: flag, length byte, signature. */
  length: 66,
  /** Offset of the length byte after the flag byte. */
  lengthByteOffset: 1,
  /** Offset of the signature after the flag byte. */
  signatureOffset: 2,
  signatureLengthByte: 0x40,
  signatureLength: 64,
} as const;

/** Flag byte hanota writes before the signature (the DCC sample's value). */
export const GBCS_SIGNATURE_FLAG = 0x00;
