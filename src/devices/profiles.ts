/**
 * Device profiles (DESIGN.md §1 "Devices"): what distinguishes the OTA clients of the five
 * HAN device types. ESME and HCALCS are mains-powered routers, always awake; GSME is a sleepy
 * battery device reached through the hub's GPF; IHD and PPMID are consumer displays whose
 * Query Next Image Request may omit the hardware version. GBCS devices (ESME, GSME, HCALCS)
 * take signed GBCS images and wait for CS06 to activate; IHD and PPMID activate through the
 * hub's Upgrade End Response.
 */

/** The HAN device types that run an OTA client. */
export const DEVICE_TYPES = ['ESME', 'GSME', 'IHD', 'PPMID', 'HCALCS'] as const;
/** A HAN device type. */
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** How a device type behaves as an OTA client. */
export interface DeviceProfile {
  readonly deviceType: DeviceType;
  /** Battery powered, awake only on its schedule. */
  readonly sleepy: boolean;
  /** Whether the Query Next Image Request may leave out the hardware version. */
  readonly hardwareVersionOptional: boolean;
  /** Activation needs a GBCS CS06 command (ESME, GSME, HCALCS), else the hub's Upgrade End Response. */
  readonly gbcsActivation: boolean;
  /** Largest block the device asks for (Image Block Request maximumDataSize). */
  readonly maxDataSize: number;
  /** Upper bound of the random delay before answering an Image Notify, ms. */
  readonly queryJitterMs: number;
  /**
   * How long the device waits for a response before retrying, ms. Silicon Labs' OTA client:
   * 3 s (`MESSAGE_TIMEOUT_MS`, ota-client.c).
   */
  readonly responseTimeoutMs: number;
  /**
   * Consecutive unanswered requests before it aborts the download; at its end, unanswered Upgrade
   * End Requests before it applies the image anyway (or, GBCS, holds it for CS06), as Silicon Labs'
   * client does after `UPGRADE_WAIT_THRESHOLD` of them.
   */
  readonly maxRetries: number;
  /**
   * How often the device queries the hub while at rest, s: after "no image", after an aborted or
   * refused download, after an activation, and from power-on on. Silicon Labs' OTA client queries
   * every 5 minutes (`SL_ZIGBEE_AF_PLUGIN_OTA_CLIENT_QUERY_DELAY_MINUTES`, ota-client-config.h)
   * and, after a failed download, waits the same delay before it queries again (ota-client.c,
   * `queryNextImage(DELAY_BEFORE_SEND_QUERY)`). Scenarios override it per device, campaign
   * policies per device type.
   */
  readonly queryIntervalS: number;
  /** Awake time and interval of a sleepy device, s. */
  readonly wake?: { readonly intervalS: number; readonly awakeS: number };
  /**
   * Offered an older image than it runs (a downgrade): download it, or refuse it at once with an
   * Upgrade End Request INVALID_IMAGE, downloading nothing. Silicon Labs' OTA client accepts
   * downgrades unless `disableOtaDowngrades` is set, and then refuses this way (ota-client.c,
   * `queryNextImageResponseParse`).
   */
  readonly downgrade: 'accept' | 'refuse';
  /**
   * Offered the version it runs (a reinstall): take it as no new image, as Silicon Labs' OTA client
   * does ("returned same FileVersion as currently installed"), or download it again.
   */
  readonly reinstall: 'ignore' | 'accept';
  /**
   * Fetch the image a page at a time (Image Page Requests, ZCL r8 §11.13.7) instead of a block at
   * a time; absent: block requests, as Silicon Labs' OTA client by default
   * (`SL_ZIGBEE_AF_PLUGIN_OTA_CLIENT_USE_PAGE_REQUEST` false).
   */
  readonly pageRequests?: PageRequests;
}

/**
 * How a device asks for pages. A page not complete after `timeoutS` has its missing blocks asked
 * for with Image Block Requests, as Silicon Labs' client does (ota-client-config.h).
 */
export interface PageRequests {
  readonly pageSize: number;
  /** The Response Spacing asked of the hub, ms. */
  readonly responseSpacingMs: number;
  readonly timeoutS: number;
}

/**
 * Silicon Labs' OTA client's page settings: 1024-byte pages (`PAGE_REQUEST_SIZE`), 50 ms between
 * responses (`SL_ZIGBEE_AF_OTA_CLIENT_PAGE_REQUEST_SPACING_MS`), 5 s for a page
 * (`PAGE_REQUEST_TIMEOUT_SECONDS`).
 */
export const SILABS_PAGE_REQUESTS: PageRequests = { pageSize: 1024, responseSpacingMs: 50, timeoutS: 5 };

/**
 * Silicon Labs' OTA client's defaults (simplicity_sdk, ota-client-config.h and ota-client.c):
 * a 3 s response timeout (`MESSAGE_TIMEOUT_MS`), 10 consecutive errors before a download is
 * aborted (`DOWNLOAD_ERROR_THRESHOLD`) or, at the end, the image applied anyway
 * (`UPGRADE_WAIT_THRESHOLD`), a query every 5 minutes (`QUERY_DELAY_MINUTES`), downgrades
 * accepted (`disableOtaDowngrades` false) and the running version taken as no new image.
 */
const SILABS_CLIENT = {
  responseTimeoutMs: 3_000,
  maxRetries: 10,
  queryIntervalS: 300,
  downgrade: 'accept',
  reinstall: 'ignore',
} as const;

/** What the mains-powered GBCS devices (ESME, HCALCS) share: always awake, CS06 activation. */
const MAINS_GBCS = {
  sleepy: false,
  hardwareVersionOptional: false,
  gbcsActivation: true,
  maxDataSize: 64,
  queryJitterMs: 5_000,
  ...SILABS_CLIENT,
} as const;

/** What the consumer displays (IHD, PPMID) share: hardware version optional, hub-managed activation. */
const CONSUMER_DISPLAY = {
  sleepy: false,
  hardwareVersionOptional: true,
  gbcsActivation: false,
  maxDataSize: 64,
  queryJitterMs: 10_000,
  ...SILABS_CLIENT,
} as const;

/** The five profiles. Block sizes fit one unfragmented APS frame with NWK security. */
export const DEVICE_PROFILES: Readonly<Record<DeviceType, DeviceProfile>> = {
  ESME: { deviceType: 'ESME', ...MAINS_GBCS },
  HCALCS: { deviceType: 'HCALCS', ...MAINS_GBCS },
  GSME: {
    deviceType: 'GSME',
    sleepy: true,
    hardwareVersionOptional: false,
    gbcsActivation: true,
    maxDataSize: 48,
    queryJitterMs: 2_000,
    wake: { intervalS: 1_800, awakeS: 30 },
    ...SILABS_CLIENT,
  },
  IHD: { deviceType: 'IHD', ...CONSUMER_DISPLAY },
  PPMID: { deviceType: 'PPMID', ...CONSUMER_DISPLAY },
};
