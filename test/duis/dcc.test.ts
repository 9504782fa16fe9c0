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
import { DCC_ALERT_CODES } from '../../src/duis/dcc-alert.ts';
import { dashedEui } from '../../src/duis/request-id.ts';
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
    // The image reaches the hub (the CSP's delivery status), the ESME checks it (0x8F72), the hub
    // reports the transfer done (CCS08 0x8F8A).
    expect(alerts.map((d) => [d.kind, d.code, d.device])).toEqual([
      ['alert', DCC_ALERT_CODES.firmwareDelivered, '00db1234567890a0'],
      ['alert', '8F72', '00db1234567890a0'],
      ['alert', DCC_ALERT_CODES.commsHubAlert, '00db1234567890a0'],
    ]);
    const alert = decodeGbcsMessage(payloadOf(alerts[1] as DccDocument) as Uint8Array);
    expect(checkMessage(alert, dcc.ring).signature).toEqual({ status: 'valid' });
    const delivered = parseXml(new TextEncoder().encode(alerts[0]?.xml ?? ''), 'delivered');
    expect(delivered.text('//sr:CSPFirmwareDeliveryStatus/sr:UpdateFirmwareRequestID')).toBe(
      update.documents[0]?.requestId,
    );
    expect(delivered.text('//sr:CommsHubTransferStatus')).toBe('Success');
    const transfer = parseXml(new TextEncoder().encode(alerts[2]?.xml ?? ''), 'transfer');
    expect(transfer.text('//sr:CommsHubAlert/sr:CommsHubDeviceID')).toBe('00-DB-12-34-56-78-90-A2');
    expect(transfer.text('//sr:CommsHubAlert/sr:AlertCode')).toBe('8F8A');
    expect(transfer.text('//sr:FirmwareTransferAlert/sr:OtherDeviceID')).toBe('00-DB-12-34-56-78-90-A0');
    expect(transfer.text('//sr:FirmwareTransferAlert/sr:TransferResponseCode')).toBe('FileTransferSuccess');
    expect(transfer.text('//sr:FirmwareTransferAlert/sr:UpdateFirmwareRequestID')).toBe(
      update.documents[0]?.requestId,
    );

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
      // As DCC Boxed's: from the device, to the requester, with the requester's counter.
      const [requester, , counter] = ack.documents[0]?.requestId?.split(':') ?? [];
      expect(doc.text('//sr:ResponseID')).toBe(`${dashedEui(device)}:${requester}:${counter}`);
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
    expect(dcc.settle().map((d) => [d.code, d.device])).toEqual([
      [DCC_ALERT_CODES.firmwareDelivered, '00db1234567890a0'],
      ['8F72', '00db1234567890a0'],
      [DCC_ALERT_CODES.commsHubAlert, '00db1234567890a0'],
    ]);
  });

  it('answers 11.2 with another CommandVariant E12, and to an unknown device E19, sending nothing', () => {
    const dcc = emulator();
    const variant = text('ECS52_11.2_SUCCESS_REQUEST_DUIS.XML').replace(
      '<sr:CommandVariant>1<',
      '<sr:CommandVariant>2<',
    );
    expect(dcc.submit(signed(variant), 'cv2').documents.map((d) => d.code)).toEqual(['E12']);
    const unknown = text('ECS52_11.2_SUCCESS_REQUEST_DUIS.XML').replace('90-A0:1000', '90-FF:1000');
    expect(dcc.submit(signed(unknown), 'unknown').documents.map((d) => d.code)).toEqual(['E19']);
    expect(dcc.settle()).toEqual([]);
  });

  it('runs 11.4 to the PPMID: delivered to its hub, transferred (CCS08 0x8F8A), activated by the hub (PPMIDAlert 0x8F8B)', () => {
    const dcc = emulator();
    const update = dcc.submit(signed(text('11.4_UPDATE_PPMID_FIRMWARE_REQUEST_DUIS.XML')), '11.4');
    expect(update.documents.map((d) => d.code)).toEqual(['I0']);
    const alerts = dcc.settle();
    expect(alerts.map((d) => [d.kind, d.code, d.device])).toEqual([
      ['alert', DCC_ALERT_CODES.firmwareDelivered, '00db1234567890a4'],
      ['alert', DCC_ALERT_CODES.commsHubAlert, '00db1234567890a4'],
      ['alert', DCC_ALERT_CODES.ppmidAlert, '00db1234567890a4'],
    ]);
    for (const a of alerts) payloadOf(a);
    const ppmid = parseXml(new TextEncoder().encode(alerts[2]?.xml ?? ''), 'ppmid');
    expect(ppmid.text('//sr:PPMIDAlert/sr:DeviceID')).toBe('00-DB-12-34-56-78-90-A4');
    expect(ppmid.text('//sr:PPMIDAlert/sr:DeviceAlertCode')).toBe('8F8B');
    // DCC Boxed's PPMID image is version ACDCACDC (its OTA header's file version).
    expect(ppmid.text('//sr:PPMIDFirmwareUpgradeAlert/sr:FirmwareVersion')).toBe('ACDCACDC');
    expect(ppmid.text('//sr:ActivateImageResultCode')).toBe('ActivationSuccess');
    // The PPMID runs it: 11.2 (CS08) reads it back.
    dcc.submit(signedAsAcb(text('CS08_11.2_SUCCESS_REQUEST_DUIS.XML')), 'cs08');
    const [read] = dcc.settle();
    const message = decodeGbcsMessage(payloadOf(read as DccDocument) as Uint8Array);
    if (message.kind !== 'generalCiphering') throw new Error('not MACed');
    expect(toHex(decodeFirmwareReadResponse('cs08', message.ciphering.signing.content).version)).toBe(
      'acdcacdc',
    );
  });

  it('reports an image the hub has no room for: delivery failed (N61) and discarded (CCS08 FirmwareImageDiscarded)', () => {
    const dcc = emulator(true, { hub: { memory: { blockCount: 1, blockSize: 64 } } });
    expect(
      dcc.submit(signed(text('11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML')), '11.1').documents.map((d) => d.code),
    ).toEqual(['I0']);
    const alerts = dcc.settle();
    expect(alerts.map((d) => [d.code, d.device])).toEqual([
      [DCC_ALERT_CODES.firmwareDeliveryFailed, '00db1234567890a0'],
      [DCC_ALERT_CODES.commsHubAlert, '00db1234567890a0'],
    ]);
    for (const a of alerts) payloadOf(a);
    const failed = parseXml(new TextEncoder().encode(alerts[0]?.xml ?? ''), 'failed');
    expect(failed.text('//sr:CommsHubTransferStatus')).toBe('Failure');
    const discarded = parseXml(new TextEncoder().encode(alerts[1]?.xml ?? ''), 'discarded');
    expect(discarded.text('//sr:CommsHubAlert/sr:AlertCode')).toBe('8F89');
    expect(discarded.text('//sr:TransferResponseCode')).toBe('FirmwareImageDiscarded');
  });

  it('quarantines the distributions of a user over the Anomaly Detection Threshold, and alerts it (QuarantinedRequest)', () => {
    const dcc = emulator(true, { adt: { limit: 1, windowUs: 86_400_000_000 } });
    // Requests that distribute nothing do not count: a broken image is refused, an unknown device warned of.
    const broken = text('11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML').replace(
      /<sr:FirmwareImage>[^<]+</,
      '<sr:FirmwareImage>AAAA<',
    );
    expect(dcc.submit(signed(broken), 'broken').refusal).toMatchObject({ code: 'DUIS_IMAGE' });
    const nobody = text('11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML').replace('90-A0<', '90-FF<');
    expect(dcc.submit(signed(nobody), 'nobody').documents.map((d) => d.code)).toEqual(['I0']);
    const first = dcc.submit(signed(text('11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML')), 'first');
    expect(first.documents.map((d) => d.code)).toEqual(['I0']);
    dcc.settle();
    const second = dcc.submit(signed(text('11.4_UPDATE_PPMID_FIRMWARE_REQUEST_DUIS.XML')), 'second');
    expect(second.documents.map((d) => [d.kind, d.code])).toEqual([
      ['response', 'I99'],
      ['alert', DCC_ALERT_CODES.quarantinedRequest],
    ]);
    const alert = parseXml(new TextEncoder().encode(second.documents[1]?.xml ?? ''), 'q');
    expect(alert.text('//sr:ADUserThresholdBreach/sr:RequestID')).toBe(second.documents[0]?.requestId);
    expect(alert.text('//sr:ADUserThresholdBreach/sr:QuarantineEventRef')).toBe('1');
    for (const d of second.documents) payloadOf(d);
    // Held, not carried out: nothing reaches the PPMID.
    expect(dcc.settle()).toEqual([]);
    // Reads are not distributions: the threshold does not count them.
    expect(
      dcc.submit(signed(text('ECS52_11.2_SUCCESS_REQUEST_DUIS.XML')), 'read').documents.map((d) => d.code),
    ).toEqual(['I99']);
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
    expect(docs.map((d) => d.code)).toEqual([
      'I0',
      DCC_ALERT_CODES.firmwareDelivered,
      '8F72',
      DCC_ALERT_CODES.commsHubAlert,
      'I99',
      'I0',
    ]);
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
