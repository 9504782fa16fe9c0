/**
 * Properties of the GBCS message codecs: encode → decode is the identity for General-Signing and
 * General-Ciphering APDUs and CS06 contents; arbitrary or mutated bytes give a `DecodeError` or
 * a message, never another exception; the DLMS length forms.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../../src/bytes/byte-reader.ts';
import { DER_TAG, encodeDer } from '../../src/bytes/der.ts';
import { toHex } from '../../src/bytes/hex.ts';
import { DecodeError } from '../../src/errors/errors.ts';
import {
  CRA_FLAG,
  type CraFlag,
  decodeGbcsMessage,
  encodeGeneralCiphering,
  encodeGeneralSigning,
  encodeUnsignedGeneralSigning,
  type GeneralSigning,
} from '../../src/gbcs/apdu.ts';
import {
  type Cs06Response,
  decodeCs06Command,
  decodeCs06Response,
  encodeCs06Command,
  encodeCs06Response,
  isoToUnixSeconds,
} from '../../src/gbcs/cs06.ts';
import { encodeDlmsLength, readDlmsLength } from '../../src/gbcs/dlms-length.ts';

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const generalSigning: fc.Arbitrary<GeneralSigning> = fc.record(
  {
    transactionId: fc.record({
      cra: fc.constantFrom(...(Object.keys(CRA_FLAG) as CraFlag[])),
      counter: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    }),
    originator: bytes(8),
    recipient: bytes(8),
    dateTime: bytes(12),
    messageCode: fc.integer({ min: 0, max: 0xffff }),
    supplementary: fc.record({ id: bytes(8), counter: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }) }),
    content: fc.uint8Array({ maxLength: 600 }),
    signature: bytes(64),
  },
  { requiredKeys: ['transactionId', 'originator', 'recipient', 'messageCode', 'content'] },
);

/** The fields a decoded message shares with what was encoded. */
function fieldsOf(s: GeneralSigning): GeneralSigning {
  return {
    transactionId: s.transactionId,
    originator: s.originator,
    recipient: s.recipient,
    ...(s.dateTime && { dateTime: s.dateTime }),
    messageCode: s.messageCode,
    ...(s.supplementary && { supplementary: s.supplementary }),
    content: s.content,
    ...(s.signature && { signature: s.signature }),
  };
}

/** A small unsigned command with three bytes of content. */
const SMALL: GeneralSigning = {
  transactionId: { cra: 'command', counter: 1n },
  originator: new Uint8Array(8),
  recipient: new Uint8Array(8),
  messageCode: 0x12,
  content: new Uint8Array(3),
};

describe('GBCS APDUs', () => {
  it('decodes what it encodes (General-Signing)', () => {
    fc.assert(
      fc.property(generalSigning, (message) => {
        const decoded = decodeGbcsMessage(encodeGeneralSigning(message));
        expect(decoded.kind).toBe('generalSigning');
        if (decoded.kind === 'generalSigning') expect(fieldsOf(decoded.signing)).toEqual(fieldsOf(message));
      }),
    );
  });

  it('decodes what it encodes unsigned inside General-Ciphering (a non-critical message), its empty signature field kept', () => {
    fc.assert(
      fc.property(generalSigning, bytes(12), (message, mac) => {
        const { signature: _, ...unsigned } = message;
        const apdu = encodeUnsignedGeneralSigning(unsigned);
        expect(apdu.at(-1)).toBe(0);
        const decoded = decodeGbcsMessage(encodeGeneralCiphering(apdu, mac));
        if (decoded.kind !== 'generalCiphering') throw new Error('not General-Ciphering');
        expect(fieldsOf(decoded.ciphering.signing)).toEqual(fieldsOf(unsigned));
        expect(toHex(encodeUnsignedGeneralSigning(decoded.ciphering.signing))).toBe(toHex(apdu));
      }),
    );
  });

  it('decodes what it encodes (General-Ciphering), keeping the MAC and the covered bytes', () => {
    fc.assert(
      fc.property(generalSigning, bytes(12), (message, mac) => {
        const apdu = encodeGeneralSigning({ ...message, signature: message.signature ?? new Uint8Array(64) });
        const decoded = decodeGbcsMessage(encodeGeneralCiphering(apdu, mac));
        expect(decoded.kind).toBe('generalCiphering');
        if (decoded.kind !== 'generalCiphering') return;
        expect(toHex(decoded.ciphering.mac)).toBe(toHex(mac));
        expect(toHex(decoded.ciphering.signing.apdu)).toBe(toHex(apdu));
        expect(toHex(decoded.ciphering.signing.signedBytes)).toBe(toHex(apdu.subarray(1, apdu.length - 65)));
      }),
    );
  });

  it('gives a DecodeError or a message for arbitrary and mutated bytes, never another exception', () => {
    const mutated = fc
      .tuple(
        generalSigning,
        bytes(12),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 4 }),
        fc.nat(),
      )
      .map(([m, mac, flips, cut]) => {
        const apdu = encodeGeneralSigning({ ...m, signature: m.signature ?? new Uint8Array(64) });
        const b = encodeGeneralCiphering(apdu, mac).slice();
        for (const [at, v] of flips) b[at % b.length] = v;
        return b.subarray(0, b.length - (cut % 3 === 0 ? cut % b.length : 0));
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated), (input) => {
        try {
          decodeGbcsMessage(input);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
    );
  });

  it('refuses a truncated or padded General-Ciphering APDU, naming the offset', () => {
    const apdu = encodeGeneralSigning({ ...SMALL, signature: new Uint8Array(64) });
    const whole = encodeGeneralCiphering(apdu, new Uint8Array(12));
    expect(() => decodeGbcsMessage(whole.subarray(0, whole.length - 1))).toThrow(
      /ciphered content: declares/,
    );
    expect(() => decodeGbcsMessage(Uint8Array.of(...whole, 0))).toThrow(/ciphered content: declares/);
    expect(() => decodeGbcsMessage(Uint8Array.of(...apdu, 0))).toThrow(/after the signature/);
  });

  it('never reads the MAC as content: a content length that runs into it is a short read', () => {
    const apdu = encodeGeneralSigning(SMALL);
    const whole = encodeGeneralCiphering(apdu, new Uint8Array(12)).slice();
    whole[whole.length - 12 - 4] = 3 + 8; // the content length now reaches into the MAC
    expect(() => decodeGbcsMessage(whole)).toThrow(
      /content: needs 11 bytes at offset \d+, but only \d+ remain/,
    );
  });

  it('reads and writes the DLMS length forms and refuses the others', () => {
    for (const [n, hex] of [
      [0x7f, '7f'],
      [0x80, '8180'],
      [0xff, '81ff'],
      [0x100, '820100'],
    ] as const) {
      expect(toHex(encodeDlmsLength(n, 'x'))).toBe(hex);
      expect(readDlmsLength(new ByteReader(encodeDlmsLength(n, 'x'), { littleEndian: false }), 'x')).toBe(n);
    }
    for (const bad of [[0x81, 0x10], [0x82, 0x00, 0x10], [0x83, 0, 0, 1], [0x80]]) {
      expect(() =>
        readDlmsLength(new ByteReader(Uint8Array.from(bad), { littleEndian: false }), 'x'),
      ).toThrow(DecodeError);
    }
  });
});

describe('CS06 content', () => {
  const time = fc
    .date({
      min: new Date('2000-01-01T00:00:00Z'),
      max: new Date('9999-12-31T23:59:59Z'),
      noInvalidDate: true,
    })
    .map((d) => `${d.toISOString().slice(0, 19)}Z`);

  it('decodes what it encodes (commands)', () => {
    fc.assert(
      fc.property(
        bytes(32),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.option(time, { nil: undefined }),
        (hash, counter, executeAt) => {
          const command = { hash, counter, ...(executeAt !== undefined && { executeAt }) };
          expect(decodeCs06Command(encodeCs06Command(command))).toEqual(command);
        },
      ),
    );
  });

  it('decodes what it encodes (responses)', () => {
    const response: fc.Arbitrary<Cs06Response> = fc.oneof(
      fc.constant({ kind: 'commandAccepted' as const }),
      fc.record({
        kind: fc.constant('executed' as const),
        outcome: fc.constantFrom('success', 'noImageHeld', 'hashMismatch', 'activationFailure'),
        firmwareVersion: bytes(4),
      }),
    );
    fc.assert(
      fc.property(response, (r) => {
        expect(decodeCs06Response(encodeCs06Response(r))).toEqual(r);
      }),
    );
  });

  it('refuses a hash that is not 32 bytes and a time that is not UTC', () => {
    const integer = encodeDer(DER_TAG.INTEGER, Uint8Array.of(1));
    const shortHash = encodeDer(
      DER_TAG.SEQUENCE,
      encodeDer(DER_TAG.OCTET_STRING, new Uint8Array(31)),
      integer,
    );
    expect(() => decodeCs06Command(shortHash)).toThrow(/expected 32/);
    const local = encodeDer(DER_TAG.GENERALIZED_TIME, new TextEncoder().encode('20300115090000+0100'));
    const withLocal = encodeDer(
      DER_TAG.SEQUENCE,
      encodeDer(DER_TAG.OCTET_STRING, new Uint8Array(32)),
      integer,
      local,
    );
    expect(() => decodeCs06Command(withLocal)).toThrow(/UTC GeneralizedTime/);
  });
});

describe('GBCS times', () => {
  it('converts ISO times to Unix seconds like Date.UTC for every year from 1970, and years below 100 too', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('9999-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        (d) => {
          const iso = `${d.toISOString().slice(0, 19)}Z`;
          expect(isoToUnixSeconds(iso)).toBe(Math.floor(d.getTime() / 1000));
        },
      ),
    );
    expect(isoToUnixSeconds('0050-01-01T00:00:00Z')).toBeLessThan(isoToUnixSeconds('1950-01-01T00:00:00Z'));
  });
});
