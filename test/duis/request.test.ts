/**
 * DUIS requests in (src/duis/request.ts, xml.ts, transform.ts), against DCC Boxed's templates and
 * the RTDS 4.5.0 pre-commands (`../shared/vectors/duis/templates`, `gbcs/rtds-4.5.0`): every
 * template validates against the DUIS 5.4 schema and reads as the request it is; the 11.3
 * templates (CommandVariant 4) transform to the RTDS CS06 pre-commands byte for byte; a
 * malformed document and a schema-invalid one are errors naming the line and the element.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { toHex } from '../../src/bytes/hex.ts';
import { sha256 } from '../../src/crypto/hashes.ts';
import { readRequest, utcOfXsDateTime } from '../../src/duis/request.ts';
import { cs06PreCommand } from '../../src/duis/transform.ts';
import { parseXml, XmlError } from '../../src/duis/xml.ts';
import { describeWithVectors, vectorPath } from '../helpers/vectors.ts';
import { duisSchema, requestTemplates, template } from './helpers.ts';

const rtds = (name: string) =>
  readFileSync(vectorPath(`gbcs/rtds-4.5.0/${name}`), 'utf8')
    .trim()
    .toLowerCase();

describeWithVectors('DUIS requests in', () => {
  it('finds the seven request templates of DCC Boxed', () => {
    expect(requestTemplates()).toHaveLength(7);
  });

  for (const name of requestTemplates())
    it(`validates ${name} against the DUIS 5.4 schema and reads its header`, () => {
      const doc = parseXml(template(name), name);
      expect(duisSchema().issues(doc)).toEqual([]);
      const request = readRequest(doc);
      expect(request.serviceReferenceVariant).toBe(name.match(/11\.\d/)?.[0]);
      expect(request.signed).toBe(true);
    });

  it('reads 11.1 Update Firmware: the image, its version and the devices listed', () => {
    const request = readRequest(parseXml(template('11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML'), '11.1'));
    expect(request.requestId).toEqual({
      originator: '90b3d51f30010000',
      target: '90b3d51f30000002',
      counter: 1000n,
    });
    expect(request.commandVariant).toBe(8);
    if (request.body.service !== '11.1') throw new Error('not 11.1');
    expect(request.body.deviceIds).toEqual(['00db1234567890a0']);
    expect(request.body.firmwareVersion).toBe('00000000');
    // The image the vectors README pins: its Manufacturer Image (bytes 60..294) hashes to 7542f4….
    expect(toHex(sha256(request.body.image.subarray(60, 295)))).toBe(
      '7542f475e3f12eae887d81e32c46d313741d67076b13caec2f82e00ba5e1bb36',
    );
    expect(request.body.image).toEqual(
      new Uint8Array(readFileSync(vectorPath('gbcs/dcc-boxed/esme-update-firmware-11.1.ota'))),
    );
  });

  for (const [kind, precommand] of [
    ['IMMEDIATE', 'CS06_11.3_IMMEDIATE_SUCCESS_PRECOMMAND_GBCS.HEX'],
    ['FUTURE_DATED', 'CS06_11.3_FUTURE_DATED_SUCCESS_PRECOMMAND_GBCS.HEX'],
  ] as const)
    it(`transforms the ${kind.toLowerCase().replace('_', '-')} 11.3 template to the RTDS CS06 pre-command byte for byte`, () => {
      const name = `CS06_11.3_${kind}_SUCCESS_REQUEST_DUIS.XML`;
      const request = readRequest(parseXml(template(name), name));
      expect(request.commandVariant).toBe(4);
      if (request.body.service !== '11.3') throw new Error('not 11.3');
      const bytes = cs06PreCommand({
        requestId: request.requestId,
        hash: request.body.hash,
        ...(request.body.executeAt !== undefined && { executeAt: request.body.executeAt }),
      });
      expect(toHex(bytes)).toBe(rtds(precommand));
    });

  it('reads an xs:dateTime as the UTC second GBCS counts in', () => {
    expect(utcOfXsDateTime('2030-01-15T09:00:00.00Z')).toBe('2030-01-15T09:00:00Z');
    expect(utcOfXsDateTime('2030-01-15T09:00:00')).toBe('2030-01-15T09:00:00Z');
    expect(utcOfXsDateTime('2030-01-01T00:30:00+01:00')).toBe('2029-12-31T23:30:00Z');
    expect(utcOfXsDateTime('2029-12-31T23:30:00.999-00:45')).toBe('2030-01-01T00:15:00Z');
  });

  it('names the line of a document that is not well-formed', () => {
    const bytes = new TextEncoder().encode('<?xml version="1.0"?>\n<sr:Request>\n  <a>\n</sr:Request>\n');
    expect(() => parseXml(bytes, 'broken.xml')).toThrow(XmlError);
    expect(() => parseXml(bytes, 'broken.xml')).toThrow(/^broken\.xml: not well-formed XML: line \d/);
  });

  it('names the line and the element a schema-invalid request is wrong at', () => {
    const text = new TextDecoder()
      .decode(template('CS08_11.2_SUCCESS_REQUEST_DUIS.XML'))
      .replace('<sr:CommandVariant>1</sr:CommandVariant>', '<sr:CommandVariant>11</sr:CommandVariant>');
    const doc = parseXml(new TextEncoder().encode(text), 'cs08.xml');
    const issues = duisSchema().issues(doc);
    expect(issues[0]).toMatchObject({ line: 5, element: '/sr:Request/sr:Header/sr:CommandVariant' });
    expect(() => duisSchema().check(doc)).toThrow(
      /^cs08\.xml: not valid against the DUIS schema: line 5, \/sr:Request\/sr:Header\/sr:CommandVariant: /,
    );
  });

  it('refuses a body that is not the one its ServiceReferenceVariant needs, naming both', () => {
    const text = new TextDecoder()
      .decode(template('CS08_11.2_SUCCESS_REQUEST_DUIS.XML'))
      .replaceAll('<sr:ServiceReferenceVariant>11.2<', '<sr:ServiceReferenceVariant>11.3<');
    const doc = parseXml(new TextEncoder().encode(text), 'cs08.xml');
    expect(() => readRequest(doc)).toThrow(
      /^cs08\.xml: line 9, sr:Body: ServiceReferenceVariant 11\.3 needs sr:ActivateFirmware, found sr:ReadFirmwareVersion$/,
    );
  });
});
