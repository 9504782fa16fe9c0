/**
 * Firmware alerts: the RTDS 4.5.0 GBZ receipt alert (shared vectors), the RTDS 0x00CA alert
 * content (quoted below from DCC RTDS 4.5.0 `CS06_11.3_8F66_FUTURE_DATED_SUCCESS_ALERT_GBCS`, as
 * published in SmartDCCInnovation/gbcs-parser `test/rtds/`), round trips and DLMS dates.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes/hex.ts';
import {
  decodeDlmsFirmwareReceiptAlert,
  decodeFutureDatedActivationAlert,
  decodeGbzFirmwareReceiptAlert,
  dlmsInvokeId,
  encodeDlmsFirmwareReceiptAlert,
  encodeFutureDatedActivationAlert,
  encodeGbzFirmwareReceiptAlert,
} from '../../src/gbcs/alerts.ts';
import { decodeGbcsMessage } from '../../src/gbcs/apdu.ts';
import { dlmsDateTime } from '../../src/gbcs/dlms-date-time.ts';
import {
  decodeFirmwareTransferAlert,
  decodeFirmwareVersionAlert,
  encodeFirmwareTransferAlert,
  encodeFirmwareVersionAlert,
} from '../../src/gbcs/hub-alerts.ts';
import { describeWithVectors, readVectorText } from '../helpers/vectors.ts';

const RTDS_8F66_CONTENT = '30250203008f66180f32303330303131353039303030305a020203e9300902010004040123abcf';

describe('future-dated activation alert 0x00CA', () => {
  it('reads the RTDS 0x8F66 alert content', () => {
    expect(decodeFutureDatedActivationAlert(fromHex(RTDS_8F66_CONTENT, 'rtds'))).toEqual({
      alertCode: 0x8f66,
      executeAt: '2030-01-15T09:00:00Z',
      commandCounter: 1001n,
      outcome: 'success',
      firmwareVersion: fromHex('0123abcf', 'v'),
    });
  });

  it('writes it back byte for byte', () => {
    const alert = decodeFutureDatedActivationAlert(fromHex(RTDS_8F66_CONTENT, 'rtds'));
    expect(toHex(encodeFutureDatedActivationAlert(alert))).toBe(RTDS_8F66_CONTENT);
  });

  it('decodes what it encodes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x8f66 as const, 0x8f67 as const),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        fc.constantFrom('success', 'noImageHeld', 'hashMismatch', 'activationFailure'),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        (alertCode, commandCounter, outcome, firmwareVersion) => {
          const alert = {
            alertCode,
            executeAt: '2031-02-03T04:05:06Z',
            commandCounter,
            outcome,
            firmwareVersion,
          } as const;
          expect(decodeFutureDatedActivationAlert(encodeFutureDatedActivationAlert(alert))).toEqual(alert);
        },
      ),
    );
  });
});

describeWithVectors('Firmware Distribution Receipt Alert', () => {
  it('reads the RTDS GBZ 0x8F72 alert and writes its content back byte for byte', () => {
    const message = decodeGbcsMessage(
      fromHex(readVectorText('gbcs/rtds-4.5.0/FDRA-ZigBee_NA_8F72_ALERT_GBCS.HEX'), 'v'),
    );
    if (message.kind !== 'generalSigning') throw new Error('expected General-Signing');
    const alert = decodeGbzFirmwareReceiptAlert(message.signing.content);
    expect(alert).toEqual({ alertCode: 0x8f72, utcTime: 0x1c374a80, hash: fromHex('a1'.repeat(32), 'h') });
    expect(toHex(encodeGbzFirmwareReceiptAlert(alert))).toBe(toHex(message.signing.content));
  });
});

describe('DLMS forms', () => {
  it('writes 2015-01-01T00:00:00Z as the RTDS messages do: day of week, deviation and status not specified', () => {
    expect(toHex(dlmsDateTime(0x1c374a80))).toBe('07df0101ff000000008000ff');
    expect(toHex(dlmsDateTime(0))).toBe('07d00101ff000000008000ff');
    // 2000-02-29T01:01:01Z
    expect(toHex(dlmsDateTime(59 * 86_400 + 3661))).toBe('07d0021dff010101008000ff');
  });

  it('decodes what it encodes (DLMS receipt alert)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x8f72 as const, 0x8f1c as const),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        (alertCode, utcTime, hash, counter) => {
          const alert = { alertCode, utcTime, hash };
          const invokeId = dlmsInvokeId(counter);
          expect(decodeDlmsFirmwareReceiptAlert(encodeDlmsFirmwareReceiptAlert(alert, invokeId))).toEqual({
            ...alert,
            invokeId,
          });
        },
      ),
    );
  });
});

describeWithVectors('the RTDS DLMS receipt alert', () => {
  it('reads the RTDS DLMS 0x8F72 alert (an ESME) and writes its content back byte for byte', () => {
    const message = decodeGbcsMessage(
      fromHex(readVectorText('gbcs/rtds-4.5.0/FDRA-DLMS_NA_8F72_ALERT_GBCS.HEX'), 'v'),
    );
    if (message.kind !== 'generalSigning') throw new Error('expected General-Signing');
    const alert = decodeDlmsFirmwareReceiptAlert(message.signing.content);
    expect(alert).toEqual({
      alertCode: 0x8f72,
      utcTime: 0x1c374a80,
      hash: fromHex('01'.repeat(32), 'h'),
      invokeId: dlmsInvokeId(message.signing.transactionId.counter),
    });
    expect(toHex(encodeDlmsFirmwareReceiptAlert(alert, alert.invokeId))).toBe(toHex(message.signing.content));
  });
});

describe('hub firmware alerts (CCS08, 0x8F8B)', () => {
  const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

  it('decodes what it encodes (CCS08), with the alert code following the response', () => {
    fc.assert(
      fc.property(
        bytes(8),
        bytes(4),
        fc.constantFrom('success', 'imageDiscarded', 'hardwareVersionMismatch', 'fileTransferFailure'),
        (entityId, firmwareVersion, response) => {
          const alert = { time: '2026-01-01T00:00:00Z', entityId, firmwareVersion, response } as const;
          const content = encodeFirmwareTransferAlert(alert);
          expect(toHex(content.subarray(2, 7))).toBe(response === 'success' ? '0203008f8a' : '0203008f89');
          expect(decodeFirmwareTransferAlert(content)).toEqual(alert);
        },
      ),
    );
  });

  it('decodes what it encodes (0x8F8B)', () => {
    fc.assert(
      fc.property(bytes(4), fc.boolean(), (firmwareVersion, activated) => {
        const alert = { time: '2026-01-01T00:00:00Z', firmwareVersion, activated };
        expect(decodeFirmwareVersionAlert(encodeFirmwareVersionAlert(alert))).toEqual(alert);
      }),
    );
  });
});
