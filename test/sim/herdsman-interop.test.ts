/**
 * Interoperability with an independent OTA server: zigbee-herdsman's `OtaSession` (the one
 * Zigbee2MQTT uses) serves our device client — run by the node runtime scenarios use, over the
 * manual transport (the testing kit's harness) — through a small adapter standing in for
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
import { decodeOtaFrame } from '../../src/ota/frame-codec.ts';
import { parseImage } from '../../src/ota/image.ts';
import { HanHarness } from '../../src/testing/han-harness.ts';
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

/** Runs our client, in the node runtime scenarios use, against herdsman's OtaSession until the Upgrade End Response. */
async function downloadFromHerdsman(image: FixtureImage, maxDataSize: number) {
  const header = parseImage(image.file, image.parse).header;
  const buffer = Buffer.from(image.file);
  // The runtime with the manual transport: frames our client sends are taken out of flight and
  // handed to herdsman; herdsman's frames are put in flight and delivered to our client.
  const harness = new HanHarness({
    image: image.file,
    ...(image.parse && { parse: image.parse }),
    deviceTypes: ['IHD'],
    maxDataSize,
  });
  const node = harness.nodes[0] as string;
  const decodedByHerdsman: string[] = [];
  const decodedByUs: string[] = [];
  const waiters: Waiter[] = [];
  const unmatched: unknown[] = [];
  let session: Promise<unknown> | undefined;
  let finished = false;

  /** A server→client frame herdsman built, put in flight to our client. */
  const toClient = (bytes: Buffer) => harness.inject({ from: 'hub', to: node, bytes: new Uint8Array(bytes) });
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

  /** Moves frames between the runtime and herdsman until the Upgrade End Response has been handled. */
  const pump = async () => {
    for (let idle = 0; !finished; ) {
      const frame = harness.inFlight[0];
      if (!frame) {
        if (++idle > 1_000) throw new Error('interop: no frame in flight and herdsman sends none');
        await new Promise((r) => setImmediate(r));
        continue;
      }
      idle = 0;
      if (frame.to === 'hub') {
        harness.drop(0);
        toServer(frame.bytes);
        continue;
      }
      const decoded = decodeOtaFrame(frame.bytes);
      if (!decoded.ok)
        throw new Error(`our codec refused herdsman's frame ${toHex(frame.bytes)}: ${decoded.reason}`);
      decodedByUs.push(decoded.frame.command.name);
      harness.deliver(0);
      if (decoded.frame.command.name === 'upgradeEndResponse') finished = true;
    }
  };

  const pumping = pump();
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
  await pumping;
  const device = harness.device(node);
  return {
    state: device.state,
    bytes: device.bytes,
    runningVersion: device.runningVersion,
    decodedByHerdsman,
    decodedByUs,
  };
}

describe("our device client against zigbee-herdsman's OtaSession", () => {
  for (const image of [FIXTURE_IMAGES[2], FIXTURE_IMAGES[0]] as FixtureImage[]) {
    for (const maxDataSize of [64, 37]) {
      it(`downloads ${image.name} in blocks of ${maxDataSize} and activates it`, async () => {
        const { state, bytes, runningVersion, decodedByHerdsman, decodedByUs } = await downloadFromHerdsman(
          image,
          maxDataSize,
        );
        expect(toHex(sha256(bytes))).toBe(image.sha256);
        expect(state.phase).toBe('upgraded');
        expect(runningVersion).toBe(parseImage(image.file, image.parse).header.fileVersion);
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
