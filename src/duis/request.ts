/**
 * DUIS Service Requests for firmware (DUIS §3.8.11), read from a document the schema has
 * accepted: the header (RequestID, CommandVariant, ServiceReference and its variant) and the
 * bodies of 11.1 Update Firmware, 11.2 Read Firmware Version, 11.3 Activate Firmware and 11.4
 * Update PPMID Firmware. Other service requests are read as far as their header: the DCC answers
 * them, hanota's emulation does not run them.
 */
import { fromBase64 } from '../bytes/base64.ts';
import { fromHex } from '../bytes/hex.ts';
import { DecodeError } from '../errors/errors.ts';
import { isoToUnixSeconds, unixSecondsToIso } from '../gbcs/cs06.ts';
import { euiOfDashed, parseRequestId, type RequestId } from './request-id.ts';
import type { XmlDoc } from './xml.ts';

/** The firmware service requests, by ServiceReferenceVariant. */
export const FIRMWARE_SERVICES = {
  '11.1': 'UpdateFirmware',
  '11.2': 'ReadFirmwareVersion',
  '11.3': 'ActivateFirmware',
  '11.4': 'UpdatePPMIDFirmware',
} as const;

/** What a request asks for. */
export type RequestBody =
  | {
      readonly service: '11.1' | '11.4';
      /** The OTA Upgrade Image, decoded from base64. */
      readonly image: Uint8Array;
      readonly firmwareVersion: string;
      /** EUI-64s, lowercase hex, in the order listed. */
      readonly deviceIds: readonly string[];
    }
  | { readonly service: '11.2'; readonly executeAt?: string }
  | { readonly service: '11.3'; readonly hash: Uint8Array; readonly executeAt?: string }
  /**
   * A Signed Pre-Command (CommandVariant 5, 6 or 7): the pre-command the DCC returned for the
   * service request, signed by the supplier, to be sent to the device.
   */
  | { readonly service: 'signedPreCommand'; readonly payload: Uint8Array; readonly executeAt?: string }
  /** A service request hanota does not emulate: its body element's name. */
  | { readonly service: 'other'; readonly element: string };

/** A DUIS Service Request. */
export interface DuisRequest {
  /** The document it came from (a file name). */
  readonly document: string;
  readonly requestId: RequestId;
  /** RequestID as written. */
  readonly requestIdText: string;
  readonly commandVariant: number;
  readonly serviceReference: string;
  readonly serviceReferenceVariant: string;
  readonly body: RequestBody;
  /** Whether it carries an XML signature (checked elsewhere, against the user's certificate). */
  readonly signed: boolean;
}

const HEADER = '/sr:Request/sr:Header';

const XS_DATE_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * An `xs:dateTime` (as DUIS writes ExecutionDateTime: `2030-01-15T09:00:00.00Z`) as UTC
 * `YYYY-MM-DDTHH:MM:SSZ`, the second GBCS counts in: an offset is applied, a fraction of a second
 * dropped (GBCS times carry none), a time without a zone taken as UTC (DUIS times are UTC).
 */
export function utcOfXsDateTime(text: string): string {
  const m = XS_DATE_TIME.exec(text.trim());
  if (!m) throw new RangeError(`'${text}' is not an xs:dateTime`);
  const zone = m[3] ?? 'Z';
  const base = isoToUnixSeconds(`${m[1]}Z`);
  if (zone === 'Z') return `${m[1]}Z`;
  const sign = zone.startsWith('-') ? -1 : 1;
  const offset = sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  return unixSecondsToIso(base - offset);
}
const BODY = '/sr:Request/sr:Body';

/**
 * Reads a schema-valid Request document. What the schema cannot say (a RequestID's counter
 * range, the body a ServiceReferenceVariant needs) is a `DecodeError` naming the element.
 */
export function readRequest(doc: XmlDoc): DuisRequest {
  const required = (xpath: string, element: string): string => {
    const value = doc.text(xpath);
    if (value === undefined) throw new DecodeError('DUIS_REQUEST', `${doc.name}: no ${element}`, 0);
    return value;
  };
  const requestIdText = required(`${HEADER}/sr:RequestID`, 'sr:RequestID');
  let requestId: RequestId;
  try {
    requestId = parseRequestId(requestIdText);
  } catch (error) {
    if (error instanceof DecodeError)
      throw new DecodeError(
        error.code,
        `${doc.name}: line ${doc.line(`${HEADER}/sr:RequestID`)}, sr:RequestID: ${error.message}`,
        0,
      );
    throw error;
  }
  const serviceReferenceVariant = required(
    `${HEADER}/sr:ServiceReferenceVariant`,
    'sr:ServiceReferenceVariant',
  );
  return {
    document: doc.name,
    requestId,
    requestIdText,
    commandVariant: Number(required(`${HEADER}/sr:CommandVariant`, 'sr:CommandVariant')),
    serviceReference: required(`${HEADER}/sr:ServiceReference`, 'sr:ServiceReference'),
    serviceReferenceVariant,
    body: bodyOf(doc, serviceReferenceVariant),
    signed: doc.has('/sr:Request/ds:Signature'),
  };
}

function bodyOf(doc: XmlDoc, variant: string): RequestBody {
  if (doc.has(`${BODY}/sr:SignedPreCommand`)) {
    const at = `${BODY}/sr:SignedPreCommand`;
    const executeText = doc.text(`${at}/sr:ExecutionDateTime`);
    return {
      service: 'signedPreCommand',
      payload: fromBase64(doc.text(`${at}/sr:GBCSPayload`) ?? '', 'GBCSPayload'),
      ...(executeText !== undefined && { executeAt: utcOfXsDateTime(executeText) }),
    };
  }
  const element =
    variant in FIRMWARE_SERVICES ? FIRMWARE_SERVICES[variant as keyof typeof FIRMWARE_SERVICES] : undefined;
  const at = (name: string) => `${BODY}/sr:${element}/sr:${name}`;
  const mismatch = () => {
    const found = doc.elementName(`${BODY}/*`) ?? 'nothing';
    return new DecodeError(
      'DUIS_REQUEST',
      `${doc.name}: line ${doc.line(BODY)}, sr:Body: ServiceReferenceVariant ${variant} needs sr:${element}, found ${found}`,
      0,
    );
  };
  if (element === undefined) return { service: 'other', element: doc.elementName(`${BODY}/*`) ?? '' };
  if (!doc.has(`${BODY}/sr:${element}`)) throw mismatch();
  const executeText = doc.text(at('ExecutionDateTime'));
  const executeAt = executeText === undefined ? undefined : utcOfXsDateTime(executeText);
  switch (variant) {
    case '11.1':
    case '11.4': {
      const image = fromBase64(doc.text(at('FirmwareImage')) ?? '', 'FirmwareImage');
      const ids = (doc.text(at('DeviceIDList')) ?? '').split(',');
      return {
        service: variant,
        image,
        firmwareVersion: doc.text(at('FirmwareVersion')) ?? '',
        deviceIds: ids.map((id) => euiOfDashed(id.trim()) as string),
      };
    }
    case '11.2':
      return { service: '11.2', ...(executeAt !== undefined && { executeAt }) };
    default:
      return {
        service: '11.3',
        hash: fromHex(doc.text(at('FirmwareHash')) ?? '', 'FirmwareHash'),
        ...(executeAt !== undefined && { executeAt }),
      };
  }
}
