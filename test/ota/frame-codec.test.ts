/**
 * The OTA frame codec: round trips for every command, herdsman's traps caught (frames over
 * 250 bytes, dataSize against data, all-ones values, reserved image types), and arbitrary or
 * mutated bytes decoding to a frame or a MALFORMED_COMMAND/UNSUP_COMMAND result, never an
 * exception. Known answers are frames herdsman 10.9.5 itself produced.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes/hex.ts';
import type { OtaFrame } from '../../src/ota/commands.ts';
import { decodeOtaFrame, encodeOtaFrame, MAX_BLOCK_DATA } from '../../src/ota/frame-codec.ts';
import { otaFrames } from '../../src/testing/ota-frame-arbitraries.ts';
import { applyMutation, mutations } from '../../src/testing/ota-image-arbitraries.ts';

const ID = { manufacturerCode: 0x1234, imageType: 0x0101, fileVersion: 0x01020304 };

describe('encodeOtaFrame and decodeOtaFrame', () => {
  it('decode what they encode, for every command, status and optional field', () => {
    fc.assert(
      fc.property(otaFrames(), (frame) => {
        const bytes = encodeOtaFrame(frame);
        const decoded = decodeOtaFrame(bytes);
        expect(decoded).toEqual({ ok: true, frame });
      }),
      { numRuns: 1000 },
    );
  });

  it('match frames zigbee-herdsman produced', () => {
    const known: [string, OtaFrame][] = [
      [
        '110701003412010104030201',
        { transactionSequence: 7, command: { name: 'queryNextImageRequest', ...ID } },
      ],
      [
        '1107010134120101040302010200',
        { transactionSequence: 7, command: { name: 'queryNextImageRequest', ...ID, hardwareVersion: 2 } },
      ],
      [
        '190702003412010104030201e8030000',
        {
          transactionSequence: 7,
          command: { name: 'queryNextImageResponse', status: 'SUCCESS', ...ID, imageSize: 1000 },
        },
      ],
      [
        '19070298',
        { transactionSequence: 7, command: { name: 'queryNextImageResponse', status: 'NO_IMAGE_AVAILABLE' } },
      ],
      [
        '1107030034120101040302016400000032',
        {
          transactionSequence: 7,
          command: { name: 'imageBlockRequest', ...ID, fileOffset: 100, maximumDataSize: 50 },
        },
      ],
      [
        '190705003412010104030201640000000401020304',
        {
          transactionSequence: 7,
          command: {
            name: 'imageBlockResponse',
            status: 'SUCCESS',
            ...ID,
            fileOffset: 100,
            data: Uint8Array.of(1, 2, 3, 4),
          },
        },
      ],
      [
        '19070597e803000024040000f401',
        {
          transactionSequence: 7,
          command: {
            name: 'imageBlockResponse',
            status: 'WAIT_FOR_DATA',
            currentTime: 1000,
            requestTime: 1060,
            minimumBlockPeriod: 500,
          },
        },
      ],
      ['19070595', { transactionSequence: 7, command: { name: 'imageBlockResponse', status: 'ABORT' } }],
      [
        '110706003412010104030201',
        { transactionSequence: 7, command: { name: 'upgradeEndRequest', status: 'SUCCESS', ...ID } },
      ],
      [
        '19070734120101040302010000000001000000',
        {
          transactionSequence: 7,
          command: { name: 'upgradeEndResponse', ...ID, currentTime: 0, upgradeTime: 1 },
        },
      ],
    ];
    for (const [hex, frame] of known) {
      expect(toHex(encodeOtaFrame(frame)), frame.command.name).toBe(hex);
      expect(decodeOtaFrame(fromHex(hex, 'frame'))).toEqual({ ok: true, frame });
    }
  });

  it('maps upgradeTime 0xFFFFFFFF to wait and back', () => {
    const frame: OtaFrame = {
      transactionSequence: 1,
      command: { name: 'upgradeEndResponse', ...ID, currentTime: 5, upgradeTime: 'wait' },
    };
    const bytes = encodeOtaFrame(frame);
    expect(toHex(bytes.subarray(bytes.length - 4))).toBe('ffffffff');
    expect(decodeOtaFrame(bytes)).toEqual({ ok: true, frame });
  });

  it('refuses a frame herdsman would truncate, instead of truncating it', () => {
    const data = new Uint8Array(MAX_BLOCK_DATA + 1);
    expect(() =>
      encodeOtaFrame({
        transactionSequence: 1,
        command: { name: 'imageBlockResponse', status: 'SUCCESS', ...ID, fileOffset: 0, data },
      }),
    ).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    const fits = encodeOtaFrame({
      transactionSequence: 1,
      command: {
        name: 'imageBlockResponse',
        status: 'SUCCESS',
        ...ID,
        fileOffset: 0,
        data: data.subarray(1),
      },
    });
    expect(fits.length).toBe(250);
  });

  it('refuses reserved image types in requests with a typed error', () => {
    expect(() =>
      encodeOtaFrame({
        transactionSequence: 1,
        command: { name: 'queryNextImageRequest', ...ID, imageType: 0xffff },
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'IMAGE_TYPE_RESERVED',
        message: expect.stringMatching(/^imageType: 0xffff/),
      }),
    );
  });

  it('reports dataSize disagreeing with the data as malformed (herdsman does not check)', () => {
    const good = fromHex('190705003412010104030201640000000401020304', 'f');
    expect(decodeOtaFrame(good.subarray(0, good.length - 2))).toMatchObject({
      ok: false,
      status: 'MALFORMED_COMMAND',
      reason: expect.stringContaining('dataSize 4 but 2 bytes'),
    });
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    expect(decodeOtaFrame(longer)).toMatchObject({ ok: false, status: 'MALFORMED_COMMAND' });
  });

  it('decodes and encodes the Default Response a server sends, as herdsman frames it', () => {
    // ZCL r8 §2.5.12: general frame, server to client, disable default response; command 0x0B;
    // the id of the command answered (0x06 Upgrade End Request) and the status (SUCCESS).
    const bytes = fromHex('18070b0600', 'f');
    expect(decodeOtaFrame(bytes)).toEqual({
      ok: true,
      frame: {
        transactionSequence: 7,
        command: { name: 'defaultResponse', commandId: 6, status: 'SUCCESS' },
      },
    });
    expect(
      toHex(
        encodeOtaFrame({
          transactionSequence: 7,
          command: { name: 'defaultResponse', commandId: 6, status: 'SUCCESS' },
        }),
      ),
    ).toBe('18070b0600');
    expect(decodeOtaFrame(fromHex('18090b0181', 'f'))).toMatchObject({
      ok: true,
      frame: { command: { name: 'defaultResponse', commandId: 1, status: 'UNSUP_COMMAND' } },
    });
  });

  it('reports truncated and padded frames, wrong directions and global commands without throwing', () => {
    expect(decodeOtaFrame(fromHex('1107060034120101040302', 'f'))).toMatchObject({
      ok: false,
      status: 'MALFORMED_COMMAND',
    });
    expect(decodeOtaFrame(fromHex('11070600341201010403020100', 'f'))).toMatchObject({
      ok: false,
      status: 'MALFORMED_COMMAND',
    });
    expect(decodeOtaFrame(fromHex('19070600341201010403020100', 'f'))).toMatchObject({
      ok: false,
      status: 'UNSUP_COMMAND',
    });
    // A general command other than the Default Response (0x0A Report Attributes) is not ours.
    expect(decodeOtaFrame(fromHex('18070a0000', 'f'))).toMatchObject({ ok: false, status: 'UNSUP_COMMAND' });
    // A Default Response sent by a client (direction bit clear) is not one the hub takes.
    expect(decodeOtaFrame(fromHex('10070b0600', 'f'))).toMatchObject({ ok: false, status: 'UNSUP_COMMAND' });
    expect(decodeOtaFrame(fromHex('1107', 'f'))).toMatchObject({ ok: false, status: 'MALFORMED_COMMAND' });
  });

  it('gives a frame or a MALFORMED_COMMAND/UNSUP_COMMAND result for arbitrary and mutated bytes', () => {
    const check = (bytes: Uint8Array) => {
      const result = decodeOtaFrame(bytes);
      if (result.ok) expect(toHex(encodeOtaFrame(result.frame)).slice(6)).toBe(toHex(bytes).slice(6));
      else expect(['MALFORMED_COMMAND', 'UNSUP_COMMAND']).toContain(result.status);
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), check), { numRuns: 1000 });
    fc.assert(
      fc.property(otaFrames(), fc.array(mutations(), { minLength: 1, maxLength: 3 }), (frame, ms) =>
        check(ms.reduce(applyMutation, encodeOtaFrame(frame))),
      ),
      { numRuns: 1000 },
    );
  });
});
