/**
 * Every way a header or its sub-elements can be wrong gives its own typed error, naming the
 * field and the byte offset.
 */
import { describe, expect, it } from 'vitest';
import { buildGbcsImage, parseGbcsImage } from '../../src/ota/gbcs-image.ts';
import { headerStringFromText, type OtaHeaderFields } from '../../src/ota/header.ts';
import { parseImage } from '../../src/ota/image.ts';
import { verifyImage } from '../../src/ota/verify.ts';
import { buildZigbeeImage } from '../../src/ota/zigbee-image.ts';

const HEADER: OtaHeaderFields = {
  manufacturerCode: 0x1234,
  imageType: 0x0001,
  fileVersion: 0x01020304,
  zigbeeStackVersion: 2,
  headerString: headerStringFromText('header test'),
};

function valid(): Uint8Array {
  return buildZigbeeImage({ header: HEADER, elements: [{ tag: 0, data: new Uint8Array(100).fill(7) }] });
}

function patch(bytes: Uint8Array, at: number, values: number[]): Uint8Array {
  const out = bytes.slice();
  out.set(values, at);
  return out;
}

function errorOf(run: () => unknown): { code: string; offset: number; message: string } {
  try {
    run();
  } catch (error) {
    return error as { code: string; offset: number; message: string };
  }
  throw new Error('expected an error');
}

describe('parseImage errors', () => {
  it('rejects a wrong identifier, naming the value found at offset 0', () => {
    const e = errorOf(() => parseImage(patch(valid(), 0, [0, 0, 0, 0])));
    expect(e).toMatchObject({ code: 'WRONG_IDENTIFIER', offset: 0 });
    expect(e.message).toBe('identifier: expected 0x0beef11e, found 0x00000000');
  });

  it('rejects input too short to hold the identifier', () => {
    expect(errorOf(() => parseImage(Uint8Array.of(0x1e, 0xf1)))).toMatchObject({
      code: 'UNEXPECTED_END',
      offset: 0,
    });
  });

  it('reports an identifier found after offset 0, and parses from there when scanning', () => {
    const inner = valid();
    const wrapped = new Uint8Array(inner.length + 37);
    wrapped.set(inner, 37);
    expect(errorOf(() => parseImage(wrapped))).toMatchObject({ code: 'IDENTIFIER_NOT_AT_START', offset: 37 });
    const image = parseImage(wrapped, { scan: true });
    expect(image.offset).toBe(37);
    expect(image.format === 'zigbee' && image.elements[0]?.offset).toBe(37 + 56);
  });

  it('scans past an identifier that occurs by chance before the real file', () => {
    const inner = valid();
    const wrapped = new Uint8Array(inner.length + 15);
    wrapped.set([0x1e, 0xf1, 0xee, 0x0b, 0x00, 0x09], 5); // identifier bytes, bad header version
    wrapped.set(inner, 15);
    expect(parseImage(wrapped, { scan: true }).offset).toBe(15);
    const junkOnly = wrapped.subarray(0, 14);
    expect(errorOf(() => parseImage(junkOnly, { scan: true }))).toMatchObject({
      code: 'UNSUPPORTED_HEADER_VERSION',
      offset: 9,
    });
  });

  it('rejects a scan that finds no identifier anywhere', () => {
    expect(errorOf(() => parseImage(new Uint8Array(100), { scan: true }))).toMatchObject({
      code: 'IDENTIFIER_NOT_FOUND',
    });
  });

  it('rejects an unsupported header version at offset 4', () => {
    const e = errorOf(() => parseImage(patch(valid(), 4, [0x00, 0x02])));
    expect(e).toMatchObject({ code: 'UNSUPPORTED_HEADER_VERSION', offset: 4 });
    expect(e.message).toMatch(/^headerVersion: 0x0200/);
  });

  it('rejects a header length inconsistent with the field control, at offset 6', () => {
    const e = errorOf(() => parseImage(patch(valid(), 8, [0x04, 0x00])));
    expect(e).toMatchObject({ code: 'HEADER_LENGTH_MISMATCH', offset: 6 });
    expect(e.message).toBe('headerLength: 56 does not match field control 0x0004, which needs 60');
  });

  it('rejects reserved field control bits at offset 8', () => {
    expect(errorOf(() => parseImage(patch(valid(), 8, [0x08, 0x00])))).toMatchObject({
      code: 'RESERVED_FIELD_CONTROL',
      offset: 8,
    });
  });

  it('rejects a declared total size smaller than the header, at offset 52', () => {
    expect(errorOf(() => parseImage(patch(valid(), 52, [10, 0, 0, 0])))).toMatchObject({
      code: 'TOTAL_SIZE_TOO_SMALL',
      offset: 52,
    });
  });

  it('rejects a file shorter than its declared total size, naming the shortfall', () => {
    const e = errorOf(() => parseImage(valid().subarray(0, 120)));
    expect(e).toMatchObject({ code: 'TRUNCATED', offset: 52 });
    expect(e.message).toContain('(42 missing)');
  });

  it('rejects a sub-element running past the total size, naming it and its tag', () => {
    const e = errorOf(() => parseImage(patch(valid(), 58, [101, 0, 0, 0]), { format: 'zigbee' }));
    expect(e).toMatchObject({ code: 'ELEMENT_OVERRUN', offset: 58 });
    expect(e.message).toBe(
      'elements[0].length: 101 at offset 58 (tag 0x0000 at offset 56) runs 1 bytes past the total image size',
    );
  });

  it('rejects a sub-element whose tag and length do not fit', () => {
    const bytes = buildZigbeeImage({ header: HEADER, elements: [{ tag: 0, data: new Uint8Array(10) }] });
    const longer = new Uint8Array(bytes.length + 3);
    longer.set(bytes);
    const e = errorOf(() => parseImage(patch(longer, 52, [bytes.length + 3, 0, 0, 0]), { format: 'zigbee' }));
    expect(e).toMatchObject({ code: 'ELEMENT_HEADER_TRUNCATED', offset: bytes.length });
  });

  it('counts bytes after the declared total size instead of failing', () => {
    const bytes = valid();
    const longer = new Uint8Array(bytes.length + 9);
    longer.set(bytes);
    expect(parseImage(longer).trailingBytes).toBe(9);
  });

  it('reads a hardware range whose minimum is above its maximum, and verify fails it', () => {
    const bytes = buildZigbeeImage({
      header: { ...HEADER, minimumHardwareVersion: 1, maximumHardwareVersion: 2 },
      elements: [],
    });
    const image = parseImage(patch(bytes, 56, [3, 0]));
    expect(image.header).toMatchObject({ minimumHardwareVersion: 3, maximumHardwareVersion: 2 });
    expect(verifyImage(image).checks[0]).toMatchObject({
      check: 'structure',
      status: 'fail',
      detail:
        'minimumHardwareVersion 0x0003 is above maximumHardwareVersion 0x0002: no hardware can take this image',
    });
  });

  it('refuses format gbcs with signed=true when there is no trailer', () => {
    const unsigned = buildGbcsImage({ header: HEADER, manufacturerImage: new Uint8Array(100) });
    expect(errorOf(() => parseGbcsImage(unsigned, { signed: true }))).toMatchObject({
      code: 'GBCS_TRAILER_MISSING',
    });
  });
});

describe('builders', () => {
  it('refuse out-of-range fields, naming them', () => {
    expect(() =>
      buildZigbeeImage({ header: { ...HEADER, manufacturerCode: 0x10000 }, elements: [] }),
    ).toThrow(/^manufacturerCode: 65536 is not an unsigned 16-bit integer$/);
    expect(() =>
      buildZigbeeImage({ header: { ...HEADER, minimumHardwareVersion: 2 }, elements: [] }),
    ).toThrow(/give both/);
    expect(() => headerStringFromText('x'.repeat(33))).toThrow(/at most 32 fit/);
    expect(() =>
      buildGbcsImage({
        header: HEADER,
        manufacturerImage: new Uint8Array(1),
        signature: { flag: 0, value: new Uint8Array(63) },
      }),
    ).toThrow(/^signature.value: must be 64 bytes/);
  });
});
