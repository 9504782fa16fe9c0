/**
 * Properties of the image codecs: build → parse is the identity, parse → build reproduces the
 * bytes (on generated files and on the real vectors), and arbitrary or mutated bytes give a
 * typed `DecodeError` or a valid parse, never another exception.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../src/bytes/byte-writer.ts';
import { DecodeError } from '../../src/errors/errors.ts';
import { OTA_FILE_IDENTIFIER, OTA_HEADER_VERSION } from '../../src/ota/constants.ts';
import { buildGbcsImage, type GbcsImage, parseGbcsImage } from '../../src/ota/gbcs-image.ts';
import {
  headerLengthFor,
  headerStringFromText,
  type OtaHeader,
  type OtaHeaderFields,
} from '../../src/ota/header.ts';
import { type OtaImage, parseImage } from '../../src/ota/image.ts';
import { buildZigbeeImage, parseZigbeeImage, type ZigbeeImage } from '../../src/ota/zigbee-image.ts';
import {
  gbcsImageInputs,
  mutatedOtaImageBytes,
  zigbeeImageInputs,
} from '../../src/testing/ota-image-arbitraries.ts';
import { describeWithVectors, readVector } from '../helpers/vectors.ts';

const HEADER: OtaHeaderFields = {
  manufacturerCode: 0x1234,
  imageType: 0,
  fileVersion: 1,
  zigbeeStackVersion: 2,
  headerString: headerStringFromText('form test'),
};

/** The builder's view of a decoded header (derived fields dropped). */
function fieldsOf(header: OtaHeader): OtaHeaderFields {
  const { headerVersion: _v, headerLength: _l, fieldControl: _f, totalImageSize: _t, ...fields } = header;
  return { ...fields, headerString: fields.headerString.slice() };
}

function rebuild(image: OtaImage): Uint8Array {
  if (image.format === 'zigbee') {
    return buildZigbeeImage({
      header: fieldsOf(image.header),
      elements: image.elements.map(({ tag, data }) => ({ tag, data })),
    });
  }
  return buildGbcsImage({
    header: fieldsOf(image.header),
    manufacturerImage: image.manufacturerImage.data,
    ...(image.signature && { signature: { flag: image.signature.flag, value: image.signature.value } }),
  });
}

describe('ZigBee OTA file codec', () => {
  it('parses what it builds back to the same header and elements', () => {
    fc.assert(
      fc.property(zigbeeImageInputs(), (input) => {
        const bytes = buildZigbeeImage(input);
        const image: ZigbeeImage = parseZigbeeImage(bytes);
        expect(fieldsOf(image.header)).toEqual({ ...input.header, headerString: input.header.headerString });
        expect(image.elements.map(({ tag, data }) => ({ tag, data }))).toEqual(input.elements);
        expect(image.trailingBytes).toBe(0);
        expect(rebuild(image)).toEqual(bytes);
      }),
    );
  });
});

describe('GBCS OTA Upgrade Image codec', () => {
  it('parses what it builds back to the same header, Manufacturer Image and signature', () => {
    fc.assert(
      fc.property(gbcsImageInputs(), (input) => {
        const bytes = buildGbcsImage(input);
        const image: GbcsImage = parseGbcsImage(bytes, { signed: input.signature !== undefined });
        expect(fieldsOf(image.header)).toEqual(input.header);
        expect(image.manufacturerImage.data).toEqual(input.manufacturerImage);
        expect(image.signature && { flag: image.signature.flag, value: image.signature.value }).toEqual(
          input.signature,
        );
        expect(rebuild(image)).toEqual(bytes);
      }),
    );
  });
});

describe('decoding untrusted bytes', () => {
  function parsesOrDecodeError(bytes: Uint8Array): void {
    for (const format of ['auto', 'zigbee', 'gbcs'] as const) {
      for (const scan of [false, true]) {
        try {
          const image = parseImage(bytes, { format, scan });
          expect(image.offset + image.header.totalImageSize + image.trailingBytes).toBe(bytes.length);
          expect(rebuild(image)).toEqual(image.bytes);
        } catch (error) {
          if (!(error instanceof DecodeError)) throw error;
          expect(error.offset).toBeGreaterThanOrEqual(0);
          expect(error.offset).toBeLessThanOrEqual(bytes.length);
          expect(error.message).toMatch(/^[a-zA-Z[\]0-9.]+/);
        }
      }
    }
  }

  it('gives a DecodeError or a valid parse for arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), parsesOrDecodeError));
  });

  it('gives a DecodeError or a valid parse for mutated valid files', () => {
    fc.assert(fc.property(mutatedOtaImageBytes(), parsesOrDecodeError), { numRuns: 500 });
  });

  it('gives a DecodeError or a valid parse for arbitrary bytes behind a consistent header start', () => {
    // Identifier, version, a field control and the header length it implies: the decoder gets
    // past the header checks and into sizes, optional fields and sub-elements.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 7 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.boolean(),
        (fieldControl, tail, fitSize) => {
          const prefix = new ByteWriter({ littleEndian: true })
            .u32(OTA_FILE_IDENTIFIER, 'identifier')
            .u16(OTA_HEADER_VERSION, 'headerVersion')
            .u16(headerLengthFor(fieldControl), 'headerLength')
            .u16(fieldControl, 'fieldControl')
            .finish();
          const bytes = new Uint8Array(prefix.length + tail.length);
          bytes.set(prefix);
          bytes.set(tail, prefix.length);
          // Half the time the declared total size is the real one, so sub-element decoding runs.
          if (fitSize && bytes.length >= 56) new DataView(bytes.buffer).setUint32(52, bytes.length, true);
          parsesOrDecodeError(bytes);
        },
      ),
    );
  });
});

describe('the GBCS form', () => {
  it('is detected from the last bytes unless declared, and a declaration always reads right', () => {
    fc.assert(
      fc.property(gbcsImageInputs(), (input) => {
        const bytes = buildGbcsImage(input);
        const declared = parseImage(bytes, { format: 'gbcs', signed: input.signature !== undefined });
        expect(declared.format === 'gbcs' && declared.form).toBe('declared');
        expect(rebuild(declared)).toEqual(bytes);
        const detected = parseImage(bytes, { format: 'gbcs' });
        expect(detected.format === 'gbcs' && detected.form).toBe('detected');
        // Detection is wrong exactly for unsigned images with 0x40 where a trailer's length byte would be.
        const lengthByteAt = bytes.length - 65;
        const ambiguous =
          !input.signature && lengthByteAt >= declared.header.headerLength && bytes[lengthByteAt] === 0x40;
        expect(detected.format === 'gbcs' && detected.signature !== undefined).toBe(
          input.signature !== undefined || ambiguous,
        );
      }),
    );
  });

  it('misreads an unsigned image with 0x40 at the trailer position unless --no-signed is given', () => {
    const manufacturerImage = new Uint8Array(300).fill(0x11);
    manufacturerImage[300 - 65] = 0x40;
    const bytes = buildGbcsImage({ header: HEADER, manufacturerImage });
    const guessed = parseImage(bytes, { format: 'gbcs' });
    expect(guessed.format === 'gbcs' && guessed.manufacturerImage.length).toBe(234);
    const declared = parseImage(bytes, { format: 'gbcs', signed: false });
    expect(declared.format === 'gbcs' && declared.manufacturerImage.length).toBe(300);
  });
});

describeWithVectors('rebuilding the real files', () => {
  const files = [
    'zigbee-ota/10F2-7B2A-0000-0005-02010230-m7b-r0.ota.zigbee',
    'zigbee-ota/128b-0102-10101-700_nodon_sin_2_fm_stm32_V10101.zigbee',
    'zigbee-ota/128b-0109-010300-700_nodon_sin_rs_fm_stm32_V010300.zigbee',
    'zigbee-ota/152F_SBDV-00196_switch1gang_r_6_48fb8e55_06000000.ota.zigbee',
    'zigbee-ota/HS1SA_EM-SALUS-0621-V14-190907.ota',
    'zigbee-ota/ZR_Smartplug_SSIG_3.12.16.zigbee',
    'zigbee-ota/10035515-TRADFRI-bulb-cws-2.3.093.ota.ota.signed',
    'gbcs/dcc-boxed/esme-update-firmware-11.1.ota',
  ];
  for (const file of files) {
    it(`rebuilds ${file} byte for byte from what it parses`, () => {
      const image = parseImage(readVector(file), { scan: true });
      expect(Buffer.from(rebuild(image)).equals(Buffer.from(image.bytes))).toBe(true);
    });
  }

  it('rebuilds the unsigned PPMID sample byte for byte', () => {
    const image = parseImage(readVector('gbcs/dcc-boxed/ppmid-update-firmware-11.4.ota'), { format: 'gbcs' });
    expect(Buffer.from(rebuild(image)).equals(Buffer.from(image.bytes))).toBe(true);
  });
});
