/**
 * The DUIS RequestID (DUIS §3.4.1.2): `originator:target:counter`, each party an EUI-64 written
 * as eight hex pairs joined by dashes, the counter a decimal 64-bit number the originator
 * increases. In a transform (CommandVariant 4) the counter is the GBCS originator counter of the
 * pre-command the DCC answers with.
 */
import { DecodeError } from '../errors/errors.ts';

/** A request's ID, parties as lowercase hex (16 digits). */
export interface RequestId {
  readonly originator: string;
  readonly target: string;
  readonly counter: bigint;
}

const EUI_DASHED = /^[0-9A-Fa-f]{2}(-[0-9A-Fa-f]{2}){7}$/;

/** `00-DB-12-34-56-78-90-A0` → `00db1234567890a0`; undefined when it is not one. */
export function euiOfDashed(text: string): string | undefined {
  return EUI_DASHED.test(text) ? text.replaceAll('-', '').toLowerCase() : undefined;
}

/** `00db1234567890a0` → `00-DB-12-34-56-78-90-A0`, as DUIS writes EUI-64s. */
export function dashedEui(eui: string): string {
  return (eui.toUpperCase().match(/../g) ?? []).join('-');
}

/** Parses a RequestID; a `DecodeError` names the part that is wrong. */
export function parseRequestId(text: string): RequestId {
  const parts = text.trim().split(':');
  if (parts.length !== 3)
    throw new DecodeError('DUIS_REQUEST_ID', `RequestID '${text}': not originator:target:counter`, 0);
  const [o, t, c] = parts as [string, string, string];
  const originator = euiOfDashed(o);
  const target = euiOfDashed(t);
  if (!originator)
    throw new DecodeError('DUIS_REQUEST_ID', `RequestID '${text}': originator '${o}' is not an EUI-64`, 0);
  if (!target)
    throw new DecodeError('DUIS_REQUEST_ID', `RequestID '${text}': target '${t}' is not an EUI-64`, 0);
  if (!/^(0|[1-9][0-9]{0,19})$/.test(c) || BigInt(c) > 0xffff_ffff_ffff_ffffn)
    throw new DecodeError('DUIS_REQUEST_ID', `RequestID '${text}': counter '${c}' is not a 64-bit number`, 0);
  return { originator, target, counter: BigInt(c) };
}

/** The RequestID text of `id`. */
export function formatRequestId(id: RequestId): string {
  return `${dashedEui(id.originator)}:${dashedEui(id.target)}:${id.counter}`;
}
