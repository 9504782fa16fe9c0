/**
 * Reading the files a scenario names — its catalog, behaviour, images and supplier keys — from
 * the bytes the caller read. An error in one of them is reported at the scenario key that names
 * the file.
 */
import { toHex } from '../bytes/hex.ts';
import { decodeUtf8 } from '../bytes/utf8.ts';
import { sha256 } from '../crypto/hashes.ts';
import { readP256Key } from '../crypto/keys.ts';
import { DecodeError, HanotaError } from '../errors/errors.ts';
import { type OtaImage, type ParseImageOptions, parseImage } from '../ota/image.ts';
import { type Behaviour, parseBehaviour } from '../pathways/behaviour.ts';
import { type Catalog, type CatalogEntry, loadCatalog } from '../pathways/catalog.ts';
import { ScenarioError } from './load.ts';
import type { ScenarioFile } from './schema.ts';

/** An image of the scenario. */
export interface ScenarioImage {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly image: OtaImage;
  readonly parse: ParseImageOptions;
  /** What a catalog entry's hash is compared with: the Manufacturer Image's SHA-256 (GBCS), else the file's. */
  readonly hash: string;
  readonly entry?: CatalogEntry;
}

/** A supplier of the scenario: its EUI and keys (the private one only when its key file holds it). */
export interface ScenarioSupplier {
  eui: string;
  privateKey?: Uint8Array;
  publicKey: Uint8Array;
}

/**
 * Which CPL entry an image is: by the SHA-256 of its file, so that one version published with two
 * hashes is told apart, and by version where no bytes are held.
 */
export interface ImageEntries {
  readonly entryOfFile: ReadonlyMap<string, string>;
  readonly entryOfVersion: ReadonlyMap<number, string>;
}

/** The entries of the scenario's images that name one. */
export function imageEntries(images: ReadonlyMap<string, ScenarioImage>): ImageEntries {
  const entryOfVersion = new Map<number, string>();
  const entryOfFile = new Map<string, string>();
  for (const image of images.values())
    if (image.entry) {
      entryOfVersion.set(image.image.header.fileVersion, image.entry.cplEntryId);
      entryOfFile.set(toHex(sha256(image.image.bytes)), image.entry.cplEntryId);
    }
  return { entryOfFile, entryOfVersion };
}

/** What the files a scenario names hold. */
export interface ScenarioInputs {
  readonly catalog: Catalog | undefined;
  readonly behaviour: Behaviour | undefined;
  readonly images: Map<string, ScenarioImage>;
  readonly suppliers: Map<string, ScenarioSupplier>;
}

function readImage(name: string, bytes: Uint8Array): Omit<ScenarioImage, 'entry'> {
  for (const parse of [{ format: 'auto' }, { format: 'gbcs' }] as const) {
    try {
      const image = parseImage(bytes, parse);
      return {
        name,
        bytes,
        image,
        parse,
        hash: toHex(sha256(image.format === 'gbcs' ? image.manufacturerImage.data : bytes)),
      };
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      if (parse.format === 'gbcs')
        throw new ScenarioError(`images.${name}`, `not an OTA image: ${error.message}`);
    }
  }
  throw new ScenarioError(`images.${name}`, 'not an OTA image');
}

/** Runs `load`; an error from a file the scenario names is reported at its key, with the file. */
function within<T>(path: string, file: string, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof HanotaError && !(error instanceof ScenarioError))
      throw new ScenarioError(path, `${file}: ${error.message}`);
    throw error;
  }
}

/** Reads each image and matches it with the catalog entry of the same hash, if any. */
function readImages(
  s: ScenarioFile,
  files: ReadonlyMap<string, Uint8Array>,
  catalog: Catalog | undefined,
): Map<string, ScenarioImage> {
  const byHash = new Map<string, CatalogEntry>();
  for (const e of catalog?.entries ?? []) byHash.set(e.manufacturerImageHash.toLowerCase(), e);
  const images = new Map<string, ScenarioImage>();
  for (const [name, path] of Object.entries(s.images)) {
    const read = readImage(name, files.get(path) as Uint8Array);
    const entry = byHash.get(read.hash);
    images.set(name, { ...read, ...(entry && { entry }) });
  }
  return images;
}

/** Reads each supplier's key; a supplier without an EUI gets one from its place in the list. */
function readSuppliers(s: ScenarioFile, text: (path: string) => string): Map<string, ScenarioSupplier> {
  const suppliers = new Map<string, ScenarioSupplier>();
  Object.entries(s.suppliers ?? {}).forEach(([name, sup], i) => {
    const key = within(`suppliers.${name}.key`, sup.key, () => readP256Key(text(sup.key)));
    suppliers.set(name, {
      eui: (sup.eui ?? `53500000000000${(i + 1).toString(16).padStart(2, '0')}`).toLowerCase(),
      publicKey: key.publicKey,
      ...(key.privateKey && { privateKey: key.privateKey }),
    });
  });
  return suppliers;
}

/** Reads the catalog, behaviour, images and suppliers of `s`, in that order, from `files`. */
export function readScenarioInputs(s: ScenarioFile, files: ReadonlyMap<string, Uint8Array>): ScenarioInputs {
  const text = (path: string) => decodeUtf8(files.get(path) as Uint8Array);
  const catalog = s.catalog
    ? within('catalog', s.catalog, () => loadCatalog(files.get(s.catalog as string) as Uint8Array))
    : undefined;
  const behaviour = s.behaviour
    ? within('behaviour', s.behaviour, () => parseBehaviour(text(s.behaviour as string)))
    : undefined;
  const images = readImages(s, files, catalog);
  const suppliers = readSuppliers(s, text);
  return { catalog, behaviour, images, suppliers };
}

/** The image of catalog entry `id` among `images`, if any. */
export function imageOfEntry(
  images: ReadonlyMap<string, ScenarioImage>,
  id: string,
): ScenarioImage | undefined {
  return [...images.values()].find((i) => i.entry?.cplEntryId === id);
}
