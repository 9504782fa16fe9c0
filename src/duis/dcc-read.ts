/**
 * SR 11.2 Read Firmware Version as the DCC sends it (CommandVariant 1): the read the device's type
 * answers (ECS52, GCS38, CS08), originated by the Access Control Broker with its own counter and
 * the requester and its RequestID counter as the supplementary remote party, MACed for the
 * device — the form of DCC Boxed's 11.2 responses and of the RTDS CS08 command.
 */
import { fromHex } from '../bytes/hex.ts';
import { HanotaError } from '../errors/errors.ts';
import { dlmsInvokeId } from '../gbcs/alerts.ts';
import { encodeFirmwareReadCommand, FIRMWARE_READ_CODE, type FirmwareRead } from '../gbcs/firmware-read.ts';
import { type KeyRing, macKeyOf, sealNonCritical } from '../gbcs/security.ts';
import type { RequestId } from './request-id.ts';

/** The MACed read command for `device` on behalf of `requestId`'s originator, ACB counter `counter`. */
export function readFirmwareCommand(
  ring: KeyRing,
  device: string,
  read: FirmwareRead,
  requestId: RequestId,
  counter: bigint,
): Uint8Array {
  const message = {
    transactionId: { cra: 'command', counter } as const,
    originator: fromHex(ring.acb, 'acb'),
    recipient: fromHex(device, 'device'),
    messageCode: FIRMWARE_READ_CODE[read],
    supplementary: { id: fromHex(requestId.originator, 'originator'), counter: requestId.counter },
    content: encodeFirmwareReadCommand(read, dlmsInvokeId(counter)),
  };
  const key = macKeyOf(message, ring);
  if (typeof key === 'string') throw new HanotaError('DUIS_KEYS', `11.2 to ${device}: ${key}`);
  return sealNonCritical(message, key);
}
