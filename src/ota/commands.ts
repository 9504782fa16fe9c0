/**
 * The OTA Upgrade cluster's commands as data (ZCL r8 §11.13, DESIGN.md §2): command ids,
 * statuses, field-control bits, the client's ImageUpgradeStatus values, and the typed command
 * records the hub and devices exchange. Encoding to bytes is the frame codec's job.
 */

/** Command identifiers. Client → server: 0x01, 0x03, 0x04, 0x06, 0x08; server → client: the rest. */
export const OTA_COMMAND_ID = {
  imageNotify: 0x00,
  queryNextImageRequest: 0x01,
  queryNextImageResponse: 0x02,
  imageBlockRequest: 0x03,
  imagePageRequest: 0x04,
  imageBlockResponse: 0x05,
  upgradeEndRequest: 0x06,
  upgradeEndResponse: 0x07,
  queryDeviceSpecificFileRequest: 0x08,
  queryDeviceSpecificFileResponse: 0x09,
} as const;

/**
 * ZCL general commands the OTA cluster's peers exchange besides its own (ZCL r8 §2.5): the
 * Default Response, with which a server answers a failed Upgrade End Request and a command it
 * does not support (ZCL r8 §11.13.9.4, §2.5.12).
 */
export const ZCL_GLOBAL_COMMAND_ID = {
  defaultResponse: 0x0b,
} as const;

/** A command name: the cluster's own, or a general command sent within it. */
export type OtaCommandName = keyof typeof OTA_COMMAND_ID | keyof typeof ZCL_GLOBAL_COMMAND_ID;

/** ZCL statuses the OTA cluster uses (ZCL r8 §2.6.3). */
export const ZCL_STATUS = {
  SUCCESS: 0x00,
  NOT_AUTHORIZED: 0x7e,
  MALFORMED_COMMAND: 0x80,
  UNSUP_COMMAND: 0x81,
  ABORT: 0x95,
  INVALID_IMAGE: 0x96,
  WAIT_FOR_DATA: 0x97,
  NO_IMAGE_AVAILABLE: 0x98,
  REQUIRE_MORE_IMAGE: 0x99,
} as const;

/** A status name. */
export type ZclStatusName = keyof typeof ZCL_STATUS;

/** The client's ImageUpgradeStatus attribute (ZCL r8 §11.10.7). */
export const IMAGE_UPGRADE_STATUS = {
  normal: 0,
  downloadInProgress: 1,
  downloadComplete: 2,
  waitingToUpgrade: 3,
  countDown: 4,
  waitForMore: 5,
  waitingToUpgradeViaExternalEvent: 6,
} as const;

/** An ImageUpgradeStatus name. */
export type ImageUpgradeStatusName = keyof typeof IMAGE_UPGRADE_STATUS;

/** Image Notify payload types (ZCL r8 §11.13.3.2): which fields follow the query jitter. */
export const IMAGE_NOTIFY_PAYLOAD = {
  jitter: 0x00,
  jitterManufacturer: 0x01,
  jitterManufacturerImageType: 0x02,
  jitterManufacturerImageTypeVersion: 0x03,
} as const;

/** Upgrade time meaning "wait for a later Upgrade End Response" (ZCL r8 §11.13.9.6). */
export const UPGRADE_TIME_WAIT = 'wait' as const;

/** Wildcards in Image Notify and queries (ZCL r8 §11.13.3). */
export const OTA_WILDCARD = {
  manufacturerCode: 0xffff,
  imageType: 0xffff,
  fileVersion: 0xffff_ffff,
} as const;

/** The identity of an image: what queries, block requests and end requests name. */
export interface ImageId {
  readonly manufacturerCode: number;
  readonly imageType: number;
  readonly fileVersion: number;
}

/** Every OTA command, by name, with its fields. Times are UTC seconds (ZCL UTCTime). */
export type OtaCommand =
  | ({
      readonly name: 'imageNotify';
      readonly payloadType: number;
      readonly queryJitter: number;
    } & Partial<ImageId>)
  | ({ readonly name: 'queryNextImageRequest'; readonly hardwareVersion?: number } & ImageId)
  | ({
      readonly name: 'queryNextImageResponse';
      readonly status: 'SUCCESS';
      readonly imageSize: number;
    } & ImageId)
  | { readonly name: 'queryNextImageResponse'; readonly status: 'NO_IMAGE_AVAILABLE' | 'NOT_AUTHORIZED' }
  | ({
      readonly name: 'imageBlockRequest';
      readonly fileOffset: number;
      readonly maximumDataSize: number;
      readonly requestNodeIeeeAddress?: string;
      readonly minimumBlockPeriod?: number;
    } & ImageId)
  | ({
      readonly name: 'imagePageRequest';
      readonly fileOffset: number;
      readonly maximumDataSize: number;
      readonly pageSize: number;
      readonly responseSpacing: number;
      readonly requestNodeIeeeAddress?: string;
    } & ImageId)
  | ({
      readonly name: 'imageBlockResponse';
      readonly status: 'SUCCESS';
      readonly fileOffset: number;
      readonly data: Uint8Array;
    } & ImageId)
  | {
      readonly name: 'imageBlockResponse';
      readonly status: 'WAIT_FOR_DATA';
      readonly currentTime: number;
      readonly requestTime: number;
      readonly minimumBlockPeriod: number;
    }
  /** ABORT: the server ends the download; NO_IMAGE_AVAILABLE: it holds no such image (ZCL r8 §11.13.8.2). */
  | { readonly name: 'imageBlockResponse'; readonly status: 'ABORT' }
  | { readonly name: 'imageBlockResponse'; readonly status: 'NO_IMAGE_AVAILABLE' }
  | ({
      readonly name: 'upgradeEndRequest';
      readonly status: 'SUCCESS' | 'INVALID_IMAGE' | 'REQUIRE_MORE_IMAGE' | 'ABORT';
    } & ImageId)
  | ({
      readonly name: 'upgradeEndResponse';
      readonly currentTime: number;
      /** UTC seconds, or `wait` (0xFFFFFFFF on the wire). */
      readonly upgradeTime: number | typeof UPGRADE_TIME_WAIT;
    } & ImageId)
  | ({
      readonly name: 'queryDeviceSpecificFileRequest';
      readonly requestNodeIeeeAddress: string;
      readonly zigbeeStackVersion: number;
    } & ImageId)
  | ({
      readonly name: 'queryDeviceSpecificFileResponse';
      readonly status: 'SUCCESS';
      readonly imageSize: number;
    } & ImageId)
  | {
      readonly name: 'queryDeviceSpecificFileResponse';
      readonly status: 'NO_IMAGE_AVAILABLE' | 'NOT_AUTHORIZED';
    }
  /** ZCL Default Response (general command 0x0B), server to client: the command it answers and how. */
  | { readonly name: 'defaultResponse'; readonly commandId: number; readonly status: ZclStatusName };

/** A ZCL frame of the OTA cluster: the transaction sequence number and the command. */
export interface OtaFrame {
  readonly transactionSequence: number;
  readonly command: OtaCommand;
  /**
   * Sent to the network's broadcast address rather than to the device: how it was delivered, not
   * part of the ZCL frame (the codec neither writes nor reads it). A client answers a unicast
   * Image Notify always, a broadcast one as its query jitter says (ZCL r8 §11.13.3.4).
   */
  readonly broadcast?: boolean;
}

/** True when two image identities are equal. */
export function sameImage(a: ImageId, b: ImageId): boolean {
  return (
    a.manufacturerCode === b.manufacturerCode &&
    a.imageType === b.imageType &&
    a.fileVersion === b.fileVersion
  );
}
