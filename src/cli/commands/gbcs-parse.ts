/**
 * `hanota gbcs parse HEX|FILE [--keys DIR] [--json]`: every field of a GBCS message, and whether
 * its signature and MAC verify when the keys allow checking. Exit 1 when a present signature or
 * MAC does not verify; 2 when the message does not decode.
 */
import type { Argv } from 'yargs';
import { DecodeError } from '../../errors/errors.ts';
import { decodeGbcsMessage, type GbcsMessage } from '../../gbcs/apdu.ts';
import { type CheckDocument, describeGbcsMessage } from '../../gbcs/describe.ts';
import { checkMessage } from '../../gbcs/security.ts';
import { inputError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { keyRingOf, readMessageInput, withKeys } from '../gbcs-input.ts';
import { withJson } from '../options.ts';

function checkLine(name: string, check: CheckDocument | null | undefined): string | undefined {
  if (check === undefined) return undefined;
  if (check === null) return `${name}: none`;
  const verdict = check.valid === undefined ? 'unchecked' : check.valid ? 'valid' : 'INVALID';
  return `${name}: ${verdict}${check.reason ? ` (${check.reason})` : ''}`;
}

function text(doc: ReturnType<typeof describeGbcsMessage>): string {
  const lines = [
    `kind: ${doc.kind}`,
    `transaction: ${doc.transactionId.cra} ${doc.transactionId.counter}`,
    `originator: ${doc.originator}`,
    `recipient: ${doc.recipient}`,
    ...(doc.dateTime ? [`date-time: ${doc.dateTime.iso ?? doc.dateTime.value}`] : []),
    `message code: 0x${doc.messageCode.toString(16).padStart(4, '0')}${doc.messageName ? ` ${doc.messageName}` : ''}`,
    ...('supplementaryRemoteParty' in doc && doc.supplementaryRemoteParty
      ? [`on behalf of: ${doc.supplementaryRemoteParty.id} counter ${doc.supplementaryRemoteParty.counter}`]
      : []),
    `content: ${doc.content.value}`,
    ...Object.entries(doc.content)
      .filter(([k]) => k !== 'value')
      .flatMap(([k, v]) =>
        typeof v === 'object' && v ? Object.entries(v).map(([f, x]) => `  ${k}.${f}: ${String(x)}`) : [],
      ),
    checkLine('signature', doc.signature),
    checkLine('mac', 'mac' in doc ? doc.mac : undefined),
  ];
  return `${lines.filter((l) => l !== undefined).join('\n')}\n`;
}

/** The `gbcs parse` command module. */
export function gbcsParseCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withKeys(withJson(y), false).positional('message', {
        type: 'string',
        demandOption: true,
        describe: 'the message as hex, or a file of hex text or bytes',
      }),
    handler: (argv) => {
      const input = readMessageInput(ctx, String(argv.message));
      const ring = keyRingOf(ctx, argv);
      let message: GbcsMessage;
      let doc: ReturnType<typeof describeGbcsMessage>;
      try {
        message = decodeGbcsMessage(input.bytes);
        doc = describeGbcsMessage(message, checkMessage(message, ring));
      } catch (error) {
        if (error instanceof DecodeError) throw inputError(input.subject, error);
        throw error;
      }
      const failed = [doc.signature, 'mac' in doc ? doc.mac : undefined].some((c) => c?.valid === false);
      if (failed) ctx.exit(1);
      ctx.io.stdout(argv.json ? `${JSON.stringify({ input: input.subject, ...doc }, null, 2)}\n` : text(doc));
    },
  };
}
