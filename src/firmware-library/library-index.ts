/**
 * The firmware library's index (SECMP0009's Centralised Firmware Library, the FIR; DESIGN.md §3
 * "The library"): one JSON document listing every image held, keyed by CPL Entry ID, each with
 * the content address of its file (SHA-256), its Manufacturer Image hash, its OTA header identity
 * and the FIR's data of its entry as the catalog gave it when it was added. Like the zigbee-OTA
 * collection's `index.json`, it is the one file a reader needs; unlike it, it is written whole and
 * atomically by the store. Parsing checks every field and names the one that is wrong.
 */
import { DecodeError } from '../errors/errors.ts';

/** The index format's version. */
export const LIBRARY_INDEX_VERSION = 1;

/** One image held, under its CPL entry. */
export interface LibraryEntry {
  readonly cplEntryId: string;
  /** SHA-256 of the file: its content address. */
  readonly fileSha256: string;
  /** SHA-256 of the Manufacturer Image (GBCS) or of the file (ZigBee OTA): the CPL's hash. */
  readonly manufacturerImageSha256: string;
  readonly fileSize: number;
  readonly manufacturerCode: number;
  readonly imageType: number;
  readonly fileVersion: number;
  readonly format: 'gbcs' | 'zigbee';
  /** A non-commercial release (a fix, a security update), as SECMP0009 distinguishes them. */
  readonly commercial: boolean;
  /** SHA-256 of the release notes held with it, if any. */
  readonly releaseNotesSha256?: string;
  /** The catalog's data of the entry when it was added (FIR: model, version, pathways, status). */
  readonly fir: {
    readonly deviceType: string;
    readonly manufacturer: string;
    readonly model: string;
    readonly hardwareVersion: string;
    readonly firmwareVersion: string;
    readonly baseCplEntryIds: readonly string[];
    readonly status: string;
    readonly manufacturerContact?: string;
  };
}

/** The whole index. */
export interface LibraryIndex {
  readonly version: typeof LIBRARY_INDEX_VERSION;
  readonly entries: readonly LibraryEntry[];
}

/** An empty library's index. */
export const EMPTY_INDEX: LibraryIndex = { version: LIBRARY_INDEX_VERSION, entries: [] };

const HEX64 = /^[0-9a-f]{64}$/;

function fail(field: string, what: string): never {
  throw new DecodeError('LIBRARY_INDEX', `${field}: ${what}`, 0);
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') fail(field, 'expected a non-empty string');
  return v;
}

function hash(v: unknown, field: string): string {
  const s = str(v, field);
  if (!HEX64.test(s)) fail(field, `'${s}' is not a lowercase SHA-256`);
  return s;
}

function uint(v: unknown, field: string, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max)
    fail(field, `expected an integer from 0 to ${max}`);
  return v;
}

/** Reads an index document (JSON text); a `DecodeError` names the field that is wrong. */
export function parseLibraryIndex(text: string): LibraryIndex {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    fail('index', `not JSON (${(error as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null) fail('index', 'expected an object');
  const d = doc as { version?: unknown; entries?: unknown };
  if (d.version !== LIBRARY_INDEX_VERSION) fail('version', `expected ${LIBRARY_INDEX_VERSION}`);
  if (!Array.isArray(d.entries)) fail('entries', 'expected an array');
  const seen = new Set<string>();
  const entries = d.entries.map((raw: unknown, i: number): LibraryEntry => {
    const at = `entries[${i}]`;
    if (typeof raw !== 'object' || raw === null) fail(at, 'expected an object');
    const e = raw as Record<string, unknown>;
    const fir = (e.fir ?? {}) as Record<string, unknown>;
    const id = str(e.cplEntryId, `${at}.cplEntryId`);
    if (seen.has(id)) fail(`${at}.cplEntryId`, `'${id}' is held twice`);
    seen.add(id);
    const format = e.format;
    if (format !== 'gbcs' && format !== 'zigbee') fail(`${at}.format`, "expected 'gbcs' or 'zigbee'");
    if (typeof e.commercial !== 'boolean') fail(`${at}.commercial`, 'expected true or false');
    const bases = fir.baseCplEntryIds;
    if (!Array.isArray(bases) || bases.some((b) => typeof b !== 'string'))
      fail(`${at}.fir.baseCplEntryIds`, 'expected an array of entry IDs');
    return {
      cplEntryId: id,
      fileSha256: hash(e.fileSha256, `${at}.fileSha256`),
      manufacturerImageSha256: hash(e.manufacturerImageSha256, `${at}.manufacturerImageSha256`),
      fileSize: uint(e.fileSize, `${at}.fileSize`, 2 ** 32),
      manufacturerCode: uint(e.manufacturerCode, `${at}.manufacturerCode`, 0xffff),
      imageType: uint(e.imageType, `${at}.imageType`, 0xffff),
      fileVersion: uint(e.fileVersion, `${at}.fileVersion`, 0xffff_ffff),
      format,
      commercial: e.commercial,
      ...(e.releaseNotesSha256 !== undefined && {
        releaseNotesSha256: hash(e.releaseNotesSha256, `${at}.releaseNotesSha256`),
      }),
      fir: {
        deviceType: str(fir.deviceType, `${at}.fir.deviceType`),
        manufacturer: str(fir.manufacturer, `${at}.fir.manufacturer`),
        model: str(fir.model, `${at}.fir.model`),
        hardwareVersion: str(fir.hardwareVersion, `${at}.fir.hardwareVersion`),
        firmwareVersion: str(fir.firmwareVersion, `${at}.fir.firmwareVersion`),
        baseCplEntryIds: bases as string[],
        status: str(fir.status, `${at}.fir.status`),
        ...(fir.manufacturerContact !== undefined && {
          manufacturerContact: str(fir.manufacturerContact, `${at}.fir.manufacturerContact`),
        }),
      },
    };
  });
  return { version: LIBRARY_INDEX_VERSION, entries };
}

/** The index as its file holds it: entries in CPL Entry ID order, two-space JSON, a final newline. */
export function serializeLibraryIndex(index: LibraryIndex): string {
  const entries = [...index.entries].sort((a, b) =>
    a.cplEntryId < b.cplEntryId ? -1 : a.cplEntryId > b.cplEntryId ? 1 : 0,
  );
  return `${JSON.stringify({ version: index.version, entries }, null, 2)}\n`;
}
