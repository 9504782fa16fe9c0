/**
 * The device OTA client step by step: sequence numbers (stale answers ignored, retransmissions
 * keep theirs), retries and aborts (consecutive only), query jitter, image checks of the
 * Upgrade End Response, image sizes, and the hourly retry of a device told to wait.
 */
import { describe, expect, it } from 'vitest';
import { stepClient } from '../../src/devices/ota-client.ts';
import {
  type ClientConfig,
  type ClientEffect,
  type ClientEvent,
  type ClientState,
  initialClientState,
  MAX_IMAGE_SIZE,
} from '../../src/devices/ota-client-state.ts';
import { DEVICE_PROFILES } from '../../src/devices/profiles.ts';
import type { OtaCommand } from '../../src/ota/commands.ts';
import { RngStreams } from '../../src/sim/rng.ts';

const ID = { manufacturerCode: 0x1234, imageType: 0x10, fileVersion: 2 };
const CONFIG: ClientConfig = {
  node: 'ihd',
  profile: DEVICE_PROFILES.IHD,
  manufacturerCode: 0x1234,
  imageType: 0x10,
  maxDataSize: 64,
  maxAborts: 3,
};

function stepper(config = CONFIG, seed = 1) {
  const rng = new RngStreams(seed).stream('client');
  let state: ClientState = initialClientState(1, 200);
  let effects: readonly ClientEffect[] = [];
  const step = (event: ClientEvent) => {
    const result = stepClient(config, state, event, { nowUs: 0, utcNow: 0, rng });
    state = result.state;
    effects = result.effects;
    return result;
  };
  const sentNow = () => effects.filter((e) => e.type === 'send');
  return { step, state: () => state, sentNow };
}

function answer(command: OtaCommand, transactionSequence: number): ClientEvent {
  return { type: 'frame', command, transactionSequence };
}

/** A client that has queried and been offered a 1000-byte image, with its first block request out. */
function downloading(config = CONFIG) {
  const c = stepper(config);
  c.step({ type: 'powerOn', runningVersion: 1 });
  const [query] = c.sentNow();
  c.step(
    answer(
      { name: 'queryNextImageResponse', status: 'SUCCESS', ...ID, imageSize: 1000 },
      query?.type === 'send' ? query.transactionSequence : -1,
    ),
  );
  return c;
}

/** A client that has downloaded a one-block image (64 bytes) and is having it checked. */
function downloaded(config = CONFIG) {
  const c = stepper(config);
  c.step({ type: 'powerOn', runningVersion: 1 });
  c.step(answer({ name: 'queryNextImageResponse', status: 'SUCCESS', ...ID, imageSize: 64 }, 201));
  c.step(
    answer(
      { name: 'imageBlockResponse', status: 'SUCCESS', ...ID, fileOffset: 0, data: new Uint8Array(64) },
      202,
    ),
  );
  return c;
}

describe('stepClient', () => {
  it('numbers each new request, and ignores answers that do not echo the number', () => {
    const c = stepper();
    c.step({ type: 'powerOn', runningVersion: 1 });
    const query = c.sentNow()[0];
    expect(query).toMatchObject({ transactionSequence: 201, command: { name: 'queryNextImageRequest' } });
    c.step(answer({ name: 'queryNextImageResponse', status: 'SUCCESS', ...ID, imageSize: 1000 }, 200));
    expect(c.state().phase).toBe('querying');
    c.step(answer({ name: 'queryNextImageResponse', status: 'SUCCESS', ...ID, imageSize: 1000 }, 201));
    expect(c.state().phase).toBe('downloading');
    expect(c.sentNow()[0]).toMatchObject({
      transactionSequence: 202,
      command: { name: 'imageBlockRequest', fileOffset: 0 },
    });
    // A stale WAIT_FOR_DATA or ABORT (another request's number) changes nothing.
    const before = c.state();
    c.step(answer({ name: 'imageBlockResponse', status: 'ABORT' }, 201));
    c.step(
      answer(
        {
          name: 'imageBlockResponse',
          status: 'WAIT_FOR_DATA',
          currentTime: 0,
          requestTime: 60,
          minimumBlockPeriod: 0,
        },
        7,
      ),
    );
    expect(c.state()).toEqual(before);
  });

  it('resends an unanswered request with the same number, and counts only consecutive aborts', () => {
    const c = downloading({ ...CONFIG, profile: { ...DEVICE_PROFILES.IHD, maxRetries: 2 } });
    const first = c.sentNow()[0];
    c.step({ type: 'timer', timer: 'response' });
    expect(c.sentNow()[0]).toEqual(first);
    c.step({ type: 'timer', timer: 'response' });
    c.step({ type: 'timer', timer: 'response' });
    expect(c.state()).toMatchObject({ phase: 'idle', aborts: 1, fileOffset: 0 });
    expect(c.sentNow().map((e) => (e.type === 'send' ? e.command : undefined))).toEqual([
      { name: 'upgradeEndRequest', status: 'ABORT', ...ID },
    ]);
    // Querying again and receiving a block resets the count.
    c.step({ type: 'timer', timer: 'query' });
    const query = c.sentNow()[0];
    c.step(
      answer(
        { name: 'queryNextImageResponse', status: 'SUCCESS', ...ID, imageSize: 1000 },
        query?.type === 'send' ? query.transactionSequence : -1,
      ),
    );
    const request = c.sentNow()[0];
    c.step(
      answer(
        { name: 'imageBlockResponse', status: 'SUCCESS', ...ID, fileOffset: 0, data: new Uint8Array(64) },
        request?.type === 'send' ? request.transactionSequence : -1,
      ),
    );
    expect(c.state()).toMatchObject({ phase: 'downloading', aborts: 0, fileOffset: 64 });
  });

  it('says it failed after maxAborts aborted downloads in a row, and still polls', () => {
    const c = downloading({ ...CONFIG, profile: { ...DEVICE_PROFILES.IHD, maxRetries: 0 }, maxAborts: 2 });
    c.step({ type: 'timer', timer: 'response' });
    expect(c.state().phase).toBe('idle');
    const { effects: queried } = c.step({ type: 'timer', timer: 'query' });
    const query = queried.find((e) => e.type === 'send');
    c.step(
      answer(
        { name: 'queryNextImageResponse', status: 'SUCCESS', ...ID, imageSize: 1000 },
        query?.type === 'send' ? query.transactionSequence : -1,
      ),
    );
    expect(c.state().phase).toBe('downloading');
    const { effects } = c.step({ type: 'timer', timer: 'response' });
    expect(c.state()).toMatchObject({
      phase: 'failed',
      outcome: expect.stringMatching(/^2 downloads aborted in a row: no answer to 1 requests/),
    });
    expect(effects).toContainEqual({
      type: 'setTimer',
      timer: 'query',
      delayUs: DEVICE_PROFILES.IHD.queryIntervalS * 1_000_000,
    });
  });

  it('takes an unanswered query for no aborted download: back to rest, polling', () => {
    const c = stepper({ ...CONFIG, profile: { ...DEVICE_PROFILES.IHD, maxRetries: 1 } });
    c.step({ type: 'powerOn', runningVersion: 1 });
    c.step({ type: 'timer', timer: 'response' });
    const { effects } = c.step({ type: 'timer', timer: 'response' });
    expect(c.state()).toMatchObject({ phase: 'idle', aborts: 0, outcome: 'no answer to 2 queries' });
    expect(effects).toContainEqual({
      type: 'setTimer',
      timer: 'query',
      delayUs: DEVICE_PROFILES.IHD.queryIntervalS * 1_000_000,
    });
  });

  it('polls from every rest phase and comes back to the one it rested in when nothing is on offer', () => {
    for (const rest of ['idle', 'upgraded', 'failed'] as const) {
      const c = stepper();
      c.step({ type: 'powerOn', runningVersion: 1 });
      c.step(answer({ name: 'queryNextImageResponse', status: 'NO_IMAGE_AVAILABLE' }, 201));
      // Put it at rest in `rest` the way the client would have got there.
      const state = {
        ...c.state(),
        phase: rest,
        rest,
        outcome: rest === 'failed' ? 'why it failed' : undefined,
      };
      const { state: polled, effects } = stepClient(
        CONFIG,
        state,
        { type: 'timer', timer: 'query' },
        { nowUs: 0, utcNow: 0, rng: new RngStreams(1).stream('client') },
      );
      expect(polled.phase, rest).toBe('querying');
      const sent = effects.find((e) => e.type === 'send');
      const answered = stepClient(
        CONFIG,
        polled,
        answer(
          { name: 'queryNextImageResponse', status: 'NO_IMAGE_AVAILABLE' },
          sent?.type === 'send' ? sent.transactionSequence : -1,
        ),
        { nowUs: 0, utcNow: 0, rng: new RngStreams(1).stream('client') },
      );
      expect(answered.state.phase, rest).toBe(rest);
      expect(answered.effects, rest).toContainEqual({ type: 'nothingToFetch' });
      if (rest === 'failed') expect(answered.state.outcome).toBe('why it failed');
    }
  });

  it('answers a broadcast Image Notify with the probability its query jitter gives', () => {
    let answered = 0;
    for (let seed = 0; seed < 2000; seed++) {
      const c = stepper(CONFIG, seed);
      c.step({ type: 'powerOn', runningVersion: 1 });
      c.step(answer({ name: 'queryNextImageResponse', status: 'NO_IMAGE_AVAILABLE' }, 201));
      const { effects } = c.step({
        ...answer({ name: 'imageNotify', payloadType: 0, queryJitter: 25 }, 9),
        broadcast: true,
      } as ClientEvent);
      if (effects.some((e) => e.type === 'setTimer' && e.timer === 'query')) answered++;
    }
    expect(answered / 2000).toBeCloseTo(0.25, 1);
  });

  it('answers a unicast Image Notify at once, whatever its jitter and version say', () => {
    for (const notify of [
      { name: 'imageNotify', payloadType: 0, queryJitter: 1 },
      // Naming the version it runs, or another manufacturer: a broadcast would be ignored.
      { name: 'imageNotify', payloadType: 3, queryJitter: 1, ...ID, fileVersion: 1 },
      { name: 'imageNotify', payloadType: 1, queryJitter: 1, manufacturerCode: 0x9999 },
    ] as const) {
      const c = stepper(CONFIG, 7);
      c.step({ type: 'powerOn', runningVersion: 1 });
      c.step(answer({ name: 'queryNextImageResponse', status: 'NO_IMAGE_AVAILABLE' }, 201));
      c.step(answer(notify as OtaCommand, 9));
      expect(c.sentNow()).toMatchObject([{ type: 'send', command: { name: 'queryNextImageRequest' } }]);
      expect(c.state().phase).toBe('querying');
      if (notify.payloadType === 0) continue;
      // The same notify broadcast is ignored: it names the running version or another manufacturer.
      const broadcast = stepper(CONFIG, 7);
      broadcast.step({ type: 'powerOn', runningVersion: 1 });
      broadcast.step(answer({ name: 'queryNextImageResponse', status: 'NO_IMAGE_AVAILABLE' }, 201));
      const { effects } = broadcast.step({
        ...answer(notify as OtaCommand, 9),
        broadcast: true,
      } as ClientEvent);
      expect(effects).toEqual([]);
    }
  });

  it('refuses an offered image of size 0 or above the device limit', () => {
    for (const imageSize of [0, MAX_IMAGE_SIZE + 1]) {
      const c = stepper();
      c.step({ type: 'powerOn', runningVersion: 1 });
      c.step(answer({ name: 'queryNextImageResponse', status: 'SUCCESS', ...ID, imageSize }, 201));
      expect(c.state()).toMatchObject({
        phase: 'idle',
        outcome: `hub offered an image of ${imageSize} bytes`,
      });
      expect(c.sentNow()).toEqual([]);
    }
  });

  it('asks again hourly while told to wait, and ignores an Upgrade End Response for another image', () => {
    const c = downloaded({ ...CONFIG, maxDataSize: 64 });
    expect(c.state().phase).toBe('checking');
    c.step({ type: 'checked', result: { status: 'SUCCESS' } });
    c.step(
      answer({ name: 'upgradeEndResponse', ...ID, fileVersion: 9, currentTime: 0, upgradeTime: 0 }, 203),
    );
    expect(c.state().phase).toBe('ending');
    const { effects } = c.step(
      answer({ name: 'upgradeEndResponse', ...ID, currentTime: 0, upgradeTime: 'wait' }, 203),
    );
    expect(c.state()).toMatchObject({ phase: 'waiting', status: 'waitingToUpgrade' });
    expect(effects).toContainEqual({ type: 'setTimer', timer: 'endRetry', delayUs: 3_600_000_000 });
    c.step({ type: 'timer', timer: 'endRetry' });
    expect(c.sentNow()[0]).toMatchObject({
      command: { name: 'upgradeEndRequest', status: 'SUCCESS', ...ID },
    });
    // The release comes unsolicited, with the hub's own sequence number.
    c.step(answer({ name: 'upgradeEndResponse', ...ID, currentTime: 0, upgradeTime: 0 }, 77));
    expect(c.state()).toMatchObject({ phase: 'upgraded', runningVersion: 2 });
  });

  it('lets a GBCS device run its verified image on CS06 before the Upgrade End Response, and no one else', () => {
    const esme = { ...CONFIG, node: 'esme', profile: DEVICE_PROFILES.ESME };
    const held = (config: ClientConfig) => {
      // Nothing held yet: a CS06 while it queries activates nothing.
      const early = stepper(config);
      early.step({ type: 'powerOn', runningVersion: 1 });
      early.step({ type: 'activateHeld', reason: 'CS06' });
      expect(early.state().phase).toBe('querying');
      const c = downloaded(config);
      c.step({ type: 'activateHeld', reason: 'CS06' });
      expect(c.state().phase).toBe('checking'); // not verified yet
      c.step({ type: 'checked', result: { status: 'SUCCESS' } });
      expect(c.state()).toMatchObject({ phase: 'ending', status: 'downloadComplete' });
      return c;
    };
    const c = held(esme);
    const { effects } = c.step({ type: 'activateHeld', reason: 'CS06 Activate Firmware' });
    expect(c.state()).toMatchObject({ phase: 'upgraded', runningVersion: 2 });
    expect(effects).toContainEqual({ type: 'cancelTimer', timer: 'response' });
    expect(effects).toContainEqual({ type: 'activate', fileVersion: 2 });
    // The late Upgrade End Response changes nothing.
    c.step(answer({ name: 'upgradeEndResponse', ...ID, currentTime: 0, upgradeTime: 'wait' }, 203));
    expect(c.state()).toMatchObject({ phase: 'upgraded', runningVersion: 2 });
    // An IHD activates through the hub's Upgrade End Response only.
    const ihd = held(CONFIG);
    ihd.step({ type: 'activateHeld', reason: 'CS06' });
    expect(ihd.state()).toMatchObject({ phase: 'ending', runningVersion: 1 });
  });

  it('checks a whole image it held at a power loss again as it starts, and asks the hub only otherwise', () => {
    const target = { ...ID, imageSize: 300 };
    const c = stepper(CONFIG);
    const { effects } = c.step({ type: 'powerOn', runningVersion: 1, saved: { target, fileOffset: 300 } });
    expect(effects).toContainEqual({ type: 'checkImage', atBoot: true });
    expect(c.sentNow()).toEqual([]);
    expect(c.state()).toMatchObject({ phase: 'checking', target, fileOffset: 300 });
    // Part of an image, or the image it already runs: it asks the hub.
    for (const [runningVersion, fileOffset] of [
      [1, 120],
      [2, 300],
    ] as const) {
      const d = stepper(CONFIG);
      d.step({ type: 'powerOn', runningVersion, saved: { target, fileOffset } });
      expect(d.sentNow()[0]?.command.name).toBe('queryNextImageRequest');
    }
  });

  it('stays on its old firmware when the new one refuses to run, then declines that image when offered again', () => {
    const c = downloaded(CONFIG);
    c.step({ type: 'checked', result: { status: 'SUCCESS' }, reaction: { kind: 'refuse' } });
    const { effects } = c.step(
      answer({ name: 'upgradeEndResponse', ...ID, currentTime: 0, upgradeTime: 0 }, 203),
    );
    expect(effects).toContainEqual({ type: 'firmwareRefused', fileVersion: 2 });
    expect(effects).toContainEqual({ type: 'discardImage' });
    expect(effects.some((e) => e.type === 'activate')).toBe(false);
    expect(c.state()).toMatchObject({ phase: 'failed', runningVersion: 1, target: undefined });
    // Its next poll is offered the same image: declined at once (INVALID_IMAGE), nothing fetched.
    c.step({ type: 'timer', timer: 'query' });
    const q = c.sentNow()[0];
    expect(q?.command.name).toBe('queryNextImageRequest');
    const offered = c.step(
      answer(
        { name: 'queryNextImageResponse', status: 'SUCCESS', ...ID, imageSize: 300 },
        q?.transactionSequence as number,
      ),
    );
    expect(c.sentNow()[0]).toMatchObject({
      command: { name: 'upgradeEndRequest', status: 'INVALID_IMAGE', ...ID },
    });
    expect(offered.effects.some((e) => e.type === 'beginImage')).toBe(false);
    expect(c.state()).toMatchObject({ phase: 'failed', runningVersion: 1 });
  });

  it('runs an image that bricks the device, saying what it lost', () => {
    const c = downloaded(CONFIG);
    const reaction = { kind: 'brick', functions: ['display'] } as const;
    c.step({ type: 'checked', result: { status: 'SUCCESS' }, reaction });
    const { effects } = c.step(
      answer({ name: 'upgradeEndResponse', ...ID, currentTime: 0, upgradeTime: 0 }, 203),
    );
    expect(effects).toContainEqual({ type: 'activate', fileVersion: 2, reaction });
    expect(c.state()).toMatchObject({ phase: 'upgraded', runningVersion: 2, heldReaction: undefined });
  });

  it('applies, or holds for CS06, an image whose Upgrade End Requests all go unanswered', () => {
    const ending = (config: ClientConfig) => {
      const c = downloaded(config);
      c.step({ type: 'checked', result: { status: 'SUCCESS' } });
      expect(c.state().phase).toBe('ending');
      // The first request and maxRetries resends go unanswered.
      for (let k = 0; k < config.profile.maxRetries; k++) {
        c.step({ type: 'timer', timer: 'response' });
        expect(c.sentNow()[0]).toMatchObject({ command: { name: 'upgradeEndRequest', status: 'SUCCESS' } });
      }
      return c;
    };
    const ihd = ending(CONFIG);
    const applied = ihd.step({ type: 'timer', timer: 'response' });
    expect(ihd.state()).toMatchObject({ phase: 'upgraded', runningVersion: 2 });
    expect(applied.effects).toContainEqual({ type: 'activate', fileVersion: 2 });
    const esme = ending({ ...CONFIG, node: 'esme', profile: DEVICE_PROFILES.ESME });
    esme.step({ type: 'timer', timer: 'response' });
    expect(esme.state()).toMatchObject({ phase: 'waiting', status: 'waitingToUpgradeViaExternalEvent' });
    expect(esme.sentNow()).toEqual([]);
    esme.step({ type: 'activateHeld', reason: 'CS06' });
    expect(esme.state()).toMatchObject({ phase: 'upgraded', runningVersion: 2 });
  });
});
