/**
 * Interoperability with an independent OTA server: zigbee-herdsman's `OtaSession` (the one
 * Zigbee2MQTT uses) serves our device client, through a small adapter standing in for
 * herdsman's Device/Endpoint. Every frame our client sends decodes with herdsman's
 * `Zcl.Frame`, every frame herdsman sends decodes with our codec, and the client assembles the
 * image byte for byte. The adapter answers the Query Next Image Request and sends the Upgrade
 * End Response itself, as herdsman's `Device.updateOta` does around the session.
 */

import { describe, expect, it } from 'vitest';
import { OtaSession, parseOtaImage } from 'zigbee-herdsman/dist/controller/helpers/ota.js';
import { setLogger } from 'zigbee-herdsman/dist/utils/logger.js';
import { Direction, Frame, FrameType, Header } from 'zigbee-herdsman/dist/zspec/zcl/index.js';
import { toHex } from '../../src/bytes/hex.ts';
import { sha256 } from '../../src/crypto/hashes.ts';
import { checkDownloadedImage } from '../../src/devices/image-check.ts';
import { stepClient } from '../../src/devices/ota-client.ts';
import {
  type ClientConfig,
  type ClientEvent,
  type ClientState,
  initialClientState,
} from '../../src/devices/ota-client-state.ts';
import { DEVICE_PROFILES } from '../../src/devices/profiles.ts';
import { DeviceStorage } from '../../src/devices/storage.ts';
import { decodeOtaFrame, encodeOtaFrame } from '../../src/ota/frame-codec.ts';
import { parseImage } from '../../src/ota/image.ts';
import { RngStreams } from '../../src/sim/rng.ts';
import { FIXTURE_IMAGES, type FixtureImage } from '../helpers/sim.ts';

// herdsman logs every block at debug level to the console: keep errors only.
const quiet = () => {};
setLogger({
  debug: quiet,
  info: quiet,
  warning: quiet,
  error: (message: unknown) => console.error(message),
} as never);

interface Waiter {
  readonly commandId: number;
  readonly resolve: (frame: unknown) => void;
}

/** Runs our client against herdsman's OtaSession until the Upgrade End Response. */
async function downloadFromHerdsman(image: FixtureImage, maxDataSize: number) {
  const header = parseImage(image.file, image.parse).header;
  const buffer = Buffer.from(image.file);
  const config: ClientConfig = {
    node: 'device',
    profile: DEVICE_PROFILES.IHD,
    manufacturerCode: header.manufacturerCode,
    imageType: header.imageType,
    maxDataSize,
    maxAborts: 3,
  };
  const storage = new DeviceStorage(header.fileVersion - 1);
  const rng = new RngStreams(1).stream('interop');
  let state: ClientState = initialClientState(header.fileVersion - 1);
  const decodedByHerdsman: string[] = [];
  const decodedByUs: string[] = [];
  const waiters: Waiter[] = [];
  const unmatched: unknown[] = [];
  let session: Promise<unknown> | undefined;
  let finished!: () => void;
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });

  /** A server→client frame herdsman built, delivered to our client on a later turn. */
  const toClient = (bytes: Buffer) =>
    setImmediate(() => {
      const decoded = decodeOtaFrame(new Uint8Array(bytes));
      if (!decoded.ok)
        throw new Error(`our codec refused herdsman's frame ${bytes.toString('hex')}: ${decoded.reason}`);
      decodedByUs.push(decoded.frame.command.name);
      step({
        type: 'frame',
        command: decoded.frame.command,
        transactionSequence: decoded.frame.transactionSequence,
      });
      if (decoded.frame.command.name === 'upgradeEndResponse') finished();
    });
  /** herdsman builds a server→client frame, as its Endpoint.commandResponse does. */
  const respond = (command: string, payload: Record<string, unknown>, transactionSequence: number) =>
    toClient(
      Frame.create(
        FrameType.SPECIFIC,
        Direction.SERVER_TO_CLIENT,
        true,
        undefined,
        transactionSequence,
        command,
        'genOta',
        payload,
        {},
      ).toBuffer(),
    );
  const endpoint = {
    ID: 1,
    commandResponse: async (
      _cluster: string,
      command: string,
      payload: Record<string, unknown>,
      _options: unknown,
      transactionSequence: number,
    ) => respond(command, payload, transactionSequence),
  };
  const waitForOtaCommand = (_endpoint: number, commandId: number) => {
    let resolve!: (frame: unknown) => void;
    const promise = new Promise((r) => {
      resolve = r;
    });
    const queued = unmatched.findIndex((f) => (f as { command: { ID: number } }).command.ID === commandId);
    if (queued >= 0) resolve(unmatched.splice(queued, 1)[0]);
    else waiters.push({ commandId, resolve });
    const cancel = () => {
      const at = waiters.findIndex((w) => w.resolve === resolve);
      if (at >= 0) waiters.splice(at, 1);
    };
    return { promise, cancel };
  };

  /** A client→server frame our codec built, decoded by herdsman and handed to the session. */
  const toServer = (bytes: Uint8Array) => {
    const buf = Buffer.from(bytes);
    const frame = Frame.fromBuffer(0x0019, Header.fromBuffer(buf), buf, {});
    decodedByHerdsman.push(frame.command.name);
    const id = frame.command.ID;
    if (frame.command.name === 'queryNextImageRequest') {
      const otaImage = parseOtaImage(buffer);
      session ??= new OtaSession(
        '0x00124b0000000001',
        endpoint as never,
        otaImage,
        () => {},
        { requestTimeout: 10_000, responseDelay: 0, baseSize: 64 },
        waitForOtaCommand as never,
      ).run(new AbortController().signal);
      respond(
        'queryNextImageResponse',
        {
          status: 0,
          manufacturerCode: header.manufacturerCode,
          imageType: header.imageType,
          fileVersion: header.fileVersion,
          imageSize: image.file.length,
        },
        frame.header.transactionSequenceNumber,
      );
      return;
    }
    const waiter = waiters.findIndex((w) => w.commandId === id);
    if (waiter >= 0) waiters.splice(waiter, 1)[0]?.resolve(frame);
    else unmatched.push(frame);
  };

  const step = (event: ClientEvent): void => {
    const result = stepClient(config, state, event, { nowUs: 0, utcNow: 0, rng });
    state = result.state;
    for (const effect of result.effects) {
      if (effect.type === 'send') {
        toServer(
          encodeOtaFrame({ transactionSequence: effect.transactionSequence, command: effect.command }),
        );
      } else if (effect.type === 'beginImage') storage.begin(effect.target);
      else if (effect.type === 'store') storage.write(effect.fileOffset, effect.data);
      else if (effect.type === 'checkImage') {
        const saved = storage.saved();
        if (saved) {
          const result = checkDownloadedImage(storage.bytes(), { target: saved.target, parse: image.parse });
          setImmediate(() => step({ type: 'checked', result }));
        }
      } else if (effect.type === 'activate') storage.activate(effect.fileVersion);
    }
  };

  step({ type: 'powerOn', runningVersion: storage.runningVersion });
  const end = (await session) as {
    header: { transactionSequenceNumber: number };
    payload: { status: number };
  };
  expect(end.payload.status).toBe(0);
  respond(
    'upgradeEndResponse',
    {
      manufacturerCode: header.manufacturerCode,
      imageType: header.imageType,
      fileVersion: header.fileVersion,
      currentTime: 100,
      upgradeTime: 100,
    },
    end.header.transactionSequenceNumber,
  );
  await done;
  return { state, storage, decodedByHerdsman, decodedByUs };
}

describe("our device client against zigbee-herdsman's OtaSession", () => {
  for (const image of [FIXTURE_IMAGES[2], FIXTURE_IMAGES[0]] as FixtureImage[]) {
    for (const maxDataSize of [64, 37]) {
      it(`downloads ${image.name} in blocks of ${maxDataSize} and activates it`, async () => {
        const { state, storage, decodedByHerdsman, decodedByUs } = await downloadFromHerdsman(
          image,
          maxDataSize,
        );
        expect(toHex(sha256(storage.bytes()))).toBe(image.sha256);
        expect(state.phase).toBe('upgraded');
        expect(storage.runningVersion).toBe(parseImage(image.file, image.parse).header.fileVersion);
        const blocks = Math.ceil(image.file.length / maxDataSize);
        expect(decodedByHerdsman).toEqual([
          'queryNextImageRequest',
          ...Array(blocks).fill('imageBlockRequest'),
          'upgradeEndRequest',
        ]);
        expect(decodedByUs).toEqual([
          'queryNextImageResponse',
          ...Array(blocks).fill('imageBlockResponse'),
          'upgradeEndResponse',
        ]);
      });
    }
  }
});
