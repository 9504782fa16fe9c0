/**
 * DUIS responses out (src/duis/response.ts): every kind of response hanota writes, carrying the
 * RTDS 4.5.0 messages it would carry (a CS06 pre-command, a device's CS06 response, a firmware
 * receipt alert, a future-dated activation's outcome), validates against the DUIS 5.4 schema —
 * by libxml2 in-process and by Debian's `xmllint`, an independent validator — and reads back as
 * written.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { fromBase64 } from '../../src/bytes/base64.ts';
import { fromHex } from '../../src/bytes/hex.ts';
import { type DuisResponse, duisDateTime, RESPONSE_CODE, writeResponse } from '../../src/duis/response.ts';
import { parseXml } from '../../src/duis/xml.ts';
import { describeWithVectors, vectorPath } from '../helpers/vectors.ts';
import { systemTool } from '../helpers/xml-tools.ts';
import { duisSchema, SCHEMA_DIR } from './helpers.ts';

const rtds = (name: string) => fromHex(readFileSync(vectorPath(`gbcs/rtds-4.5.0/${name}`), 'utf8'), name);
const supplier = '90b3d51f30010000';
const esme = '00db1234567890a0';
const request = { originator: supplier, target: esme, counter: 1000n };
const reply = { originator: esme, target: supplier, counter: 1000n };
const at = Date.UTC(2025, 0, 15, 9, 0, 0, 790);

const RESPONSES: Record<string, DuisResponse> = {
  acknowledgement: {
    requestId: request,
    responseCode: RESPONSE_CODE.acknowledged,
    atMs: at,
    serviceReference: '11.2',
    serviceReferenceVariant: '11.2',
    body: { kind: 'plain' },
  },
  'unknown device': {
    requestId: { ...request, target: '00db1234567890ff' },
    responseCode: RESPONSE_CODE.unknownDevice,
    atMs: at,
    serviceReference: '11.3',
    serviceReferenceVariant: '11.3',
    body: { kind: 'plain' },
  },
  'pre-command': {
    requestId: request,
    responseCode: RESPONSE_CODE.success,
    atMs: at,
    serviceReference: '11.3',
    serviceReferenceVariant: '11.3',
    body: {
      kind: 'preCommand',
      gbcsVersion: '4.3',
      payload: rtds('CS06_11.3_IMMEDIATE_SUCCESS_PRECOMMAND_GBCS.HEX'),
    },
  },
  'CS06 response': {
    requestId: request,
    responseId: reply,
    responseCode: RESPONSE_CODE.success,
    atMs: at,
    serviceReference: '11.3',
    serviceReferenceVariant: '11.3',
    body: { kind: 'gbcsPayload', payload: rtds('CS06_11.3_IMMEDIATE_SUCCESS_RESPONSE_GBCS.HEX') },
  },
  '8F66 future-dated alert': {
    requestId: { ...request, counter: 1001n },
    responseId: { ...reply, counter: 1001n },
    responseCode: RESPONSE_CODE.success,
    atMs: at,
    serviceReference: '11.3',
    serviceReferenceVariant: '11.3',
    body: {
      kind: 'futureDatedAlert',
      alertCode: 0x8f66,
      payload: rtds('CS06_11.3_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS.HEX'),
      instruction: 1,
      instructions: 1,
    },
  },
  'update firmware warning': {
    requestId: { ...request, target: '90b3d51f30000002' },
    responseCode: RESPONSE_CODE.success,
    atMs: at,
    serviceReference: '11.1',
    serviceReferenceVariant: '11.1',
    body: {
      kind: 'firmwareWarning',
      ppmid: false,
      invalid: ['00db1234567890ff'],
      notApplicable: [esme, '00db1234567890a1'],
    },
  },
  '8F72 device alert': {
    responseId: { ...reply, counter: 7n },
    responseCode: RESPONSE_CODE.success,
    atMs: at,
    body: { kind: 'deviceAlert', alertCode: 0x8f72, payload: rtds('FDRA-DLMS_NA_8F72_ALERT_GBCS.HEX') },
  },
};

const xmllint = systemTool('xmllint');

describeWithVectors('DUIS responses out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hanota-duis-'));
  for (const [name, response] of Object.entries(RESPONSES))
    it(`writes the ${name} as a schema-valid sr:Response, by libxml2 and by xmllint`, () => {
      const text = writeResponse(response);
      const doc = parseXml(new TextEncoder().encode(text), name);
      expect(duisSchema().issues(doc)).toEqual([]);
      expect(doc.text('/sr:Response/sr:Header/sr:ResponseCode')).toBe(response.responseCode);
      expect(doc.text('/sr:Response/sr:Header/sr:ResponseDateTime')).toBe('2025-01-15T09:00:00.790Z');
      if ('payload' in response.body)
        expect(fromBase64(doc.text('/sr:Response/sr:Body//sr:GBCSPayload') ?? '', 'payload')).toEqual(
          response.body.payload,
        );
      if (xmllint) {
        const file = join(dir, `${name.replaceAll(' ', '-')}.xml`);
        writeFileSync(file, text);
        execFileSync(xmllint, ['--noout', '--nonet', '--schema', join(SCHEMA_DIR, 'duis-5.4.xsd'), file], {
          stdio: 'pipe',
        });
      }
      expect(writeResponse(response)).toBe(text);
    });

  it('refuses a ResponseMessage that names no service', () => {
    expect(() =>
      writeResponse({
        responseCode: 'I0',
        atMs: at,
        body: { kind: 'gbcsPayload', payload: new Uint8Array(1) },
      }),
    ).toThrow(/^serviceReference: /);
  });

  it('writes times as the DCC does, to the millisecond in UTC', () => {
    expect(duisDateTime(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(duisDateTime(Date.UTC(2030, 0, 15, 9, 0, 0, 5))).toBe('2030-01-15T09:00:00.005Z');
  });
});
