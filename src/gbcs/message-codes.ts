/**
 * GBCS message codes hanota knows by name (GBCS Table 13.2.4 "Message Code"), and how their
 * content reads. Others are shown by number with their content as hex.
 */

/** Message codes by name. */
export const MESSAGE_CODE = {
  cs06ActivateFirmware: 0x0012,
  futureDatedFirmwareActivationAlert: 0x00ca,
  firmwareDistributionReceiptAlertDlms: 0x00ce,
  firmwareDistributionReceiptAlertGbz: 0x00cf,
  ecs52ReadFirmwareVersion: 0x0059,
  gcs38ReadFirmwareVersion: 0x0084,
  cs08ReadFirmwareVersion: 0x0129,
} as const;

const NAMES: Readonly<Record<number, string>> = {
  [MESSAGE_CODE.cs06ActivateFirmware]: 'CS06 Activate Firmware',
  [MESSAGE_CODE.futureDatedFirmwareActivationAlert]: 'Future-Dated Firmware Activation Alert',
  [MESSAGE_CODE.firmwareDistributionReceiptAlertDlms]: 'Firmware Distribution Receipt Alert (DLMS)',
  [MESSAGE_CODE.firmwareDistributionReceiptAlertGbz]: 'Firmware Distribution Receipt Alert (GBZ)',
  [MESSAGE_CODE.ecs52ReadFirmwareVersion]: 'ECS52 Read ESME/Comms Hub Firmware Version',
  [MESSAGE_CODE.gcs38ReadFirmwareVersion]: 'GCS38 Read GSME Firmware Version',
  [MESSAGE_CODE.cs08ReadFirmwareVersion]: 'CS08 Read PPMID/HCALCS Firmware Version',
};

/** The name of a message code, when hanota knows it. */
export function messageCodeName(code: number): string | undefined {
  return NAMES[code];
}
