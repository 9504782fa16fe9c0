/**
 * The hub's OTA server step by step: queries against the image's hardware range, blocks and
 * pages (paced by responseSpacing, never past the end), requests at or past the end answered
 * with ABORT, Upgrade End Responses now, later or wait, the unsolicited release, Image Notify.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HUB_CONFIG,
  type HubEffect,
  type HubState,
  initialHubState,
  type ServedImage,
  stepHub,
} from '../../src/hub/ota-server.ts';
import type { OtaCommand } from '../../src/ota/commands.ts';

const IMAGE: ServedImage = {
  key: 'k',
  manufacturerCode: 0x1234,
  imageType: 1,
  fileVersion: 5,
  size: 1000,
  minimumHardwareVersion: 2,
  maximumHardwareVersion: 4,
};
const ID = { manufacturerCode: 0x1234, imageType: 1, fileVersion: 5 };
const ctx = { nowUs: 0, utcNow: 1000 };

function hubWith(policy: 'now' | 'wait' | { afterS: number } = 'now'): HubState {
  const state = initialHubState([
    { node: 'esme', hardwareVersionOptional: false, upgradePolicy: policy },
    { node: 'ppmid', hardwareVersionOptional: true, upgradePolicy: policy },
  ]);
  return stepHub(DEFAULT_HUB_CONFIG, state, { type: 'imageStored', image: IMAGE }, ctx).state;
}

function frame(state: HubState, from: string, command: OtaCommand, at = ctx, config = DEFAULT_HUB_CONFIG) {
  return stepHub(config, state, { type: 'frame', from, command }, at);
}

/** A first block request from `from`. */
const firstBlock = { name: 'imageBlockRequest' as const, ...ID, fileOffset: 0, maximumDataSize: 64 };

const sent = (effects: readonly HubEffect[]) =>
  effects.filter((e) => e.type === 'send').map((e) => (e.type === 'send' ? e.command : undefined));

describe('stepHub', () => {
  it('offers the image to a device whose hardware version is in range, or optional and absent', () => {
    const hub = hubWith();
    for (const [from, hw] of [
      ['esme', 3],
      ['ppmid', undefined],
    ] as const) {
      const { effects } = frame(hub, from, {
        name: 'queryNextImageRequest',
        ...ID,
        fileVersion: 4,
        ...(hw !== undefined && { hardwareVersion: hw }),
      });
      expect(sent(effects)).toEqual([
        { name: 'queryNextImageResponse', status: 'SUCCESS', ...ID, imageSize: 1000 },
      ]);
    }
    for (const [from, hw] of [
      ['esme', 5],
      ['esme', undefined],
      ['ppmid', 1],
    ] as const) {
      const { effects } = frame(hub, from, {
        name: 'queryNextImageRequest',
        ...ID,
        fileVersion: 4,
        ...(hw !== undefined && { hardwareVersion: hw }),
      });
      expect(sent(effects)).toEqual([{ name: 'queryNextImageResponse', status: 'NO_IMAGE_AVAILABLE' }]);
    }
    const same = frame(hub, 'esme', { name: 'queryNextImageRequest', ...ID, hardwareVersion: 3 });
    expect(sent(same.effects)).toEqual([{ name: 'queryNextImageResponse', status: 'NO_IMAGE_AVAILABLE' }]);
  });

  it('serves a block, clipped to its cap and to the end of the image, and pins the image once', () => {
    const first = frame(hubWith(), 'esme', {
      name: 'imageBlockRequest',
      ...ID,
      fileOffset: 0,
      maximumDataSize: 200,
    });
    expect(first.effects).toContainEqual({ type: 'pin', key: 'k', device: 'esme' });
    expect(first.effects).toContainEqual({
      type: 'sendBlock',
      to: 'esme',
      image: IMAGE,
      fileOffset: 0,
      length: 64,
    });
    const last = frame(first.state, 'esme', {
      name: 'imageBlockRequest',
      ...ID,
      fileOffset: 990,
      maximumDataSize: 64,
    });
    expect(last.effects.filter((e) => e.type === 'pin')).toEqual([]);
    expect(last.effects).toContainEqual({
      type: 'sendBlock',
      to: 'esme',
      image: IMAGE,
      fileOffset: 990,
      length: 10,
    });
  });

  it('answers a request at or past the end with ABORT and ends the session', () => {
    const started = frame(hubWith(), 'esme', {
      name: 'imageBlockRequest',
      ...ID,
      fileOffset: 0,
      maximumDataSize: 64,
    }).state;
    for (const fileOffset of [1000, 5000, 0xffff_ffff]) {
      const { effects, state } = frame(started, 'esme', {
        name: 'imageBlockRequest',
        ...ID,
        fileOffset,
        maximumDataSize: 64,
      });
      expect(sent(effects)).toEqual([{ name: 'imageBlockResponse', status: 'ABORT' }]);
      expect(effects).toContainEqual({ type: 'unpin', key: 'k', device: 'esme' });
      expect(state.sessions.length).toBe(0);
    }
  });

  it('paces a page with responseSpacing and stops at the end of the image', () => {
    let step = frame(hubWith(), 'ppmid', {
      name: 'imagePageRequest',
      ...ID,
      fileOffset: 900,
      maximumDataSize: 40,
      pageSize: 500,
      responseSpacing: 20,
    });
    const blocks: { fileOffset: number; length: number }[] = [];
    for (let i = 0; i < 10; i++) {
      for (const e of step.effects)
        if (e.type === 'sendBlock') blocks.push({ fileOffset: e.fileOffset, length: e.length });
      const timer = step.effects.find((e) => e.type === 'setTimer' && e.timer === 'page');
      if (!timer) break;
      expect(timer).toMatchObject({ delayUs: 20_000 });
      step = stepHub(DEFAULT_HUB_CONFIG, step.state, { type: 'timer', timer: 'page', device: 'ppmid' }, ctx);
    }
    expect(blocks).toEqual([
      { fileOffset: 900, length: 40 },
      { fileOffset: 940, length: 40 },
      { fileOffset: 980, length: 20 },
    ]);
    expect(step.state.pages.length).toBe(0);
  });

  it('answers a successful Upgrade End Request with upgrade time now, later or wait', () => {
    for (const [policy, upgradeTime] of [
      ['now', 1000],
      [{ afterS: 60 }, 1060],
      ['wait', 'wait'],
    ] as const) {
      const { effects } = frame(hubWith(policy), 'esme', {
        name: 'upgradeEndRequest',
        status: 'SUCCESS',
        ...ID,
      });
      expect(sent(effects)).toEqual([{ name: 'upgradeEndResponse', ...ID, currentTime: 1000, upgradeTime }]);
    }
    const failed = frame(hubWith(), 'esme', { name: 'upgradeEndRequest', status: 'INVALID_IMAGE', ...ID });
    // A failed upgrade is acknowledged with a Default Response (SUCCESS), not an Upgrade End Response.
    expect(sent(failed.effects)).toEqual([{ name: 'defaultResponse', commandId: 0x06, status: 'SUCCESS' }]);
  });

  it('raises CCS08 once for the download an Upgrade End Request ends: 0x8F8A transferred, 0x8F89 refused; not for a repeat', () => {
    for (const [status, response] of [
      ['SUCCESS', 'success'],
      ['INVALID_IMAGE', 'fileTransferFailure'],
    ] as const) {
      const downloading = frame(hubWith(), 'esme', firstBlock).state;
      const end = { name: 'upgradeEndRequest' as const, status, ...ID };
      const first = frame(downloading, 'esme', end);
      const alerts = (effects: readonly HubEffect[]) => effects.filter((e) => e.type === 'transferAlert');
      expect(alerts(first.effects)).toEqual([
        { type: 'transferAlert', device: 'esme', fileVersion: ID.fileVersion, response },
      ]);
      // Its response lost, the device asks again: the transfer was reported already.
      expect(alerts(frame(first.state, 'esme', end).effects)).toEqual([]);
    }
    // An End Request with no download behind it reports no transfer.
    const stray = frame(hubWith(), 'esme', { name: 'upgradeEndRequest', status: 'SUCCESS', ...ID });
    expect(stray.effects.filter((e) => e.type === 'transferAlert')).toEqual([]);
  });

  it('releases a waiting device with an unsolicited Upgrade End Response, and notifies devices', () => {
    const release = stepHub(
      DEFAULT_HUB_CONFIG,
      hubWith(),
      { type: 'release', device: 'ppmid', image: ID, upgradeTime: 1000 },
      ctx,
    );
    expect(release.effects).toEqual([
      {
        type: 'send',
        to: 'ppmid',
        unsolicited: true,
        command: { name: 'upgradeEndResponse', ...ID, currentTime: 1000, upgradeTime: 1000 },
      },
    ]);
    const notify = stepHub(
      DEFAULT_HUB_CONFIG,
      hubWith(),
      { type: 'notify', to: 'broadcast', queryJitter: 50 },
      ctx,
    );
    expect(sent(notify.effects)).toEqual([{ name: 'imageNotify', payloadType: 0, queryJitter: 50 }]);
  });

  it('tells a device over the concurrency limit to wait for data', () => {
    const config = { ...DEFAULT_HUB_CONFIG, maxConcurrentDownloads: 1, waitForDataDelayS: 30 };
    const busy = frame(hubWith(), 'esme', firstBlock, ctx, config).state;
    const { effects } = frame(busy, 'ppmid', firstBlock, ctx, config);
    expect(sent(effects)).toEqual([
      {
        name: 'imageBlockResponse',
        status: 'WAIT_FOR_DATA',
        currentTime: 1000,
        requestTime: 1030,
        minimumBlockPeriod: 0,
      },
    ]);
  });

  it('drops a download idle for the session timeout, and only then, unpinning the image', () => {
    const config = { ...DEFAULT_HUB_CONFIG, sessionTimeoutMs: 1_000 };
    const started = frame(hubWith(), 'esme', firstBlock, ctx, config);
    expect(started.effects).toContainEqual({
      type: 'setTimer',
      timer: 'session',
      device: 'esme',
      delayUs: 1_000_000,
    });
    const busy = stepHub(
      config,
      started.state,
      {
        type: 'frame',
        from: 'esme',
        command: { name: 'imageBlockRequest', ...ID, fileOffset: 64, maximumDataSize: 64 },
      },
      { ...ctx, nowUs: 600_000 },
    );
    const early = stepHub(
      config,
      busy.state,
      { type: 'timer', timer: 'session', device: 'esme' },
      { ...ctx, nowUs: 1_000_000 },
    );
    expect(early.effects).toEqual([{ type: 'setTimer', timer: 'session', device: 'esme', delayUs: 600_000 }]);
    const late = stepHub(
      config,
      early.state,
      { type: 'timer', timer: 'session', device: 'esme' },
      { ...ctx, nowUs: 1_600_000 },
    );
    expect(late.effects).toContainEqual({ type: 'unpin', key: 'k', device: 'esme' });
    expect(late.state.sessions.length).toBe(0);
  });

  it('answers a released device that asks again with the release time, not its policy', () => {
    const released = stepHub(
      DEFAULT_HUB_CONFIG,
      hubWith('wait'),
      { type: 'release', device: 'ppmid', image: ID, upgradeTime: 1200 },
      ctx,
    ).state;
    const { effects } = frame(released, 'ppmid', { name: 'upgradeEndRequest', status: 'SUCCESS', ...ID });
    expect(sent(effects)).toEqual([
      { name: 'upgradeEndResponse', ...ID, currentTime: 1000, upgradeTime: 1200 },
    ]);
  });

  it('answers requests for no data with ABORT instead of empty blocks', () => {
    for (const command of [
      { name: 'imageBlockRequest' as const, ...ID, fileOffset: 0, maximumDataSize: 0 },
      {
        name: 'imagePageRequest' as const,
        ...ID,
        fileOffset: 0,
        maximumDataSize: 64,
        pageSize: 0,
        responseSpacing: 10,
      },
    ]) {
      const { effects } = frame(hubWith(), 'esme', command);
      expect(sent(effects)).toEqual([{ name: 'imageBlockResponse', status: 'ABORT' }]);
      expect(effects.some((e) => e.type === 'sendBlock')).toBe(false);
    }
  });

  it('offers each device the latest distribution addressed to it, whatever its version', () => {
    const image = (key: string, fileVersion: number, devices: string[]): ServedImage => ({
      key,
      manufacturerCode: 0x1234,
      imageType: 1,
      fileVersion,
      size: 1000,
      for: devices,
    });
    const store = (state: HubState, i: ServedImage) =>
      stepHub(DEFAULT_HUB_CONFIG, state, { type: 'imageStored', image: i }, ctx).state;
    const offered = (state: HubState, from: string, running: number) =>
      sent(
        frame(state, from, {
          name: 'queryNextImageRequest',
          manufacturerCode: 0x1234,
          imageType: 1,
          fileVersion: running,
          hardwareVersion: 3,
        }).effects,
      )[0];
    let hub = initialHubState([
      { node: 'esme', hardwareVersionOptional: false, upgradePolicy: 'now' },
      { node: 'other', hardwareVersionOptional: false, upgradePolicy: 'now' },
    ]);
    // esme is given 9, then 7 (a downgrade): it is offered 7, the later one, though 9 is newer.
    hub = store(hub, image('nine', 9, ['esme']));
    hub = store(hub, image('seven', 7, ['esme']));
    expect(offered(hub, 'esme', 8)).toMatchObject({ status: 'SUCCESS', fileVersion: 7 });
    // 9 distributed again, to another device: esme's latest distribution is still 7.
    hub = store(hub, image('nine', 9, ['other']));
    expect(offered(hub, 'esme', 8)).toMatchObject({ status: 'SUCCESS', fileVersion: 7 });
    expect(offered(hub, 'other', 1)).toMatchObject({ status: 'SUCCESS', fileVersion: 9 });
    // The version it runs, addressed to it, is offered too: a reinstall is the device's to refuse.
    expect(offered(hub, 'esme', 7)).toMatchObject({ status: 'SUCCESS', fileVersion: 7 });
    // Its latest distribution gone, it is offered nothing addressed to it before.
    hub = stepHub(DEFAULT_HUB_CONFIG, hub, { type: 'imageRemoved', key: 'seven' }, ctx).state;
    expect(offered(hub, 'esme', 8)).toMatchObject({ status: 'NO_IMAGE_AVAILABLE' });
  });
});
