/**
 * A device answering SR 11.2 Read Firmware Version: known answers from the DCC RTDS 4.5.0 (the ESME
 * is the one device whose key-agreement private key the DCC test PKI publishes, so its response
 * can be computed in full), each refusal stage, and a property that counters act per originator.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes/hex.ts';
import { ecdhP256 } from '../../src/crypto/key-agreement.ts';
import { readP256Key } from '../../src/crypto/keys.ts';
import {
  type FirmwareReadIdentity,
  sharedSecretWith,
  stepFirmwareRead,
} from '../../src/devices/gbcs-read.ts';
import { readFirmwareCommand } from '../../src/duis/dcc-read.ts';
import { dlmsInvokeId } from '../../src/gbcs/alerts.ts';
import { decodeGbcsMessage, encodeUnsignedGeneralSigning } from '../../src/gbcs/apdu.ts';
import { macedFirmwareReadResponse } from '../../src/gbcs/device-messages.ts';
import { encodeFirmwareReadCommand, FIRMWARE_READ_CODE } from '../../src/gbcs/firmware-read.ts';
import { checkMessage, DCC_TEST_ACB, deriveMacKey, sealNonCritical } from '../../src/gbcs/security.ts';
import { describeWithVectors, readVectorText } from '../helpers/vectors.ts';

const SUPPLIER = '90b3d51f30010000';
const ESME = '00db1234567890a0';
const key = (file: string) => readP256Key(readVectorText(`gbcs/keys/${file}`));
const rtds = (name: string) => fromHex(readVectorText(`gbcs/rtds-4.5.0/${name}`), name);
const VERSION = fromHex('0123abcd', 'version');

describeWithVectors('a device answering 11.2', () => {
  const esme: FirmwareReadIdentity = {
    device: ESME,
    keyAgreementPrivateKey: key(`${ESME}-ka.key`).privateKey as Uint8Array,
    acb: DCC_TEST_ACB,
    acbKeyAgreementKey: key(`${DCC_TEST_ACB}-ka.pem`).publicKey,
    parties: new Map([[SUPPLIER, key(`${SUPPLIER}-ka.pem`).publicKey]]),
    read: 'ecs52',
  };
  const command = rtds('ECS52_11.2_SUCCESS_COMMAND_GBCS.HEX');

  it('answers the RTDS ECS52 command with the RTDS ECS52 response, byte for byte', () => {
    const step = stepFirmwareRead(esme, new Map(), command, VERSION);
    expect(step.effect).toMatchObject({
      type: 'respond',
      to: SUPPLIER,
      counter: 1000n,
      invokeId: 0x200003e8,
    });
    if (step.effect.type !== 'respond') return;
    const response = macedFirmwareReadResponse(ESME, sharedSecretWith(esme, step.effect.to), step.effect);
    expect(toHex(response)).toBe(toHex(rtds('ECS52_11.2_SUCCESS_RESPONSE_GBCS.HEX')));
    expect(step.lastCounters.get(SUPPLIER)).toBe(1000n);
  });

  it('gives the RTDS CS08 response for the PPMID, MACed for the ACB', () => {
    // The PPMID's private key is not published: the same secret from the ACB's side.
    const z = ecdhP256(
      key(`${DCC_TEST_ACB}-ka.key`).privateKey as Uint8Array,
      key('00db1234567890a4-ka.pem').publicKey,
    );
    const response = macedFirmwareReadResponse('00db1234567890a4', z, {
      to: DCC_TEST_ACB,
      counter: 1300n,
      read: 'cs08',
      invokeId: 0,
      supplementary: { id: fromHex(SUPPLIER, 's'), counter: 1000n },
      version: VERSION,
    });
    expect(toHex(response)).toBe(toHex(rtds('CS08_11.2_SUCCESS_RESPONSE_GBCS.HEX')));
  });

  it('refuses a replay, another use case, a bad MAC, another recipient and an unknown originator, saying where', () => {
    const replay = stepFirmwareRead(esme, new Map([[SUPPLIER, 1000n]]), command, VERSION);
    expect(replay.effect).toMatchObject({ type: 'refused', stage: 'counter' });
    expect(stepFirmwareRead({ ...esme, read: 'gcs38' }, new Map(), command, VERSION).effect).toMatchObject({
      stage: 'messageCode',
    });
    const tampered = command.slice();
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] as number) ^ 1;
    expect(stepFirmwareRead(esme, new Map(), tampered, VERSION).effect).toMatchObject({ stage: 'mac' });
    expect(
      stepFirmwareRead({ ...esme, device: '00db1234567890ff' }, new Map(), command, VERSION).effect,
    ).toMatchObject({
      stage: 'recipient',
    });
    expect(
      stepFirmwareRead({ ...esme, parties: new Map() }, new Map(), command, VERSION).effect,
    ).toMatchObject({
      stage: 'originator',
    });
    expect(stepFirmwareRead(esme, new Map(), command.subarray(0, 20), VERSION).effect).toMatchObject({
      stage: 'decode',
    });
  });

  it('answers an ACB-originated read (as the DCC sends it) to the ACB, echoing the requester and its counter', () => {
    const acbKa = key(`${DCC_TEST_ACB}-ka.key`);
    const ring = {
      acb: DCC_TEST_ACB,
      parties: new Map([
        [DCC_TEST_ACB, { ka: { publicKey: acbKa.publicKey, privateKey: acbKa.privateKey as Uint8Array } }],
        [ESME, { ka: { publicKey: key(`${ESME}-ka.pem`).publicKey } }],
      ]),
    };
    const command = readFirmwareCommand(
      ring,
      ESME,
      'ecs52',
      { originator: SUPPLIER, target: ESME, counter: 77n },
      5000n,
    );
    const step = stepFirmwareRead(esme, new Map(), command, VERSION);
    expect(step.effect).toMatchObject({ type: 'respond', to: DCC_TEST_ACB, counter: 5000n });
    if (step.effect.type !== 'respond') return;
    expect(step.effect.supplementary && toHex(step.effect.supplementary.id)).toBe(SUPPLIER);
    expect(step.effect.supplementary?.counter).toBe(77n);
    // The response verifies for the ACB, who holds the other half of the secret.
    const response = decodeGbcsMessage(
      macedFirmwareReadResponse(ESME, sharedSecretWith(esme, DCC_TEST_ACB), step.effect),
    );
    expect(checkMessage(response, ring).mac).toEqual({ status: 'valid' });
  });

  it('refuses an unMACed read and one whose content is not the use case', () => {
    const bare = decodeGbcsMessage(command);
    if (bare.kind !== 'generalCiphering') throw new Error('not MACed');
    expect(
      stepFirmwareRead(esme, new Map(), encodeUnsignedGeneralSigning(bare.ciphering.signing), VERSION).effect,
    ).toMatchObject({
      stage: 'unprotected',
    });
    // Same headers, other content, MACed properly: refused for its content.
    const z = ecdhP256(
      key(`${DCC_TEST_ACB}-ka.key`).privateKey as Uint8Array,
      key(`${ESME}-ka.pem`).publicKey,
    );
    const message = { ...bare.ciphering.signing, content: Uint8Array.of(0x05, 0x00) };
    const sealed = sealNonCritical(
      message,
      deriveMacKey(z, message.originator, message.transactionId, message.recipient),
    );
    expect(stepFirmwareRead(esme, new Map(), sealed, VERSION).effect).toMatchObject({ stage: 'content' });
  });

  it('takes a command only when its counter is above the last from the same originator (model)', () => {
    const acbKa = key(`${DCC_TEST_ACB}-ka.key`).privateKey as Uint8Array;
    const z = ecdhP256(acbKa, key(`${ESME}-ka.pem`).publicKey);
    const seal = (originator: string, counter: bigint) => {
      const message = {
        transactionId: { cra: 'command', counter } as const,
        originator: fromHex(originator, 'o'),
        recipient: fromHex(ESME, 'r'),
        messageCode: FIRMWARE_READ_CODE.ecs52,
        content: encodeFirmwareReadCommand('ecs52', dlmsInvokeId(counter)),
      };
      return sealNonCritical(
        message,
        deriveMacKey(z, message.originator, message.transactionId, message.recipient),
      );
    };
    fc.assert(
      fc.property(
        fc.array(fc.record({ acb: fc.boolean(), counter: fc.bigInt({ min: 0n, max: 40n }) }), {
          maxLength: 12,
        }),
        (commands) => {
          const model = new Map<string, bigint>();
          let counters: ReadonlyMap<string, bigint> = new Map();
          for (const c of commands) {
            const originator = c.acb ? DCC_TEST_ACB : SUPPLIER;
            const step = stepFirmwareRead(esme, counters, seal(originator, c.counter), VERSION);
            const last = model.get(originator);
            const accepted = last === undefined || c.counter > last;
            expect(step.effect.type).toBe(accepted ? 'respond' : 'refused');
            if (accepted) model.set(originator, c.counter);
            counters = step.lastCounters;
            expect([...counters]).toEqual([...model]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
