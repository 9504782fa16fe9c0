/**
 * DUIS responses and alerts out (DUIS 5.4 schema, `sr:Response`): the header (RequestID,
 * ResponseID, ResponseCode, ResponseDateTime, in the schema's order) and one body — a
 * `ResponseMessage` (an acknowledgement, a transform's `PreCommand`, a device's GBCS response,
 * a future-dated activation's outcome alert), a `DeviceAlertMessage` or a `DCCAlertMessage`. GBCS payloads are base64,
 * as every payload of the schema. Written as text, deterministically: the same response, the
 * same bytes. Signed (XML-DSig) by `xml-signature.ts` when keys are given.
 */
import { toBase64 } from '../bytes/base64.ts';
import { unixSecondsToIso } from '../gbcs/cs06.ts';
import { type DccAlert, dccAlertXml } from './dcc-alert.ts';
import { dashedEui, formatRequestId, type RequestId } from './request-id.ts';
import { DUIS_NS } from './xml.ts';

/** The schema version hanota writes (`schemaVersion`), that of the DUIS schema it validates against. */
export const DUIS_SCHEMA_VERSION = '5.4';

/**
 * Response codes hanota writes: values of the schema's `sr:ResponseCode` enumeration, with the
 * meanings of DUIS's table of DCC Systems response codes (§3.5).
 */
export const RESPONSE_CODE = {
  /** Success: the request had a successful outcome (a device's response, a transform). */
  success: 'I0',
  /** Acknowledgement: the request was accepted for sending to the device. */
  acknowledged: 'I99',
  /** Failed authorisation: the device does not exist (its ID is not known). */
  unknownDevice: 'E19',
  /** Failed validation: the service request does not apply to the device's type. */
  wrongDeviceType: 'E11',
  /** Failed validation: the CommandVariant does not apply to the request. */
  wrongCommandVariant: 'E12',
} as const;

/** What a response carries. */
export type ResponseBody =
  /** A `ResponseMessage` with only its service reference: an acknowledgement or an error. */
  | { readonly kind: 'plain' }
  /** A transform's result (CommandVariant 4): the pre-command for the supplier to sign. */
  | { readonly kind: 'preCommand'; readonly gbcsVersion: string; readonly payload: Uint8Array }
  /** A device's (or the DCC's) GBCS response. */
  | { readonly kind: 'gbcsPayload'; readonly payload: Uint8Array }
  /** The outcome of a future-dated command (0x8F66 success, 0x8F67 failure). */
  | {
      readonly kind: 'futureDatedAlert';
      readonly alertCode: 0x8f66 | 0x8f67;
      readonly payload: Uint8Array;
      readonly instruction: number;
      readonly instructions: number;
    }
  /**
   * The DCC's answer to 11.1 / 11.4 when some listed devices were left out: unknown to it, not
   * commissioned, or not the firmware's (`DSPUpdateFirmwareWarning`, `DSPUpdatePPMIDFirmwareWarning`).
   */
  | {
      readonly kind: 'firmwareWarning';
      readonly ppmid: boolean;
      readonly invalid: readonly string[];
      readonly notApplicable: readonly string[];
    }
  /** A device alert (0x8F72 firmware verified, 0x8F1C failed, …). */
  | { readonly kind: 'deviceAlert'; readonly alertCode: number; readonly payload: Uint8Array }
  /** One of the DCC's own alerts (`DCCAlertMessage`). */
  | { readonly kind: 'dccAlert'; readonly alert: DccAlert };

/** One DUIS response or alert. */
export interface DuisResponse {
  readonly requestId?: RequestId;
  readonly responseId?: RequestId;
  readonly responseCode: string;
  /** When it was sent, milliseconds since the Unix epoch. */
  readonly atMs: number;
  /** The service it answers (every `ResponseMessage` names one; a device alert none). */
  readonly serviceReference?: string;
  readonly serviceReferenceVariant?: string;
  readonly body: ResponseBody;
}

/** `xs:dateTime` of a moment, milliseconds since the Unix epoch, as the DCC writes it (`…T09:00:00.000Z`). */
export function duisDateTime(atMs: number): string {
  const seconds = Math.floor(atMs / 1000);
  const ms = String(atMs - seconds * 1000).padStart(3, '0');
  return `${unixSecondsToIso(seconds).slice(0, -1)}.${ms}Z`;
}

const hexCode = (code: number) => code.toString(16).toUpperCase().padStart(4, '0');

function bodyXml(r: DuisResponse): string[] {
  const { body } = r;
  if (body.kind === 'deviceAlert')
    return [
      '    <sr:DeviceAlertMessage>',
      `      <sr:AlertCode>${hexCode(body.alertCode)}</sr:AlertCode>`,
      `      <sr:GBCSPayload>${toBase64(body.payload)}</sr:GBCSPayload>`,
      '    </sr:DeviceAlertMessage>',
    ];
  if (body.kind === 'dccAlert') return dccAlertXml(body.alert, duisDateTime);
  if (r.serviceReference === undefined || r.serviceReferenceVariant === undefined)
    throw new RangeError('serviceReference: a ResponseMessage names the service it answers');
  const inner: string[] = [];
  if (body.kind === 'preCommand')
    inner.push(
      '      <sr:PreCommand>',
      `        <sr:GBCSVersion>${body.gbcsVersion}</sr:GBCSVersion>`,
      `        <sr:GBCSPayload>${toBase64(body.payload)}</sr:GBCSPayload>`,
      '      </sr:PreCommand>',
    );
  else if (body.kind === 'gbcsPayload')
    inner.push(`      <sr:GBCSPayload>${toBase64(body.payload)}</sr:GBCSPayload>`);
  else if (body.kind === 'firmwareWarning') {
    const element = body.ppmid ? 'DSPUpdatePPMIDFirmwareWarning' : 'DSPUpdateFirmwareWarning';
    const list = (name: string, ids: readonly string[]) =>
      ids.length > 0 ? [`        <sr:${name}>${ids.map(dashedEui).join(',')}</sr:${name}>`] : [];
    inner.push(
      `      <sr:${element}>`,
      ...list('InvalidDeviceIDList', body.invalid),
      ...list('NotApplicableFirmwareDeviceIDList', body.notApplicable),
      `      </sr:${element}>`,
    );
  } else if (body.kind === 'futureDatedAlert')
    inner.push(
      '      <sr:FutureDatedDeviceAlertMessage>',
      `        <sr:FutureDatedAlertCode>${hexCode(body.alertCode)}</sr:FutureDatedAlertCode>`,
      `        <sr:GBCSPayload>${toBase64(body.payload)}</sr:GBCSPayload>`,
      `        <sr:InstructionNumber>${body.instruction}</sr:InstructionNumber>`,
      `        <sr:TotalCommandInstructions>${body.instructions}</sr:TotalCommandInstructions>`,
      '      </sr:FutureDatedDeviceAlertMessage>',
    );
  return [
    '    <sr:ResponseMessage>',
    `      <sr:ServiceReference>${r.serviceReference}</sr:ServiceReference>`,
    `      <sr:ServiceReferenceVariant>${r.serviceReferenceVariant}</sr:ServiceReferenceVariant>`,
    ...inner,
    '    </sr:ResponseMessage>',
  ];
}

/** The XML document of a response (UTF-8 text; unsigned: `signResponse` adds the signature). */
export function writeResponse(r: DuisResponse): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<sr:Response xmlns:sr="${DUIS_NS.sr}" xmlns:ds="${DUIS_NS.ds}" schemaVersion="${DUIS_SCHEMA_VERSION}">`,
    '  <sr:Header>',
    ...(r.requestId ? [`    <sr:RequestID>${formatRequestId(r.requestId)}</sr:RequestID>`] : []),
    ...(r.responseId ? [`    <sr:ResponseID>${formatRequestId(r.responseId)}</sr:ResponseID>`] : []),
    `    <sr:ResponseCode>${r.responseCode}</sr:ResponseCode>`,
    `    <sr:ResponseDateTime>${duisDateTime(r.atMs)}</sr:ResponseDateTime>`,
    '  </sr:Header>',
    '  <sr:Body>',
    ...bodyXml(r),
    '  </sr:Body>',
    '</sr:Response>',
    '',
  ].join('\n');
}
