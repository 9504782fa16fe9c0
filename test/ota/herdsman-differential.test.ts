/**
 * Differential test against zigbee-herdsman's `parseOtaImage` (an independent parser, the one
 * Zigbee2MQTT uses) on the same real files. Header fields must be equal. Sub-elements must be
 * equal except where herdsman is known to differ, and each difference is asserted, not skipped.
 */
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { parseOtaImage } from 'zigbee-herdsman/dist/controller/helpers/ota.js';
import { toHex } from '../../src/bytes/hex.ts';
import { type OtaImage, parseImage } from '../../src/ota/image.ts';
import { describeWithVectors, readVector, vectorPath } from '../helpers/vectors.ts';

function herdsman(input: Uint8Array) {
  return parseOtaImage(Buffer.from(input.buffer, input.byteOffset, input.byteLength));
}

function headerOf(image: OtaImage) {
  const h = image.header;
  return {
    otaUpgradeFileIdentifier: 0x0beef11e,
    otaHeaderVersion: h.headerVersion,
    otaHeaderLength: h.headerLength,
    otaHeaderFieldControl: h.fieldControl,
    manufacturerCode: h.manufacturerCode,
    imageType: h.imageType,
    fileVersion: h.fileVersion,
    zigbeeStackVersion: h.zigbeeStackVersion,
    otaHeaderString: new TextDecoder('utf-8').decode(h.headerString),
    totalImageSize: h.totalImageSize,
    ...(h.minimumHardwareVersion !== undefined && {
      minimumHardwareVersion: h.minimumHardwareVersion,
      maximumHardwareVersion: h.maximumHardwareVersion,
    }),
  };
}

describeWithVectors('hanota and zigbee-herdsman on the same files', () => {
  // The container and the truncated file have tests of their own below.
  const files = [
    ...readdirSync(vectorPath('zigbee-ota'))
      .filter((f) => !f.startsWith('tcl-') && !f.startsWith('10035515'))
      .map((f) => `zigbee-ota/${f}`),
    'gbcs/dcc-boxed/esme-update-firmware-11.1.ota',
  ];
  for (const file of files) {
    it(`agrees with herdsman on the header of ${file}`, () => {
      const input = readVector(file);
      expect(headerOf(parseImage(input))).toEqual({ ...herdsman(input).header });
    });
  }

  it('agrees on the sub-elements of every file both parse without a difference in 0xF000 handling', () => {
    for (const file of readdirSync(vectorPath('zigbee-ota'))) {
      if (file.startsWith('ZR_Smartplug') || file.startsWith('tcl-') || file.startsWith('10035515')) continue;
      const input = readVector(`zigbee-ota/${file}`);
      const ours = parseImage(input);
      if (ours.format !== 'zigbee') throw new Error(`${file}: expected zigbee`);
      const theirs = herdsman(input);
      expect(ours.elements.map((e) => [e.tag, e.length, toHex(e.data)])).toEqual(
        theirs.elements.map((e) => [e.tagId, e.length, e.data.toString('hex')]),
      );
    }
  });

  it('differs from herdsman on tag 0xF000, where herdsman skips two bytes and misreads the rest', () => {
    // herdsman treats 0xF000 as Telink's AES header and drops two bytes after the length. ZCL
    // §11.4.3 gives every tag, manufacturer-specific ones included, the same framing (tag,
    // length, data); in this file, with that framing, the four sub-elements tile the declared
    // size exactly, which herdsman's reading cannot: it ends on a sub-element whose length
    // (0x7ff8c328…) is two billion bytes and whose data is cut off at the end of the file.
    const input = readVector('zigbee-ota/ZR_Smartplug_SSIG_3.12.16.zigbee');
    const ours = parseImage(input);
    if (ours.format !== 'zigbee') throw new Error('expected zigbee');
    expect(ours.elements.map((e) => [e.tag, e.length])).toEqual([
      [0xf000, 18],
      [0x0000, 181032],
      [0xf001, 18],
      [0x0003, 16],
    ]);
    const theirs = herdsman(input);
    expect(theirs.elements.map((e) => e.tagId)).toEqual([0xf000, 0xc328]);
    expect(theirs.elements[0]?.data.length).toBe(18);
    const second = theirs.elements[1];
    expect(second?.length).toBe(2146959362);
    expect(second?.data.length).not.toBe(second?.length);
  });

  it('refuses the truncated file with a typed error where herdsman throws a RangeError from Buffer', () => {
    const input = readVector('zigbee-ota/tcl-1-zb-s_hw1.x_fw0.6.1_ota20.ota');
    expect(() => herdsman(input)).toThrow(RangeError);
    expect(() => parseImage(input)).toThrow(expect.objectContaining({ code: 'TRUNCATED' }));
  });

  it('finds the OTA file inside the container where herdsman refuses it, and then agrees on its header', () => {
    const input = readVector('zigbee-ota/10035515-TRADFRI-bulb-cws-2.3.093.ota.ota.signed');
    expect(() => herdsman(input)).toThrow(/Not a valid OTA file/);
    const ours = parseImage(input, { scan: true });
    expect(headerOf(ours)).toEqual({ ...herdsman(input.subarray(ours.offset)).header });
  });
});
