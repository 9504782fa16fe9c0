/**
 * Known answers for SR 11.2 Read Firmware Version: the DCC RTDS 4.5.0 commands and responses of
 * CS08 (PPMID), ECS52 (ESME) and GCS38 (GSME), and the two 11.2 responses of DCC Boxed's data
 * (../shared/vectors/, see its README), with the DCC test PKI keys.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fromBase64 } from '../../src/bytes/base64.ts';
import { fromHex, toHex } from '../../src/bytes/hex.ts';
import { nodeIo } from '../../src/cli/context.ts';
import { readKeyDirectory } from '../../src/cli/key-directory.ts';
import {
  decodeGbcsMessage,
  encodeGeneralCiphering,
  encodeUnsignedGeneralSigning,
} from '../../src/gbcs/apdu.ts';
import {
  decodeFirmwareReadCommand,
  decodeFirmwareReadResponse,
  encodeFirmwareReadCommand,
  encodeFirmwareReadResponse,
  type FirmwareRead,
  firmwareReadOf,
} from '../../src/gbcs/firmware-read.ts';
import { checkMessage, DCC_TEST_ACB } from '../../src/gbcs/security.ts';
import { describeWithVectors, readVectorText, vectorPath } from '../helpers/vectors.ts';

const rtds = (name: string) => fromHex(readVectorText(`gbcs/rtds-4.5.0/${name}`), name);
const ciphering = (bytes: Uint8Array) => {
  const m = decodeGbcsMessage(bytes);
  if (m.kind !== 'generalCiphering') throw new Error('not General-Ciphering');
  return m.ciphering;
};

const CASES: readonly [string, FirmwareRead, string, bigint][] = [
  ['CS08', 'cs08', '00db1234567890a4', 1300n],
  ['ECS52', 'ecs52', '00db1234567890a0', 1000n],
  ['GCS38', 'gcs38', '00db1234567890a1', 1000n],
];

describeWithVectors('RTDS 4.5.0 SR 11.2 Read Firmware Version', () => {
  const ring = readKeyDirectory({ io: nodeIo, exit: () => {} }, vectorPath('gbcs/keys'), DCC_TEST_ACB);

  for (const [name, read, device, counter] of CASES) {
    it(`reads the ${name} command and response: message code, parties, the version 0123abcd`, () => {
      const command = ciphering(rtds(`${name}_11.2_SUCCESS_COMMAND_GBCS.HEX`)).signing;
      const response = ciphering(rtds(`${name}_11.2_SUCCESS_RESPONSE_GBCS.HEX`)).signing;
      expect(firmwareReadOf(command.messageCode)).toBe(read);
      expect(command.transactionId).toEqual({ cra: 'command', counter });
      expect(response.transactionId).toEqual({ cra: 'response', counter });
      expect(toHex(command.recipient)).toBe(device);
      expect(toHex(response.originator)).toBe(device);
      expect(command.signature).toBeUndefined();
      const invokeId = decodeFirmwareReadCommand(read, command.content, command.contentOffset);
      const answer = decodeFirmwareReadResponse(read, response.content, response.contentOffset);
      expect(toHex(answer.version)).toBe('0123abcd');
      expect(answer.invokeId).toBe(invokeId);
      // Encoding gives back the RTDS content byte for byte.
      expect(toHex(encodeFirmwareReadCommand(read, invokeId))).toBe(toHex(command.content));
      expect(toHex(encodeFirmwareReadResponse(read, answer.version, answer.invokeId))).toBe(
        toHex(response.content),
      );
    });

    it(`re-encodes the ${name} messages byte for byte, their empty signature field kept`, () => {
      for (const kind of ['COMMAND', 'RESPONSE']) {
        const bytes = rtds(`${name}_11.2_SUCCESS_${kind}_GBCS.HEX`);
        const c = ciphering(bytes);
        expect(toHex(encodeGeneralCiphering(encodeUnsignedGeneralSigning(c.signing), c.mac))).toBe(
          toHex(bytes),
        );
      }
    });

    it(`verifies the ${name} MACs: the command's by the Access Control Broker, the response's by the device for its recipient`, () => {
      for (const kind of ['COMMAND', 'RESPONSE']) {
        const checks = checkMessage(decodeGbcsMessage(rtds(`${name}_11.2_SUCCESS_${kind}_GBCS.HEX`)), ring);
        expect(checks.mac).toEqual({ status: 'valid' });
      }
    });
  }

  it('reads the ACB-originated form: CS08 carries the supplier and its counter 1000 as the supplementary remote party', () => {
    const command = ciphering(rtds('CS08_11.2_SUCCESS_COMMAND_GBCS.HEX')).signing;
    expect(toHex(command.originator)).toBe(DCC_TEST_ACB);
    expect(command.supplementary && toHex(command.supplementary.id)).toBe('90b3d51f30010000');
    expect(command.supplementary?.counter).toBe(1000n);
    const response = ciphering(rtds('CS08_11.2_SUCCESS_RESPONSE_GBCS.HEX')).signing;
    expect(toHex(response.recipient)).toBe(DCC_TEST_ACB);
    expect(response.supplementary?.counter).toBe(1000n);
  });

  it('reads the ECS52 responses DCC Boxed sent: to the ACB, for the supplier and the RequestID counter', () => {
    for (const [file, version] of [
      ['ECS52_11.2_SUCCESS_RESPONSE_DUIS.XML', '00020000'],
      ['11.2_READ_FIRMWARE_VERSION_RESPONSE_DUIS.XML', '0c230000'],
    ] as const) {
      const xml = readVectorText(`duis/templates/${file}`);
      const requestCounter = BigInt(/<sr:RequestID>[^<]*:(\d+)</.exec(xml)?.[1] ?? '0');
      const payload = fromBase64(/<sr:GBCSPayload>([^<]+)</.exec(xml)?.[1] ?? '', 'GBCSPayload');
      const c = ciphering(payload);
      expect(toHex(c.signing.recipient)).toBe(DCC_TEST_ACB);
      expect(c.signing.supplementary && toHex(c.signing.supplementary.id)).toBe('90b3d51f30010000');
      expect(c.signing.supplementary?.counter).toBe(requestCounter);
      expect(toHex(decodeFirmwareReadResponse('ecs52', c.signing.content).version)).toBe(version);
      expect(toHex(encodeGeneralCiphering(encodeUnsignedGeneralSigning(c.signing), c.mac))).toBe(
        toHex(payload),
      );
    }
  });
});

it('refuses content that is not the use case, naming the byte and its offset', () => {
  expect(() => decodeFirmwareReadCommand('cs08', Uint8Array.of(0x05, 0x01), 40)).toThrow(
    expect.objectContaining({ code: 'GBCS_CONTENT', offset: 41 }),
  );
  expect(() => decodeFirmwareReadResponse('gcs38', new Uint8Array(3))).toThrow(
    /3 bytes of content, expected 20/,
  );
  expect(() => encodeFirmwareReadResponse('ecs52', new Uint8Array(5))).toThrow(/5 bytes, expected 4/);
});

it('decodes what it encodes for every use case, and refuses every change of a fixed byte', () => {
  const reads: FirmwareRead[] = ['ecs52', 'gcs38', 'cs08'];
  fc.assert(
    fc.property(
      fc.constantFrom(...reads),
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.integer({ min: 0, max: 0xffff_ffff }),
      fc.nat(),
      (read, version, invoke, at) => {
        const invokeId = read === 'ecs52' ? invoke : 0;
        const response = encodeFirmwareReadResponse(read, version, invokeId);
        expect(decodeFirmwareReadResponse(read, response)).toEqual({ version, invokeId });
        expect(decodeFirmwareReadCommand(read, encodeFirmwareReadCommand(read, invokeId))).toBe(invokeId);
        // A flipped byte decodes as the same holes or is refused with its offset: never anything else.
        const mutated = response.slice();
        const i = at % mutated.length;
        mutated[i] = (mutated[i] as number) ^ 0xff;
        try {
          const got = decodeFirmwareReadResponse(read, mutated, 100);
          expect(toHex(encodeFirmwareReadResponse(read, got.version, got.invokeId))).toBe(toHex(mutated));
        } catch (error) {
          expect(error).toMatchObject({ code: 'GBCS_CONTENT', offset: 100 + i });
        }
      },
    ),
    { numRuns: 300 },
  );
});
