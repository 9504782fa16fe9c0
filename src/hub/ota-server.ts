/**
 * The Communications Hub's OTA Upgrade server (ZCL r8 §11.13, DESIGN.md §1) as a pure state
 * machine: `stepHub(config, state, event, ctx) → {state, effects}`. It answers queries against
 * the images held in its memory blocks (hardware version checked against the image's range when
 * sent; its absence accepted only for device types where it is optional), serves blocks and
 * pages (reading bytes is an effect: they live in `HubMemory`), limits concurrent downloads and
 * the block rate with WAIT_FOR_DATA, and ends downloads with the Upgrade End Response. When a
 * download ends it raises the CCS08 Firmware Transfer Alert (GBCS: 0x8F8A transferred, 0x8F89
 * the device refused the file) for the DCC; a store its memory refuses is the driver's to report.
 */
import type { TransferResponse } from '../gbcs/hub-alerts.ts';
import type { ImageId, OtaCommand } from '../ota/commands.ts';
import { IMAGE_NOTIFY_PAYLOAD, OTA_COMMAND_ID, sameImage, UPGRADE_TIME_WAIT } from '../ota/commands.ts';

/** An image the hub holds and can serve. */
export interface ServedImage extends ImageId {
  /** The memory key (SHA-256 of the file). */
  readonly key: string;
  readonly size: number;
  readonly minimumHardwareVersion?: number;
  readonly maximumHardwareVersion?: number;
  /**
   * The devices it was distributed to (DUIS 11.1 / 11.4 `DeviceIDList`): only they are offered
   * it. Absent: offered to any device that asks.
   */
  readonly for?: readonly string[];
}

/**
 * The image the hub offers, stored under `key`: the identity and hardware range of `image` (an
 * OTA header, or an image described without one), `size` bytes, for the devices `to` (absent: any).
 */
export function servedImage(
  key: string,
  image: ImageId & { readonly minimumHardwareVersion?: number; readonly maximumHardwareVersion?: number },
  size: number,
  to?: readonly string[],
): ServedImage {
  return {
    key,
    manufacturerCode: image.manufacturerCode,
    imageType: image.imageType,
    fileVersion: image.fileVersion,
    size,
    ...(image.minimumHardwareVersion !== undefined && {
      minimumHardwareVersion: image.minimumHardwareVersion,
    }),
    ...(image.maximumHardwareVersion !== undefined && {
      maximumHardwareVersion: image.maximumHardwareVersion,
    }),
    ...(to && { for: to }),
  };
}

/** When a device should apply a verified image: now, after some seconds, or on a later command. */
export type UpgradePolicy = 'now' | 'wait' | { readonly afterS: number };

/** What the hub knows of a device on its HAN. */
export interface KnownDevice {
  readonly node: string;
  readonly hardwareVersionOptional: boolean;
  readonly upgradePolicy: UpgradePolicy;
}

/** The hub's OTA server settings. */
export interface HubConfig {
  readonly node: string;
  /** Downloads served at once; others are told to wait. */
  readonly maxConcurrentDownloads: number;
  /** Shortest time between two block requests of one device, ms (0: none). */
  readonly minimumBlockPeriodMs: number;
  /** How long a device over the concurrency limit is told to wait, s. */
  readonly waitForDataDelayS: number;
  /** Largest block the hub sends, bytes. */
  readonly maxBlockData: number;
  /** A download with no request for this long is dropped (its blocks unpinned), ms. */
  readonly sessionTimeoutMs: number;
}

/** Sensible defaults. */
export const DEFAULT_HUB_CONFIG: HubConfig = {
  node: 'hub',
  maxConcurrentDownloads: 8,
  minimumBlockPeriodMs: 0,
  waitForDataDelayS: 60,
  maxBlockData: 64,
  sessionTimeoutMs: 3_600_000,
};

/** A download in progress. */
/**
 * Per-device entries as an immutable list of `[device, value]`: copying a short array is an
 * order of magnitude cheaper than copying a `Map`, and the session table changes on every block.
 */
export type Table<V> = readonly (readonly [string, V])[];

/** The entry of `device` in `table`. */
function lookup<V>(table: Table<V>, device: string): V | undefined {
  for (const [d, v] of table) if (d === device) return v;
  return undefined;
}

/** `table` with the entry of `device` replaced, added, or (`undefined`) removed. */
function withEntry<V>(table: Table<V>, device: string, value: V | undefined): Table<V> {
  const at = table.findIndex(([d]) => d === device);
  if (value === undefined) return at < 0 ? table : table.filter((_, i) => i !== at);
  const next = table.slice();
  if (at < 0) next.push([device, value]);
  else next[at] = [device, value];
  return next;
}

interface Session {
  readonly key: string;
  readonly lastRequestUs: number;
}

/** The remaining responses of an Image Page Request. */
interface PageCursor {
  readonly image: ServedImage;
  readonly nextOffset: number;
  readonly end: number;
  readonly chunk: number;
  readonly spacingMs: number;
}

/** The hub's state. */
export interface HubState {
  readonly images: readonly ServedImage[];
  readonly devices: ReadonlyMap<string, KnownDevice>;
  readonly sessions: Table<Session>;
  readonly pages: Table<PageCursor>;
  /** Upgrade times given in releases: a device that asks again (the release was lost) gets the same. */
  readonly releases: ReadonlyMap<string, number | typeof UPGRADE_TIME_WAIT>;
  /** Per device, the key of the latest distribution addressed to it (DUIS `DeviceIDList`). */
  readonly addressed: Table<string>;
  /**
   * Per device, the key of the image it refused (an Upgrade End Request INVALID_IMAGE): not offered
   * to it again until a new distribution names it, so that a device that keeps querying is not
   * made to fetch and refuse the same image on every poll.
   */
  readonly declined: Table<string>;
}

/** Hub timers, one per device. */
export type HubTimer = 'page' | 'session';

/** Events the hub reacts to. */
export type HubEvent =
  /** An image distributed to the hub; stored again, it is offered to the devices of both distributions. */
  | { readonly type: 'imageStored'; readonly image: ServedImage }
  | { readonly type: 'imageRemoved'; readonly key: string }
  | { readonly type: 'frame'; readonly from: string; readonly command: OtaCommand }
  /** A frame from `from` that does not decode as a command the hub takes: its id and why. */
  | {
      readonly type: 'undecodable';
      readonly from: string;
      readonly commandId: number;
      readonly status: 'MALFORMED_COMMAND' | 'UNSUP_COMMAND';
    }
  | { readonly type: 'timer'; readonly timer: HubTimer; readonly device: string }
  | { readonly type: 'notify'; readonly to: string; readonly queryJitter: number; readonly image?: ImageId }
  | {
      readonly type: 'release';
      readonly device: string;
      readonly image: ImageId;
      readonly upgradeTime: number | typeof UPGRADE_TIME_WAIT;
    }
  | { readonly type: 'restart' }
  /**
   * The session transport computed a run of block exchanges as one transfer (DESIGN.md §3): every
   * request of the run was served as the first was, the last reaching the hub at `lastRequestUs`.
   */
  | { readonly type: 'served'; readonly device: string; readonly lastRequestUs: number };

/** What the hub asks its driver to do. */
export type HubEffect =
  | {
      readonly type: 'send';
      readonly to: string;
      readonly command: OtaCommand;
      readonly unsolicited?: boolean;
    }
  | {
      readonly type: 'sendBlock';
      readonly to: string;
      readonly image: ServedImage;
      readonly fileOffset: number;
      readonly length: number;
    }
  | { readonly type: 'pin' | 'unpin'; readonly key: string; readonly device: string }
  | { readonly type: 'setTimer'; readonly timer: HubTimer; readonly device: string; readonly delayUs: number }
  | { readonly type: 'cancelTimer'; readonly timer: HubTimer; readonly device: string }
  | {
      readonly type: 'transition';
      readonly device: string;
      readonly from: string;
      readonly to: string;
      readonly reason: string;
    }
  /** The CCS08 Firmware Transfer Alert: how the transfer of `fileVersion` to `device` ended. */
  | {
      readonly type: 'transferAlert';
      readonly device: string;
      readonly fileVersion: number;
      readonly response: TransferResponse;
    };

/** Time handed to the step. */
export interface HubContext {
  readonly nowUs: number;
  /** ZCL UTC time, seconds since 2000-01-01. */
  readonly utcNow: number;
}

/** Result of one step. */
export interface HubStep {
  readonly state: HubState;
  readonly effects: readonly HubEffect[];
}

const MS = 1_000;

/** A hub with no images and the given devices on its HAN. */
export function initialHubState(devices: readonly KnownDevice[]): HubState {
  return {
    images: [],
    devices: new Map(devices.map((d) => [d.node, d])),
    sessions: [],
    pages: [],
    releases: new Map(),
    addressed: [],
    declined: [],
  };
}

/**
 * `state` with the fields of `patch` replaced: the one way hub states are copied, written out
 * field by field because an object spread with overrides takes V8's slow path (once per block).
 */
function withHub(state: HubState, patch: Partial<HubState>): HubState {
  return {
    images: patch.images ?? state.images,
    devices: patch.devices ?? state.devices,
    sessions: patch.sessions ?? state.sessions,
    pages: patch.pages ?? state.pages,
    releases: patch.releases ?? state.releases,
    addressed: patch.addressed ?? state.addressed,
    declined: patch.declined ?? state.declined,
  };
}

function withMap<K, V>(map: ReadonlyMap<K, V>, key: K, value: V | undefined): ReadonlyMap<K, V> {
  const next = new Map(map);
  if (value === undefined) next.delete(key);
  else next.set(key, value);
  return next;
}

/** Ends `device`'s download session: the one place sessions close, with the reason recorded. */
function endSession(state: HubState, device: string, reason: string, effects: HubEffect[]): HubState {
  const session = lookup(state.sessions, device);
  if (!session) return state;
  effects.push(
    { type: 'unpin', key: session.key, device },
    { type: 'cancelTimer', timer: 'session', device },
    { type: 'cancelTimer', timer: 'page', device },
    { type: 'transition', device, from: 'downloading', to: 'idle', reason },
  );
  return withHub(state, {
    sessions: withEntry(state.sessions, device, undefined),
    pages: withEntry(state.pages, device, undefined),
  });
}

function hardwareRefusal(
  image: ServedImage,
  device: KnownDevice | undefined,
  hardwareVersion: number | undefined,
): string | undefined {
  const { minimumHardwareVersion: min, maximumHardwareVersion: max } = image;
  if (min === undefined || max === undefined) return undefined;
  if (hardwareVersion === undefined) {
    return device?.hardwareVersionOptional ? undefined : 'hardware version required to check the image range';
  }
  if (hardwareVersion < min || hardwareVersion > max) {
    return `hardware version ${hardwareVersion} is outside the image range ${min}..${max}`;
  }
  return undefined;
}

function onQuery(
  state: HubState,
  from: string,
  request: Extract<OtaCommand, { name: 'queryNextImageRequest' }>,
  effects: HubEffect[],
): HubState {
  const device = state.devices.get(from);
  // What the hub offers: the latest distribution addressed to this device (its DeviceIDList named
  // it), whatever its version — a downgrade or a reinstall is the device's to accept or refuse;
  // without one still held, the newest image distributed to any device that is newer than it
  // runs. Either for its manufacturer code and image type and within its hardware range, and not
  // one the device refused; else the first refusal met. One pass: this runs for every query.
  const latest = lookup(state.addressed, from);
  const declined = lookup(state.declined, from);
  let addressed: ServedImage | undefined;
  let newest: ServedImage | undefined;
  let refused: string | undefined;
  for (const i of state.images) {
    if (
      (i.for === undefined ? i.fileVersion <= request.fileVersion : i.key !== latest) ||
      i.manufacturerCode !== request.manufacturerCode ||
      i.imageType !== request.imageType ||
      i.key === declined
    )
      continue;
    const refusal = hardwareRefusal(i, device, request.hardwareVersion);
    if (refusal !== undefined) refused ??= refusal;
    else if (i.for !== undefined) addressed = i;
    else if (!newest || i.fileVersion > newest.fileVersion) newest = i;
  }
  const best = addressed ?? newest;
  if (!best) {
    const why = refused ?? 'no newer image for this manufacturer code and image type';
    effects.push(
      { type: 'send', to: from, command: { name: 'queryNextImageResponse', status: 'NO_IMAGE_AVAILABLE' } },
      { type: 'transition', device: from, from: 'idle', to: 'idle', reason: `no image: ${why}` },
    );
    return state;
  }
  effects.push({
    type: 'send',
    to: from,
    command: {
      name: 'queryNextImageResponse',
      status: 'SUCCESS',
      manufacturerCode: best.manufacturerCode,
      imageType: best.imageType,
      fileVersion: best.fileVersion,
      imageSize: best.size,
    },
  });
  return state;
}

/** Whether a block request `sinceLastUs` after the session's last one is served (else WAIT_FOR_DATA). */
export function acceptsRequestAfter(config: HubConfig, sinceLastUs: number): boolean {
  return config.minimumBlockPeriodMs === 0 || sinceLastUs >= config.minimumBlockPeriodMs * MS;
}

function waitForData(to: string, ctx: HubContext, delayS: number, minimumBlockPeriodMs: number): HubEffect {
  return {
    type: 'send',
    to,
    command: {
      name: 'imageBlockResponse',
      status: 'WAIT_FOR_DATA',
      currentTime: ctx.utcNow,
      requestTime: ctx.utcNow + delayS,
      minimumBlockPeriod: minimumBlockPeriodMs,
    },
  };
}

function onBlockOrPage(
  config: HubConfig,
  state: HubState,
  from: string,
  request: Extract<OtaCommand, { name: 'imageBlockRequest' | 'imagePageRequest' }>,
  ctx: HubContext,
  effects: HubEffect[],
): HubState {
  // The image distributed to this device: two images may share an identity (one per distribution).
  const image = state.images.find(
    (i) => sameImage(i, request) && (i.for === undefined || i.for.includes(from)),
  );
  if (!image) {
    // ZCL r8 §11.13.8.2: the server does not have the image asked for (its distribution ended).
    effects.push({
      type: 'send',
      to: from,
      command: { name: 'imageBlockResponse', status: 'NO_IMAGE_AVAILABLE' },
    });
    return endSession(state, from, 'block request for an image the hub does not hold', effects);
  }
  let session = lookup(state.sessions, from);
  if (session && session.key !== image.key) {
    state = endSession(state, from, 'device switched to another image', effects);
    session = undefined;
  }
  if (!session && state.sessions.length >= config.maxConcurrentDownloads) {
    effects.push(waitForData(from, ctx, config.waitForDataDelayS, config.minimumBlockPeriodMs));
    return state;
  }
  if (session && !acceptsRequestAfter(config, ctx.nowUs - session.lastRequestUs)) {
    effects.push(waitForData(from, ctx, 0, config.minimumBlockPeriodMs));
    return state;
  }
  if (request.maximumDataSize === 0 || (request.name === 'imagePageRequest' && request.pageSize === 0)) {
    effects.push({ type: 'send', to: from, command: { name: 'imageBlockResponse', status: 'ABORT' } });
    return endSession(
      state,
      from,
      `${request.name} asks for no data (maximum data size or page size 0)`,
      effects,
    );
  }
  if (request.fileOffset >= image.size) {
    effects.push({ type: 'send', to: from, command: { name: 'imageBlockResponse', status: 'ABORT' } });
    return endSession(
      state,
      from,
      `request at offset ${request.fileOffset}, at or past the end (${image.size})`,
      effects,
    );
  }
  if (!session) {
    effects.push(
      { type: 'pin', key: image.key, device: from },
      {
        type: 'transition',
        device: from,
        from: 'idle',
        to: 'downloading',
        reason: `serving 0x${image.fileVersion.toString(16).padStart(8, '0')}`,
      },
    );
  }
  const sessions = withEntry(state.sessions, from, { key: image.key, lastRequestUs: ctx.nowUs });
  // The idle timer is armed once per session; when it fires it looks at the last request.
  if (!session)
    effects.push({ type: 'setTimer', timer: 'session', device: from, delayUs: config.sessionTimeoutMs * MS });
  const chunk = Math.min(request.maximumDataSize, config.maxBlockData);
  const firstLength = Math.min(chunk, image.size - request.fileOffset);
  if (request.name === 'imageBlockRequest') {
    effects.push({ type: 'sendBlock', to: from, image, fileOffset: request.fileOffset, length: firstLength });
    return withHub(state, { sessions });
  }
  const end = Math.min(image.size, request.fileOffset + request.pageSize);
  effects.push({
    type: 'sendBlock',
    to: from,
    image,
    fileOffset: request.fileOffset,
    length: Math.min(firstLength, end - request.fileOffset),
  });
  const nextOffset = request.fileOffset + Math.min(firstLength, end - request.fileOffset);
  if (nextOffset >= end) return withHub(state, { sessions, pages: withEntry(state.pages, from, undefined) });
  effects.push({ type: 'setTimer', timer: 'page', device: from, delayUs: request.responseSpacing * MS });
  return withHub(state, {
    sessions,
    pages: withEntry(state.pages, from, {
      image,
      nextOffset,
      end,
      chunk,
      spacingMs: request.responseSpacing,
    }),
  });
}

function onPageTimer(state: HubState, device: string, effects: HubEffect[]): HubState {
  const page = lookup(state.pages, device);
  if (!page) return state;
  const length = Math.min(page.chunk, page.end - page.nextOffset);
  effects.push({ type: 'sendBlock', to: device, image: page.image, fileOffset: page.nextOffset, length });
  const nextOffset = page.nextOffset + length;
  if (nextOffset >= page.end) return withHub(state, { pages: withEntry(state.pages, device, undefined) });
  effects.push({ type: 'setTimer', timer: 'page', device, delayUs: page.spacingMs * MS });
  return withHub(state, { pages: withEntry(state.pages, device, { ...page, nextOffset }) });
}

function upgradeTimeFor(policy: UpgradePolicy, ctx: HubContext): number | typeof UPGRADE_TIME_WAIT {
  if (policy === 'wait') return UPGRADE_TIME_WAIT;
  if (policy === 'now') return ctx.utcNow;
  return ctx.utcNow + policy.afterS;
}

function onEndRequest(
  state: HubState,
  from: string,
  request: Extract<OtaCommand, { name: 'upgradeEndRequest' }>,
  ctx: HubContext,
  effects: HubEffect[],
): HubState {
  // The transfer the CCS08 alert reports is the download this request ends: a repeated request
  // (its response lost, or the device told to wait) reports nothing again.
  const transferred = lookup(state.sessions, from) !== undefined;
  let next = endSession(state, from, `upgrade end request ${request.status}`, effects);
  // ZCL r8 §11.13.9.4: a failed upgrade is acknowledged with a Default Response (SUCCESS), and
  // the server waits for the client to start again.
  if (request.status !== 'SUCCESS') {
    effects.push({
      type: 'send',
      to: from,
      command: { name: 'defaultResponse', commandId: OTA_COMMAND_ID.upgradeEndRequest, status: 'SUCCESS' },
    });
    // A refused image (not an aborted download, which the device resumes) is not offered to it again.
    const refused =
      request.status === 'INVALID_IMAGE'
        ? state.images.find((i) => sameImage(i, request) && (i.for === undefined || i.for.includes(from)))
        : undefined;
    if (refused && transferred)
      effects.push({
        type: 'transferAlert',
        device: from,
        fileVersion: request.fileVersion,
        response: 'fileTransferFailure',
      });
    if (refused) {
      next = withHub(next, { declined: withEntry(next.declined, from, refused.key) });
      effects.push({
        type: 'transition',
        device: from,
        from: 'idle',
        to: 'idle',
        reason: `0x${refused.fileVersion.toString(16).padStart(8, '0')} refused by the device: not offered to it again until distributed to it anew`,
      });
    }
    return next;
  }
  const released = state.releases.get(from);
  const policy = state.devices.get(from)?.upgradePolicy ?? 'now';
  if (transferred)
    effects.push({
      type: 'transferAlert',
      device: from,
      fileVersion: request.fileVersion,
      response: 'success',
    });
  effects.push({
    type: 'send',
    to: from,
    command: {
      name: 'upgradeEndResponse',
      manufacturerCode: request.manufacturerCode,
      imageType: request.imageType,
      fileVersion: request.fileVersion,
      currentTime: ctx.utcNow,
      upgradeTime: released ?? upgradeTimeFor(policy, ctx),
    },
  });
  return next;
}

/** `image` as the hub holds it: a second distribution of the same image adds its devices to the first's. */
function withDevices(state: HubState, image: ServedImage): ServedImage {
  const held = state.images.find((i) => i.key === image.key);
  if (!held) return image;
  if (held.for === undefined || image.for === undefined) {
    const { for: _for, ...anyDevice } = image;
    return anyDevice;
  }
  return { ...image, for: [...new Set([...held.for, ...image.for])] };
}

/** A step's result (a plain function: closures in the step cost a call per event). */
function stepResult(effects: readonly HubEffect[], state: HubState): HubStep {
  return { state, effects };
}

/** One step of the hub. */
export function stepHub(config: HubConfig, state: HubState, event: HubEvent, ctx: HubContext): HubStep {
  const effects: HubEffect[] = [];
  switch (event.type) {
    case 'imageStored': {
      // A distribution addressed to devices is the one each of them is offered from now on.
      // A device that refused an image is offered it again once it is distributed anew.
      let addressed = state.addressed;
      let declined: Table<string> = state.declined.filter(([, key]) => key !== event.image.key);
      for (const device of event.image.for ?? []) {
        addressed = withEntry(addressed, device, event.image.key);
        declined = withEntry(declined, device, undefined);
      }
      return stepResult(
        effects,
        withHub(state, {
          images: [...state.images.filter((i) => i.key !== event.image.key), withDevices(state, event.image)],
          addressed,
          declined,
        }),
      );
    }
    case 'imageRemoved':
      return stepResult(effects, withHub(state, { images: state.images.filter((i) => i.key !== event.key) }));
    case 'served': {
      const session = lookup(state.sessions, event.device);
      if (!session || event.lastRequestUs <= session.lastRequestUs) return stepResult(effects, state);
      // Written out: a spread with an override takes V8's slow path, and this runs at each run's end.
      const sessions = withEntry(state.sessions, event.device, {
        key: session.key,
        lastRequestUs: event.lastRequestUs,
      });
      return stepResult(effects, withHub(state, { sessions }));
    }
    case 'restart': {
      let next = state;
      for (const device of state.sessions.map(([device]) => device))
        next = endSession(next, device, 'hub restarted', effects);
      return stepResult(effects, next);
    }
    case 'timer': {
      if (event.timer === 'page') return stepResult(effects, onPageTimer(state, event.device, effects));
      const session = lookup(state.sessions, event.device);
      if (!session) return stepResult(effects, state);
      const idleUs = ctx.nowUs - session.lastRequestUs;
      if (idleUs < config.sessionTimeoutMs * MS) {
        effects.push({
          type: 'setTimer',
          timer: 'session',
          device: event.device,
          delayUs: config.sessionTimeoutMs * MS - idleUs,
        });
        return stepResult(effects, state);
      }
      return stepResult(effects, endSession(state, event.device, 'download idle too long', effects));
    }
    case 'notify':
      effects.push({
        type: 'send',
        to: event.to,
        unsolicited: true,
        command: event.image
          ? {
              name: 'imageNotify',
              payloadType: IMAGE_NOTIFY_PAYLOAD.jitterManufacturerImageTypeVersion,
              queryJitter: event.queryJitter,
              ...event.image,
            }
          : { name: 'imageNotify', payloadType: IMAGE_NOTIFY_PAYLOAD.jitter, queryJitter: event.queryJitter },
      });
      return stepResult(effects, state);
    case 'release':
      effects.push({
        type: 'send',
        to: event.device,
        unsolicited: true,
        command: {
          name: 'upgradeEndResponse',
          ...event.image,
          currentTime: ctx.utcNow,
          upgradeTime: event.upgradeTime,
        },
      });
      return stepResult(
        effects,
        withHub(state, {
          releases: withMap(state.releases, event.device, event.upgradeTime),
        }),
      );
    case 'undecodable':
      // ZCL r8 §2.5.12.2: a command the server does not support, or cannot parse, is answered
      // with a Default Response saying so (as Silicon Labs' framework answers a unicast OTA command
      // it fails to parse: ota-client.c, `sl_zigbee_af_ota_client_incoming_message_raw_cb`).
      effects.push({
        type: 'send',
        to: event.from,
        command: { name: 'defaultResponse', commandId: event.commandId, status: event.status },
      });
      return stepResult(effects, state);
    case 'frame': {
      const c = event.command;
      if (c.name === 'queryNextImageRequest')
        return stepResult(effects, onQuery(state, event.from, c, effects));
      if (c.name === 'imageBlockRequest' || c.name === 'imagePageRequest') {
        return stepResult(effects, onBlockOrPage(config, state, event.from, c, ctx, effects));
      }
      if (c.name === 'upgradeEndRequest')
        return stepResult(effects, onEndRequest(state, event.from, c, ctx, effects));
      if (c.name === 'queryDeviceSpecificFileRequest') {
        effects.push({
          type: 'send',
          to: event.from,
          command: { name: 'queryDeviceSpecificFileResponse', status: 'NO_IMAGE_AVAILABLE' },
        });
      }
      return stepResult(effects, state);
    }
  }
}
