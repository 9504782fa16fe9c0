/**
 * The emulated DCC (src/duis/dcc.ts) over DCC Boxed's devices (`examples/duis/`: its ESME, GSME
 * and PPMID behind one hub) with the DCC test PKI: the supplier's whole firmware flow — 11.1
 * Update Firmware, the ESME's signed 0x8F72 alert, 11.3 as a transform, the pre-command signed by
 * the supplier and submitted back, the device's signed CS06 response — every document written
 * valid against the DUIS schema, every GBCS payload verifying with the parties' keys. Bad input
 * is refused by name, never crashes, and does not stop what comes after it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fromBase64 } from '../../src/bytes/base64.ts';
import { toHex } from '../../src/bytes/hex.ts';
import { signP256 } from '../../src/crypto/ecdsa-p256.ts';
import { readP256Key } from '../../src/crypto/keys.ts';
import type { DccDocument } from '../../src/duis/dcc.ts';
import { parseXml } from '../../src/duis/xml.ts';
import { checkDuisSignature } from '../../src/duis/xml-signature.ts';
import { decodeGbcsMessage, encodeGeneralSigning } from '../../src/gbcs/apdu.ts';
import { decodeCs06Response } from '../../src/gbcs/cs06.ts';
import { decodeFirmwareReadResponse, firmwareReadOf } from '../../src/gbcs/firmware-read.ts';
import { checkMessage } from '../../src/gbcs/security.ts';
import { describeWithVectors } from '../helpers/vectors.ts';
import {
  duisSchema,
  emulator,
  KEYS,
  SUPPLIER,
  signed,
  signedAsAcb,
  supplierKey,
  template,
  text,
  unsigned,
} from './helpers.ts';

/** Each document valid against the schema; its GBCS payload, if any. */
function payloadOf(doc: DccDocument): Uint8Array | undefined {
  const xml = parseXml(new TextEncoder().encode(doc.xml), 'out');
  expect(duisSchema().issues(xml)).toEqual([]);
  const b64 = xml.text('//sr:GBCSPayload');
  return b64 === undefined ? undefined : fromBase64(b64, 'GBCSPayload');
}

describeWithVectors('the emulated DCC', () => {
  it('runs 11.1 → 0x8F72 → 11.3 transform → signed pre-command → CS06 response, all signed and schema-valid', () => {
    const dcc = emulator();
    const update = dcc.submit(signed(text('11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML')), '11.1');
    expect(update.refusal).toBeUndefined();
    expect(update.documents.map((d) => d.code)).toEqual(['I0']);
    const alerts = dcc.settle();
    expect(alerts.map((d) => [d.kind, d.code, d.device])).toEqual([['alert', '8F72', '00db1234567890a0']]);
    const alert = decodeGbcsMessage(payloadOf(alerts[0] as DccDocument) as Uint8Array);
    expect(checkMessage(alert, dcc.ring).signature).toEqual({ status: 'valid' });

    // The supplier asks for the CS06 pre-command for the image it distributed…
    const activate = text('CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML').replace(
      /<sr:FirmwareHash>[0-9A-F]+</,
      '<sr:FirmwareHash>7542F475E3F12EAE887D81E32C46D313741D67076B13CAEC2F82E00BA5E1BB36<',
    );
    const transform = dcc.submit(signed(activate), '11.3');
    expect(transform.documents.map((d) => d.code)).toEqual(['I0']);
    const preCommand = payloadOf(transform.documents[0] as DccDocument) as Uint8Array;
    // …signs it with its own key…
    const signedPart = preCommand.subarray(1);
    const signedPreCommand = new Uint8Array([...preCommand, 0x40, ...signP256(signedPart, supplierKey())]);
    const message = decodeGbcsMessage(signedPreCommand);
    expect(message.kind).toBe('generalSigning');
    expect(
      encodeGeneralSigning({ ...(message.kind === 'generalSigning' ? message.signing : ({} as never)) }),
    ).toEqual(signedPreCommand);
    // …and submits it back as a Signed Pre-Command (CommandVariant 5).
    const submit = unsigned(activate)
      .replace('<sr:CommandVariant>4<', '<sr:CommandVariant>5<')
      .replace(
        /<sr:ActivateFirmware>[\s\S]*<\/sr:ActivateFirmware>/,
        `<sr:SignedPreCommand><sr:GBCSPayload>${Buffer.from(signedPreCommand).toString('base64')}</sr:GBCSPayload></sr:SignedPreCommand>`,
      );
    const ack = dcc.submit(signed(submit), 'cv5');
    expect(ack.refusal).toBeUndefined();
    expect(ack.documents.map((d) => d.code)).toEqual(['I99']);
    const responses = dcc.settle();
    expect(responses.map((d) => [d.kind, d.code, d.requestId])).toEqual([
      ['response', 'I0', '90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000'],
    ]);
    const response = decodeGbcsMessage(payloadOf(responses[0] as DccDocument) as Uint8Array);
    expect(checkMessage(response, dcc.ring).signature).toEqual({ status: 'valid' });
    if (response.kind !== 'generalSigning') throw new Error('not signed');
    expect(decodeCs06Response(response.signing.content)).toMatchObject({
      kind: 'executed',
      outcome: 'success',
    });
  });

  it('refuses a request whose XML signature does not verify, by name, and takes the next one', () => {
    const dcc = emulator();
    const forged = dcc.submit(template('CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML'), 'placeholder.xml');
    expect(forged.documents).toEqual([]);
    expect(forged.refusal).toMatchObject({ code: 'DUIS_SIGNATURE' });
    expect(forged.refusal?.message).toMatch(
      /^placeholder\.xml: 90-B3-D5-1F-30-01-00-00:00-DB-12-34-56-78-90-A0:1000: the XML signature does not verify/,
    );
    const next = dcc.submit(signed(text('CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML')), 'next.xml');
    expect(next.documents.map((d) => d.code)).toEqual(['I0']);
  });

  it('answers an unknown device with E19, refuses malformed and schema-invalid requests by line, and goes on', () => {
    const dcc = emulator(false);
    // Without keys no XML signature is checked: the template's placeholder is taken.
    const known = dcc.submit(template('CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML'), 'x');
    expect(known.documents.map((d) => d.code)).toEqual(['I0']);
    const other = text('CS06_11.3_IMMEDIATE_SUCCESS_REQUEST_DUIS.XML').replaceAll('90-A0:1000', '90-FF:1000');
    expect(dcc.submit(new TextEncoder().encode(other), 'unknown.xml').documents.map((d) => d.code)).toEqual([
      'E19',
    ]);
    const malformed = dcc.submit(new TextEncoder().encode('<sr:Request>'), 'malformed.xml');
    expect(malformed.refusal).toMatchObject({ code: 'XML_MALFORMED' });
    const invalid = dcc.submit(
      new TextEncoder().encode(
        text('CS08_11.2_SUCCESS_REQUEST_DUIS.XML').replace('<sr:CommandVariant>1<', '<sr:CommandVariant>11<'),
      ),
      'invalid.xml',
    );
    expect(invalid.refusal?.message).toMatch(
      /^invalid\.xml: not valid against the DUIS schema: line 5, \/sr:Request\/sr:Header\/sr:CommandVariant/,
    );
    const read = dcc.submit(template('ECS52_11.2_SUCCESS_REQUEST_DUIS.XML'), 'ecs52.xml');
    expect(read.documents.map((d) => d.code)).toEqual(['I99']);
  });

  it('reads the running version of each device through 11.2: ECS52, GCS38, CS08, MACed, for the requester', () => {
    const dcc = emulator();
    const cases = [
      ['ECS52_11.2_SUCCESS_REQUEST_DUIS.XML', '00db1234567890a0', 0x0059],
      ['GCS38_11.2_SUCCESS_REQUEST_DUIS.XML', '00db1234567890a1', 0x0084],
      ['CS08_11.2_SUCCESS_REQUEST_DUIS.XML', '00db1234567890a4', 0x0129],
    ] as const;
    for (const [file, device, messageCode] of cases) {
      // The CS08 template names the ACB as its originator: sign it as the ACB.
      const xml = text(file);
      const ack = dcc.submit(file.startsWith('CS08') ? signedAsAcb(xml) : signed(xml), file);
      expect(ack.refusal).toBeUndefined();
      expect(ack.documents.map((d) => d.code)).toEqual(['I99']);
      const [response, ...rest] = dcc.settle();
      expect(rest).toEqual([]);
      expect(response).toMatchObject({
        kind: 'response',
        code: 'I0',
        device,
        requestId: ack.documents[0]?.requestId,
      });
      const doc = parseXml(new TextEncoder().encode(response?.xml ?? ''), 'r');
      expect(doc.text('//sr:ServiceReference')).toBe('11.2');
      const requester = ack.documents[0]?.requestId?.split(':')[0];
      expect(doc.text('//sr:ResponseID')?.split(':').slice(1, 2)).toEqual([requester]);
      const message = decodeGbcsMessage(payloadOf(response as DccDocument) as Uint8Array);
      if (message.kind !== 'generalCiphering') throw new Error('not MACed');
      const signing = message.ciphering.signing;
      expect(signing.messageCode).toBe(messageCode);
      expect(checkMessage(message, dcc.ring).mac).toEqual({ status: 'valid' });
      const read = firmwareReadOf(signing.messageCode);
      // examples/duis/catalog.csv: every device runs firmware version 00000001.
      expect(read && toHex(decodeFirmwareReadResponse(read, signing.content).version)).toBe('00000001');
    }
  });

  it('lists in DSPUpdateFirmwareWarning the devices an image is not for, and distributes to the rest', () => {
    const dcc = emulator();
    const request = text('11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML').replace(
      '<sr:DeviceIDList>00-DB-12-34-56-78-90-A0<',
      '<sr:DeviceIDList>00-DB-12-34-56-78-90-A0,00-DB-12-34-56-78-90-A1,00-DB-12-34-56-78-90-FF<',
    );
    const answer = dcc.submit(signed(request), '11.1');
    const doc = parseXml(new TextEncoder().encode(answer.documents[0]?.xml ?? ''), 'w');
    expect(doc.text('//sr:InvalidDeviceIDList')).toBe('00-DB-12-34-56-78-90-FF');
    expect(doc.text('//sr:NotApplicableFirmwareDeviceIDList')).toBe('00-DB-12-34-56-78-90-A1');
    expect(dcc.settle().map((d) => [d.code, d.device])).toEqual([['8F72', '00db1234567890a0']]);
  });

  it('signs every response and alert as DCC Boxed does: with the ACB key, naming its certificate', () => {
    const dcc = emulator();
    const acb = readP256Key(readFileSync(join(KEYS, '90b3d51f30000002-ds.pem'), 'utf8')).publicKey;
    const supplierPublic = readP256Key(readFileSync(join(KEYS, `${SUPPLIER}-ds.pem`), 'utf8')).publicKey;
    const docs = [
      ...dcc.submit(signed(text('11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML')), '11.1').documents,
      ...dcc.settle(),
      ...dcc.submit(signed(text('ECS52_11.2_SUCCESS_REQUEST_DUIS.XML')), 'ecs52').documents,
      ...dcc.settle(),
    ];
    expect(docs.map((d) => d.code)).toEqual(['I0', '8F72', 'I99', 'I0']);
    for (const doc of docs) {
      expect(checkDuisSignature(doc.xml, acb)).toEqual({ status: 'valid' });
      expect(checkDuisSignature(doc.xml, supplierPublic).status).toBe('invalid');
      expect(doc.xml).toContain(
        '<ds:X509IssuerName>CN=Z1,OU=07</ds:X509IssuerName><ds:X509SerialNumber>117636141832862931915946451229571981153<',
      );
      payloadOf(doc);
    }
    // Without the test PKI the DCC has no key: its documents go unsigned.
    const bare = emulator(false).submit(template('ECS52_11.2_SUCCESS_REQUEST_DUIS.XML'), 'x').documents[0];
    expect(checkDuisSignature(bare?.xml ?? '', acb).status).toBe('unsigned');
  });
});
