/** `hanota image inspect FILE...`: every header field, sub-element and digest of OTA files. */
import type { Argv } from 'yargs';
import { hexNumber } from '../../bytes/hex.ts';
import { describeImage, type ImageDescription } from '../../ota/describe.ts';
import { CliError, type ErrorDocument, errorDocument } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { loadImage } from '../image-input.ts';
import { imageReadingOptions, withImageReading, withJson } from '../options.ts';
import { renderFields, renderTable } from '../table.ts';

/** One file's result: its description, or the error that stopped it. */
export type InspectResult = ({ file: string } & ImageDescription) | { file: string; error: ErrorDocument };

function inspectText(file: string, d: ImageDescription): string {
  const h = d.header;
  const fields: [string, string][] = [
    ['format', `${d.format}${d.offset ? ` (OTA file at offset ${d.offset})` : ''}`],
    ['headerVersion', hexNumber(h.headerVersion, 4)],
    ['headerLength', String(h.headerLength)],
    ['fieldControl', hexNumber(h.fieldControl, 4)],
    ['manufacturerCode', hexNumber(h.manufacturerCode, 4)],
    ['imageType', hexNumber(h.imageType, 4)],
    ['fileVersion', `${hexNumber(h.fileVersion, 8)} (${h.fileVersion})`],
    ['zigbeeStackVersion', hexNumber(h.zigbeeStackVersion, 4)],
    ['headerString', JSON.stringify(h.headerString)],
    ['totalImageSize', String(h.totalImageSize)],
  ];
  if (h.securityCredentialVersion !== undefined) {
    fields.push(['securityCredentialVersion', String(h.securityCredentialVersion)]);
  }
  if (h.upgradeFileDestination !== undefined)
    fields.push(['upgradeFileDestination', h.upgradeFileDestination]);
  if (h.minimumHardwareVersion !== undefined && h.maximumHardwareVersion !== undefined) {
    fields.push([
      'hardwareVersions',
      `${hexNumber(h.minimumHardwareVersion, 4)}..${hexNumber(h.maximumHardwareVersion, 4)}`,
    ]);
  }
  if (d.manufacturerImage) {
    const mi = d.manufacturerImage;
    fields.push(['manufacturerImage', `offset ${mi.offset}, ${mi.length} bytes, sha256 ${mi.sha256}`]);
  }
  if (d.format === 'gbcs') {
    fields.push([
      'signature',
      d.signature ? `flag ${hexNumber(d.signature.flag, 2)} at offset ${d.signature.offset}` : 'none',
    ]);
  }
  fields.push(
    ['trailingBytes', String(d.trailingBytes)],
    ['size', String(d.size)],
    ['sha256', d.sha256],
    ['sha512', d.sha512],
  );
  const parts = [file, renderFields(fields)];
  if (d.elements) {
    parts.push(
      renderTable(
        ['TAG', 'NAME', 'OFFSET', 'LENGTH', 'SHA-256'],
        d.elements.map((e) => [hexNumber(e.tag, 4), e.tagName, String(e.offset), String(e.length), e.sha256]),
      ),
    );
  }
  return `${parts.join('\n')}\n`;
}

/** The `image inspect` command module. */
export function imageInspectCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withImageReading(withJson(y)).positional('files', { type: 'string', array: true, demandOption: true }),
    handler: (argv) => {
      const files = argv.files as string[];
      const options = imageReadingOptions(argv);
      const results: InspectResult[] = files.map((file) => {
        try {
          const { input, image } = loadImage(ctx, file, options);
          return { file, ...describeImage(image, input) };
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          ctx.exit(2);
          return { file, error: errorDocument(error) };
        }
      });
      if (argv.json) {
        ctx.io.stdout(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
        return;
      }
      for (const r of results) {
        if ('error' in r) ctx.io.stderr(`error: ${r.error.message}\n`);
        else ctx.io.stdout(`${inspectText(r.file, r)}\n`);
      }
    },
  };
}
