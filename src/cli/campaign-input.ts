/**
 * Reading a campaign's inputs: estate, catalog (and the real images its `image_file` column
 * names, checked against the entries' hashes), policy and behaviour files. Used by `hanota
 * campaign` and by its worker threads, which read the same files themselves.
 */
import { dirname, resolve } from 'node:path';
import { toHex } from '../bytes/hex.ts';
import { decodeUtf8 } from '../bytes/utf8.ts';
import type { EntryImage } from '../campaign/campaign.ts';
import { type Policy, parsePolicy } from '../campaign/policy.ts';
import type { CampaignInputs } from '../campaign/report-document.ts';
import { sha256 } from '../crypto/hashes.ts';
import { checkDownloadedImage } from '../devices/image-check.ts';
import { DecodeError } from '../errors/errors.ts';
import { parseImage } from '../ota/image.ts';
import { type Behaviour, parseBehaviour } from '../pathways/behaviour.ts';
import type { Catalog } from '../pathways/catalog.ts';
import { readCatalog } from './catalog-input.ts';
import { CliError, inputError } from './cli-error.ts';
import { type CliContext, TABLE_INPUT_LIMIT } from './context.ts';
import { withStore } from './library-input.ts';

/** The files of a campaign. */
export interface CampaignFiles {
  readonly estate: string;
  readonly catalog: string;
  readonly policy?: string;
  readonly behaviours: readonly string[];
  /** A firmware library: entries without an `image_file` take their image from it, by entry ID. */
  readonly library?: string;
}

/** A campaign's inputs but its estate (streamed apart: src/cli/estate-spool.ts), read and checked. */
export interface LoadedCampaign {
  readonly catalog: Catalog;
  readonly policy: Policy;
  readonly behaviours: Map<string, Behaviour>;
  readonly images: Map<string, EntryImage>;
}

/** The real images of the entries with an `image_file`, checked against their catalog hash. */
function entryImages(
  ctx: CliContext,
  catalogFile: string,
  catalog: Catalog,
  library?: string,
): Map<string, EntryImage> {
  const images = new Map<string, EntryImage>();
  // The library opened once; its images by entry ID, each read (and checked) when an entry needs it.
  const held =
    library === undefined
      ? undefined
      : withStore({ library }, (store) => ({
          store,
          byId: new Map(store.index().entries.map((x) => [x.cplEntryId, x.fileSha256] as const)),
        }));
  for (const e of catalog.entries) {
    const file = e.extra.image_file;
    const objectHash = file ? undefined : held?.byId.get(e.cplEntryId);
    if (!file && !objectHash) continue;
    const path = file ? resolve(dirname(catalogFile), file) : `${library}/objects/${objectHash}`;
    let bytes: Uint8Array;
    try {
      bytes = file
        ? ctx.io.readFile(path)
        : (held as NonNullable<typeof held>).store.object(objectHash as string);
    } catch (error) {
      throw file ? error : inputError(`--library ${library}`, error);
    }
    let parsed: ReturnType<typeof parseImage> | undefined;
    for (const format of ['auto', 'gbcs'] as const) {
      try {
        parsed = parseImage(bytes, { format });
        break;
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        if (format === 'gbcs') throw inputError(`${path} (image_file of ${e.cplEntryId})`, error);
      }
    }
    const image = parsed as ReturnType<typeof parseImage>;
    const hash = toHex(sha256(image.format === 'gbcs' ? image.manufacturerImage.data : bytes));
    if (hash !== e.manufacturerImageHash.toLowerCase())
      throw new CliError(
        'IMAGE_HASH',
        `${path}: its hash ${hash} is not ${e.cplEntryId}'s ${e.manufacturerImageHash}`,
      );
    const h = image.header;
    images.set(e.cplEntryId, {
      manufacturerCode: h.manufacturerCode,
      imageType: h.imageType,
      fileVersion: h.fileVersion,
      // Served as declared: bytes after the total image size are not part of it.
      size: image.bytes.length,
      ...(h.minimumHardwareVersion !== undefined && { minimumHardwareVersion: h.minimumHardwareVersion }),
      ...(h.maximumHardwareVersion !== undefined && { maximumHardwareVersion: h.maximumHardwareVersion }),
      // The devices' whole-image checks, run once on the real file: every device downloads these bytes.
      verdict: checkDownloadedImage(image.bytes, {
        target: {
          manufacturerCode: h.manufacturerCode,
          imageType: h.imageType,
          fileVersion: h.fileVersion,
          imageSize: image.bytes.length,
        },
        ...(image.format === 'gbcs' && {
          parse: { format: 'gbcs' as const, signed: image.signature !== undefined },
        }),
      }),
      real: true,
    });
  }
  return images;
}

/** Reads the policy alone (empty without one). */
export function loadPolicy(ctx: CliContext, files: CampaignFiles): Policy {
  return files.policy === undefined ? {} : readPolicy(ctx, files.policy);
}

/** Reads a policy file; errors name it. */
export function readPolicy(ctx: CliContext, file: string): Policy {
  try {
    return parsePolicy(decodeUtf8(ctx.io.readFile(file)));
  } catch (error) {
    throw inputError(file, error);
  }
}

/** Reads every input of a campaign; errors name the file. */
export function loadCampaign(ctx: CliContext, files: CampaignFiles): LoadedCampaign {
  const catalog = readCatalog(ctx, files.catalog);
  const policy = loadPolicy(ctx, files);
  const behaviours = new Map<string, Behaviour>();
  for (const file of files.behaviours) {
    try {
      const b = parseBehaviour(decodeUtf8(ctx.io.readFile(file)));
      behaviours.set(b.model, b);
    } catch (error) {
      throw inputError(file, error);
    }
  }
  return {
    catalog,
    policy,
    behaviours,
    images: entryImages(ctx, files.catalog, catalog, files.library),
  };
}

/** The `CampaignInputs` of a run (the estate's digest as its streaming read computed it). */
export function campaignInputs(
  ctx: CliContext,
  files: CampaignFiles,
  targets: readonly string[],
  mode: string,
  estateDigest: string,
): CampaignInputs {
  const digest = (path: string, limit?: number) => toHex(sha256(ctx.io.readFile(path, limit)));
  return {
    estate: estateDigest,
    catalog: digest(files.catalog, TABLE_INPUT_LIMIT),
    policy: files.policy === undefined ? null : digest(files.policy),
    behaviours: files.behaviours.map((f) => digest(f)).sort(),
    ...(files.library !== undefined && { library: digest(`${files.library}/index.json`) }),
    targets: [...targets].sort(),
    mode,
  };
}
