/**
 * The DCC's transform of a critical Service Request (CommandVariant 4, DUIS §3.2.3): for SR 11.3
 * Activate Firmware, the CS06 pre-command — the General-Signing APDU without its signature, which
 * the supplier signs and submits back as a Signed Pre-Command. Its transaction ID is the
 * request's originator counter; originator and recipient are the request's parties; the content
 * is the CS06 command (GBCS use case CS06, message code 0x0012), with the execution date-time
 * when the request is future-dated. Byte for byte what the RTDS holds for the same inputs.
 */
import { fromHex } from '../bytes/hex.ts';
import { encodeGeneralSigning } from '../gbcs/apdu.ts';
import { CS06_MESSAGE_CODE, encodeCs06Command } from '../gbcs/cs06.ts';
import type { RequestId } from './request-id.ts';

/** What an 11.3 request says: its ID, the Manufacturer Image hash and when to activate. */
export interface ActivateFirmwareRequest {
  readonly requestId: RequestId;
  readonly hash: Uint8Array;
  /** `YYYY-MM-DDTHH:MM:SSZ`, for a future-dated activation. */
  readonly executeAt?: string;
}

/** The CS06 pre-command the DCC returns for an 11.3 request with CommandVariant 4. */
export function cs06PreCommand(request: ActivateFirmwareRequest): Uint8Array {
  const { requestId } = request;
  return encodeGeneralSigning({
    transactionId: { cra: 'command', counter: requestId.counter },
    originator: fromHex(requestId.originator, 'originator'),
    recipient: fromHex(requestId.target, 'target'),
    messageCode: CS06_MESSAGE_CODE,
    content: encodeCs06Command({
      hash: request.hash,
      counter: requestId.counter,
      ...(request.executeAt !== undefined && { executeAt: request.executeAt }),
    }),
  });
}
