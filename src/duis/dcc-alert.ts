/**
 * The DCC's own alerts (DUIS 5.4 schema: `DCCAlertMessage`, its `DCCAlertCode` and one `DCCAlert`
 * element): what the DCC tells a user about its firmware requests that is not a device's message
 * — the Comms Hub's CCS08 Firmware Transfer Alert (`CommsHubAlert`), the hub-managed activation of
 * a PPMID (`PPMIDAlert` with `PPMIDFirmwareUpgradeAlert`, alert 0x8F8B), the delivery of an image
 * to the hub (`CSPFirmwareDeliveryStatus`) and a request held by the Anomaly Detection Threshold
 * (`QuarantinedRequest`). Elements in the schema's order; the codes are `DCC_ALERT_CODES`'s.
 */
import type { TransferResponse } from '../gbcs/hub-alerts.ts';
import { dashedEui, formatRequestId, type RequestId } from './request-id.ts';

/**
 * The `DCCAlertCode` of each alert hanota raises, and where each comes from. DUIS's table of DCC
 * Alerts (§3.6.3), which pairs codes with `DCCAlert` elements, is not in the schema and no public
 * copy of it could be checked: only the codes' existence is (the schema's enumeration, and SECAS on
 * N60/N61). An adapter should dispatch on the `DCCAlert` element, which the schema does fix.
 */
export const DCC_ALERT_CODES = {
  /** The schema's one Anomaly Detection code; `QuarantinedRequest` is its one anomaly element. */
  quarantinedRequest: 'AD1',
  /**
   * SECAS (SECMP0007 implementation note): "from the November 2021 SEC Release, Service Users
   * will receive new DCC Alerts (N60 and N61) to confirm that their ESME and GSME firmware updates
   * have either been successfully delivered or failed" — taken as N60 delivered, N61 failed.
   */
  firmwareDelivered: 'N60',
  firmwareDeliveryFailed: 'N61',
  /** Unconfirmed: no public source pairs a code with `CommsHubAlert`; a placeholder. */
  commsHubAlert: 'N62',
  /** Unconfirmed: no public source pairs a code with `PPMIDAlert`; a placeholder. */
  ppmidAlert: 'N27',
} as const;

/** A DCC alert's content. Times in milliseconds since the Unix epoch; EUI-64s lowercase hex. */
export type DccAlert =
  | {
      readonly type: 'quarantinedRequest';
      /** Which threshold it breached: the user's own (ADUserThresholdBreach). */
      readonly breach: 'user';
      readonly requestId: RequestId;
      readonly quarantineEventRef: bigint;
    }
  | {
      readonly type: 'commsHubAlert';
      readonly hub: string;
      readonly alertCode: number;
      readonly atMs: number;
      /** The 11.1 / 11.4 request that distributed the image, when the DCC knows it. */
      readonly updateFirmwareRequestId?: RequestId;
      readonly device: string;
      /** The file version, 8 hex digits. */
      readonly firmwareVersion: string;
      readonly response: TransferResponse;
    }
  | {
      readonly type: 'ppmidAlert';
      readonly device: string;
      readonly atMs: number;
      readonly firmwareVersion: string;
      readonly activated: boolean;
    }
  | {
      readonly type: 'cspFirmwareDeliveryStatus';
      readonly updateFirmwareRequestId: RequestId;
      readonly hub: string;
      readonly device: string;
      readonly firmwareVersion: string;
      readonly atMs: number;
      readonly delivered: boolean;
    };

/** CCS08 response codes as DUIS names them (`TransferResponseCode`). */
const TRANSFER_RESPONSE_CODE: Readonly<Record<TransferResponse, string>> = {
  success: 'FileTransferSuccess',
  imageDiscarded: 'FirmwareImageDiscarded',
  hardwareVersionMismatch: 'HardwareVersionMismatch',
  fileTransferFailure: 'FileTransferFailure',
};

const hex4 = (code: number) => code.toString(16).toUpperCase().padStart(4, '0');

/** The `DCCAlertCode` of an alert. */
export function dccAlertCode(alert: DccAlert): string {
  if (alert.type === 'cspFirmwareDeliveryStatus')
    return alert.delivered ? DCC_ALERT_CODES.firmwareDelivered : DCC_ALERT_CODES.firmwareDeliveryFailed;
  return DCC_ALERT_CODES[alert.type];
}

/** The `DCCAlertMessage` element of `alert`, as lines indented for `sr:Body`; `dateTime` writes a time. */
export function dccAlertXml(alert: DccAlert, dateTime: (atMs: number) => string): string[] {
  const inner: string[] = [];
  switch (alert.type) {
    case 'quarantinedRequest':
      inner.push(
        '        <sr:QuarantinedRequest>',
        '          <sr:ADUserThresholdBreach>',
        `            <sr:RequestID>${formatRequestId(alert.requestId)}</sr:RequestID>`,
        `            <sr:QuarantineEventRef>${alert.quarantineEventRef}</sr:QuarantineEventRef>`,
        '          </sr:ADUserThresholdBreach>',
        '        </sr:QuarantinedRequest>',
      );
      break;
    case 'commsHubAlert':
      inner.push(
        '        <sr:CommsHubAlert>',
        `          <sr:CommsHubDeviceID>${dashedEui(alert.hub)}</sr:CommsHubDeviceID>`,
        `          <sr:AlertCode>${hex4(alert.alertCode)}</sr:AlertCode>`,
        `          <sr:TimeStamp>${dateTime(alert.atMs)}</sr:TimeStamp>`,
        '          <sr:FirmwareTransferAlert>',
        ...(alert.updateFirmwareRequestId
          ? [
              `            <sr:UpdateFirmwareRequestID>${formatRequestId(alert.updateFirmwareRequestId)}</sr:UpdateFirmwareRequestID>`,
            ]
          : []),
        `            <sr:OtherDeviceID>${dashedEui(alert.device)}</sr:OtherDeviceID>`,
        `            <sr:FirmwareVersion>${alert.firmwareVersion.toUpperCase()}</sr:FirmwareVersion>`,
        `            <sr:TransferResponseCode>${TRANSFER_RESPONSE_CODE[alert.response]}</sr:TransferResponseCode>`,
        '          </sr:FirmwareTransferAlert>',
        '        </sr:CommsHubAlert>',
      );
      break;
    case 'ppmidAlert':
      inner.push(
        '        <sr:PPMIDAlert>',
        `          <sr:DeviceID>${dashedEui(alert.device)}</sr:DeviceID>`,
        '          <sr:DeviceAlertCode>8F8B</sr:DeviceAlertCode>',
        `          <sr:Timestamp>${dateTime(alert.atMs)}</sr:Timestamp>`,
        '          <sr:PPMIDFirmwareUpgradeAlert>',
        `            <sr:FirmwareVersion>${alert.firmwareVersion.toUpperCase()}</sr:FirmwareVersion>`,
        `            <sr:ActivateImageResultCode>${alert.activated ? 'ActivationSuccess' : 'ActivationFailure'}</sr:ActivateImageResultCode>`,
        '          </sr:PPMIDFirmwareUpgradeAlert>',
        '        </sr:PPMIDAlert>',
      );
      break;
    case 'cspFirmwareDeliveryStatus':
      inner.push(
        '        <sr:CSPFirmwareDeliveryStatus>',
        `          <sr:UpdateFirmwareRequestID>${formatRequestId(alert.updateFirmwareRequestId)}</sr:UpdateFirmwareRequestID>`,
        `          <sr:CommsHubDeviceID>${dashedEui(alert.hub)}</sr:CommsHubDeviceID>`,
        `          <sr:TargetDeviceID>${dashedEui(alert.device)}</sr:TargetDeviceID>`,
        `          <sr:FirmwareVersion>${alert.firmwareVersion.toUpperCase()}</sr:FirmwareVersion>`,
        `          <sr:TimeStamp>${dateTime(alert.atMs)}</sr:TimeStamp>`,
        `          <sr:CommsHubTransferStatus>${alert.delivered ? 'Success' : 'Failure'}</sr:CommsHubTransferStatus>`,
        '        </sr:CSPFirmwareDeliveryStatus>',
      );
      break;
  }
  return [
    '    <sr:DCCAlertMessage>',
    `      <sr:DCCAlertCode>${dccAlertCode(alert)}</sr:DCCAlertCode>`,
    '      <sr:DCCAlert>',
    ...inner,
    '      </sr:DCCAlert>',
    '    </sr:DCCAlertMessage>',
  ];
}
