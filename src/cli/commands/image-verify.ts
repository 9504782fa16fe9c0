/**
 * `hanota image verify FILE... [--key PEM | --cert PEM]`: structure, integrity code and
 * signature of OTA files, as a table or JSON. Exit 1 when a check fails (a file that does not
 * parse fails its structure check); exit 2 when a file or key cannot be read.
 */
import type { Argv } from 'yargs';
import { hexNumber, toHex } from '../../bytes/hex.ts';
import { sha256 } from '../../crypto/hashes.ts';
import type { OtaImage, ParseImageOptions } from '../../ota/image.ts';
import { type CheckResult, type VerifyOptions, verifyImage } from '../../ota/verify.ts';
import { CliError, type ErrorDocument, errorDocument } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { parseImageFile } from '../image-input.ts';
import { loadKey } from '../key-input.ts';
import { imageReadingOptions, withImageReading, withJson } from '../options.ts';
import { renderTable } from '../table.ts';

/** One file's verdict. */
export interface VerifyReport {
  readonly file: string;
  readonly ok: boolean;
  readonly format?: OtaImage['format'];
  readonly manufacturerCode?: number;
  readonly imageType?: number;
  readonly fileVersion?: number;
  readonly manufacturerImageSha256?: string;
  readonly checks: readonly CheckResult[];
  /** Why the structure check failed. */
  readonly error?: ErrorDocument;
}

function verifyFile(ctx: CliContext, file: string, options: VerifyOptionsCli): VerifyReport {
  let input: Uint8Array;
  try {
    input = ctx.io.readFile(file);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    ctx.exit(2);
    return { file, ok: false, checks: [], error: errorDocument(error) };
  }
  let image: OtaImage;
  try {
    image = parseImageFile(file, input, options.parse);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    return {
      file,
      ok: false,
      checks: [{ check: 'structure', status: 'fail', detail: error.message }],
      error: errorDocument(error),
    };
  }
  const result = verifyImage(image, options.verify);
  return {
    file,
    ok: result.ok,
    format: image.format,
    manufacturerCode: image.header.manufacturerCode,
    imageType: image.header.imageType,
    fileVersion: image.header.fileVersion,
    ...(image.format === 'gbcs' && { manufacturerImageSha256: toHex(sha256(image.manufacturerImage.data)) }),
    checks: result.checks,
  };
}

interface VerifyOptionsCli {
  readonly parse: ParseImageOptions;
  readonly verify: VerifyOptions;
}

function statusOf(report: VerifyReport, check: CheckResult['check']): string {
  return report.checks.find((c) => c.check === check)?.status ?? '-';
}

function verifyText(reports: readonly VerifyReport[]): string {
  const rows = reports.map((r) => [
    r.file,
    r.format ?? '-',
    r.manufacturerCode === undefined ? '-' : hexNumber(r.manufacturerCode, 4),
    r.imageType === undefined ? '-' : hexNumber(r.imageType, 4),
    r.fileVersion === undefined ? '-' : hexNumber(r.fileVersion, 8),
    statusOf(r, 'structure'),
    statusOf(r, 'integrityCode'),
    statusOf(r, 'signature'),
    r.ok ? 'OK' : r.checks.length ? 'FAILED' : 'UNREADABLE',
  ]);
  const table = renderTable(
    ['FILE', 'FORMAT', 'MANUF', 'TYPE', 'VERSION', 'STRUCTURE', 'INTEGRITY', 'SIGNATURE', 'RESULT'],
    rows,
  );
  const notes = reports.flatMap((r) =>
    r.checks.length === 0 && r.error
      ? [r.error.message]
      : r.checks
          .filter((c) => c.status === 'fail' || c.status === 'unchecked')
          .map((c) => `${r.file}: ${c.check} ${c.status}: ${c.detail}`),
  );
  return `${table}\n${notes.length ? `\n${notes.join('\n')}\n` : ''}`;
}

/** The `image verify` command module. */
export function imageVerifyCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withImageReading(withJson(y))
        .positional('files', { type: 'string', array: true, demandOption: true })
        .option('key', {
          type: 'string',
          describe: 'PEM public or private P-256 key of the signing supplier',
        })
        .option('cert', { type: 'string', describe: 'PEM X.509 certificate of the signing supplier' })
        .option('require-signature', {
          type: 'boolean',
          default: false,
          describe: 'fail a file whose signature is absent or cannot be checked',
        })
        .conflicts('key', 'cert'),
    handler: (argv) => {
      const key =
        typeof argv.cert === 'string'
          ? loadKey(ctx, argv.cert, 'cert', true)
          : typeof argv.key === 'string'
            ? loadKey(ctx, argv.key, 'key')
            : undefined;
      const options: VerifyOptionsCli = {
        parse: imageReadingOptions(argv),
        verify: {
          ...(key && { publicKey: key.publicKey }),
          requireSignature: argv.requireSignature === true,
        },
      };
      const reports = (argv.files as string[]).map((file) => verifyFile(ctx, file, options));
      if (reports.some((r) => !r.ok)) ctx.exit(1);
      if (argv.json)
        ctx.io.stdout(`${JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2)}\n`);
      else ctx.io.stdout(verifyText(reports));
    },
  };
}
