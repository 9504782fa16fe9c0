/**
 * `hanota image build`: writes a ZigBee OTA Upgrade file (sub-elements from files) or a GBCS
 * OTA Upgrade Image (Manufacturer Image, optionally signed by the supplier key).
 */
import type { Argv } from 'yargs';
import { toHex } from '../../bytes/hex.ts';
import { sha256 } from '../../crypto/hashes.ts';
import { SUB_ELEMENT_TAG } from '../../ota/constants.ts';
import { buildGbcsImage } from '../../ota/gbcs-image.ts';
import { signManufacturerImage } from '../../ota/gbcs-signature.ts';
import { headerStringFromText, type OtaHeaderFields } from '../../ota/header.ts';
import { buildZigbeeImageWithIntegrityCode } from '../../ota/integrity.ts';
import type { SubElementInput } from '../../ota/sub-elements.ts';
import { buildZigbeeImage } from '../../ota/zigbee-image.ts';
import { CliError, inputError } from '../cli-error.ts';
import type { CommandBody } from '../command-table.ts';
import type { CliContext } from '../context.ts';
import { loadKey } from '../key-input.ts';
import { parseEui64, parseTagFile, parseUint, prepareOutputs, withJson } from '../options.ts';

/** ZigBee PRO, the stack version of every GB smart-metering device. */
const DEFAULT_STACK_VERSION = 0x0002;

function hardwareRange(argv: Record<string, unknown>) {
  const minimumHardwareVersion = parseUint(argv.minHw as string, 16, 'min-hw');
  const maximumHardwareVersion = parseUint(argv.maxHw as string, 16, 'max-hw');
  if (minimumHardwareVersion > maximumHardwareVersion) {
    throw new CliError(
      'BAD_ARGUMENT',
      `--min-hw: ${minimumHardwareVersion} is above --max-hw ${maximumHardwareVersion}`,
    );
  }
  return { minimumHardwareVersion, maximumHardwareVersion };
}

function headerFields(argv: Record<string, unknown>): OtaHeaderFields {
  const hasMin = argv.minHw !== undefined;
  if (hasMin !== (argv.maxHw !== undefined)) {
    throw new CliError('BAD_ARGUMENT', '--min-hw and --max-hw: give both or neither');
  }
  let headerString: Uint8Array;
  try {
    headerString = headerStringFromText(String(argv.headerString ?? ''));
  } catch (error) {
    throw inputError('--header-string', error);
  }
  return {
    manufacturerCode: parseUint(argv.manufacturerCode as string, 16, 'manufacturer-code'),
    imageType: parseUint(argv.imageType as string, 16, 'image-type'),
    fileVersion: parseUint(argv.fileVersion as string, 32, 'file-version'),
    zigbeeStackVersion: parseUint(
      (argv.stackVersion as string) ?? DEFAULT_STACK_VERSION,
      16,
      'stack-version',
    ),
    headerString,
    ...(argv.credentialVersion !== undefined && {
      securityCredentialVersion: parseUint(argv.credentialVersion as string, 8, 'credential-version'),
    }),
    ...(typeof argv.destination === 'string' && {
      upgradeFileDestination: parseEui64(argv.destination, 'destination'),
    }),
    ...(hasMin && hardwareRange(argv)),
  };
}

function buildBytes(ctx: CliContext, argv: Record<string, unknown>, header: OtaHeaderFields): Uint8Array {
  const payload = typeof argv.payload === 'string' ? ctx.io.readFile(argv.payload) : undefined;
  const elementSpecs = ((argv.element as string[] | undefined) ?? []).map((e) => parseTagFile(e, 'element'));
  if (argv.format === 'gbcs') {
    if (!payload)
      throw new CliError('BAD_ARGUMENT', '--payload: a GBCS image needs the Manufacturer Image as --payload');
    if (elementSpecs.length || argv.integrityCode) {
      throw new CliError('BAD_ARGUMENT', '--element/--integrity-code: a GBCS image has no sub-elements');
    }
    const signKey = typeof argv.signKey === 'string' ? loadKey(ctx, argv.signKey, 'sign-key') : undefined;
    if (signKey && !signKey.privateKey) {
      throw new CliError('KEY_FORMAT', `--sign-key ${argv.signKey}: holds no private key`);
    }
    const signature = signKey?.privateKey ? signManufacturerImage(payload, signKey.privateKey) : undefined;
    return buildGbcsImage({ header, manufacturerImage: payload, ...(signature && { signature }) });
  }
  if (argv.signKey !== undefined)
    throw new CliError('BAD_ARGUMENT', '--sign-key: only GBCS images (--format gbcs) are signed');
  const elements: SubElementInput[] = [
    ...(payload ? [{ tag: SUB_ELEMENT_TAG.upgradeImage, data: payload }] : []),
    ...elementSpecs.map(({ tag, file }) => ({ tag, data: ctx.io.readFile(file) })),
  ];
  if (elements.length === 0)
    throw new CliError('BAD_ARGUMENT', '--payload or --element: the image needs at least one sub-element');
  return argv.integrityCode
    ? buildZigbeeImageWithIntegrityCode({ header, elements })
    : buildZigbeeImage({ header, elements });
}

/** The `image build` command module. */
export function imageBuildCommand(ctx: CliContext): CommandBody {
  return {
    builder: (y: Argv) =>
      withJson(y)
        .option('manufacturer-code', {
          type: 'string',
          demandOption: true,
          describe: 'u16, decimal or 0x hex',
        })
        .option('image-type', { type: 'string', demandOption: true, describe: 'u16' })
        .option('file-version', { type: 'string', demandOption: true, describe: 'u32' })
        .option('stack-version', {
          type: 'string',
          describe: 'ZigBee stack version, u16 (default 0x0002, ZigBee PRO)',
        })
        .option('header-string', { type: 'string', describe: 'up to 32 bytes of UTF-8 text' })
        .option('min-hw', { type: 'string', describe: 'minimum hardware version, u16 (with --max-hw)' })
        .option('max-hw', { type: 'string', describe: 'maximum hardware version, u16 (with --min-hw)' })
        .option('destination', { type: 'string', describe: 'upgrade file destination EUI-64' })
        .option('credential-version', { type: 'string', describe: 'security credential version, u8' })
        .option('payload', {
          type: 'string',
          describe: 'upgrade image (zigbee: tag 0x0000) or Manufacturer Image (gbcs)',
        })
        .option('element', {
          type: 'string',
          array: true,
          describe: 'TAG=FILE sub-element, repeatable, in order',
        })
        .option('integrity-code', {
          type: 'boolean',
          default: false,
          describe: 'append an AES-MMO image integrity code (zigbee)',
        })
        .option('format', { choices: ['zigbee', 'gbcs'] as const, default: 'zigbee' as const })
        .option('sign-key', { type: 'string', describe: 'PEM private key of the supplier (gbcs)' })
        .option('out', { type: 'string', demandOption: true, describe: 'file to write' }),
    handler: (argv) => {
      const args = argv as Record<string, unknown>;
      prepareOutputs(ctx, { files: { out: argv.out } });
      let bytes: Uint8Array;
      try {
        bytes = buildBytes(ctx, args, headerFields(args));
      } catch (error) {
        throw inputError('image build', error);
      }
      const out = argv.out as string;
      ctx.io.writeFile(out, bytes);
      const summary = { out, format: argv.format, size: bytes.length, sha256: toHex(sha256(bytes)) };
      if (argv.json) ctx.io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
      else
        ctx.io.stdout(`wrote ${out}: ${summary.format}, ${summary.size} bytes, sha256 ${summary.sha256}\n`);
    },
  };
}
