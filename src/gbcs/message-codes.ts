/**
 * GBCS message codes hanota knows by name (GBCS Table 13.2.4 "Message Code"), and how their
 * content reads. Others are shown by number with their content as hex.
 */
import { FIRMWARE_READ_CODE } from './firmware-read.ts';

/** Message codes by name (the 11.2 reads' are `FIRMWARE_READ_CODE`). */
export const MESSAGE_CODE = {
  cs06ActivateFirmware: 0x0012,
  futureDatedFirmwareActivationAlert: 0x00ca,
  firmwareDistributionReceiptAlertDlms: 0x00ce,
  firmwareDistributionReceiptAlertGbz: 0x00cf,
} as const;

const NAMES: Readonly<Record<number, string>> = {
  [MESSAGE_CODE.cs06ActivateFirmware]: 'CS06 Activate Firmware',
  [MESSAGE_CODE.futureDatedFirmwareActivationAlert]: 'Future-Dated Firmware Activation Alert',
  [MESSAGE_CODE.firmwareDistributionReceiptAlertDlms]: 'Firmware Distribution Receipt Alert (DLMS)',
  [MESSAGE_CODE.firmwareDistributionReceiptAlertGbz]: 'Firmware Distribution Receipt Alert (GBZ)',
  [FIRMWARE_READ_CODE.ecs52]: 'ECS52 Read ESME/Comms Hub Firmware Version',
  [FIRMWARE_READ_CODE.gcs38]: 'GCS38 Read GSME Firmware Version',
  [FIRMWARE_READ_CODE.cs08]: 'CS08 Read PPMID/HCALCS Firmware Version',
};

/** The name of a message code, when hanota knows it. */
export function messageCodeName(code: number): string | undefined {
  return NAMES[code];
}
