/**
 * The DUIS schema and templates of the shared vectors (`../shared/vectors/duis/`), loaded once
 * for the DUIS tests; the DCC test PKI as a key ring; requests signed as the test supplier signs
 * them; the emulated DCC over DCC Boxed's devices (`examples/duis/`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCertificateId, readP256Key } from '../../src/crypto/keys.ts';
import { DccEmulator, type DccInput } from '../../src/duis/dcc.ts';
import { DuisSchema } from '../../src/duis/xml.ts';
import { type DuisSigner, signDuisDocument } from '../../src/duis/xml-signature.ts';
import type { KeyRing, PartyKeys } from '../../src/gbcs/security.ts';
import { loadCatalog } from '../../src/pathways/catalog.ts';
import { loadEstate } from '../../src/pathways/estate.ts';
import { ROOT, vectorPath } from '../helpers/vectors.ts';

/** The DUIS schema folder of the vectors. */
export const SCHEMA_DIR = vectorPath('duis/schema');
/** The DCC Boxed templates folder. */
export const TEMPLATES_DIR = vectorPath('duis/templates');

let schema: DuisSchema | undefined;

/** The DUIS 5.4 schema, compiled once. */
export function duisSchema(): DuisSchema {
  schema ??= DuisSchema.load({
    duis: readFileSync(`${SCHEMA_DIR}/duis-5.4.xsd`),
    mmc: readFileSync(`${SCHEMA_DIR}/mmc-5.4.xsd`),
    xmldsig: readFileSync(`${SCHEMA_DIR}/xmldsig-core-schema.xsd`),
  });
  return schema;
}

/** The request templates (`*_REQUEST_DUIS.XML`), by file name. */
export function requestTemplates(): string[] {
  return readdirSync(TEMPLATES_DIR)
    .filter((f) => f.endsWith('_REQUEST_DUIS.XML'))
    .sort();
}

/** A template's bytes. */
export function template(name: string): Uint8Array {
  return readFileSync(`${TEMPLATES_DIR}/${name}`);
}

export const KEYS = vectorPath('gbcs/keys');
export const SUPPLIER = '90b3d51f30010000';

/** The DCC test PKI of the vectors as a key ring. */
export function testKeys(): KeyRing {
  const parties = new Map<string, { ds?: PartyKeys['ds']; ka?: PartyKeys['ka'] }>();
  for (const name of readdirSync(KEYS).sort()) {
    const m = /^([0-9a-f]{16})-(ds|ka)\.(pem|key)$/.exec(name);
    if (!m) continue;
    const key = readP256Key(readFileSync(join(KEYS, name), 'utf8'));
    const party = parties.get(m[1] as string) ?? {};
    const held = party[m[2] as 'ds' | 'ka'];
    party[m[2] as 'ds' | 'ka'] = {
      publicKey: key.publicKey,
      ...((key.privateKey ?? held?.privateKey) && { privateKey: key.privateKey ?? held?.privateKey }),
    };
    parties.set(m[1] as string, party);
  }
  return { parties, acb: '90b3d51f30000002' };
}

export const supplierKey = () =>
  readP256Key(readFileSync(join(KEYS, `${SUPPLIER}-ds.key`), 'utf8')).privateKey as Uint8Array;
export const text = (name: string) => new TextDecoder().decode(template(name));
export const unsigned = (xml: string) => xml.replace(/\s*<ds:Signature[\s\S]*<\/ds:Signature>/, '');
/** A template signed by the test supplier (or by `party`, whose digital-signing key the test PKI holds). */
export const signed = (xml: string, party = SUPPLIER) =>
  new TextEncoder().encode(
    signDuisDocument(unsigned(xml), {
      privateKey: readP256Key(readFileSync(join(KEYS, `${party}-ds.key`), 'utf8')).privateKey as Uint8Array,
      issuerName: 'CN=U1, OU=07',
      serialNumber: '1234567890',
    }),
  );
/** DCC Boxed's CS08 template names the ACB as its originator: signed with the ACB's key. */
export const signedAsAcb = (xml: string) => signed(xml, '90b3d51f30000002');

/** The DCC's signing identity in the test PKI: the ACB's key and certificate, as DCC Boxed signs. */
export function dccSigner(): DuisSigner {
  return {
    privateKey: readP256Key(readFileSync(join(KEYS, '90b3d51f30000002-ds.key'), 'utf8'))
      .privateKey as Uint8Array,
    ...readCertificateId(readFileSync(join(KEYS, '90b3d51f30000002-ds.pem'), 'utf8')),
  };
}

/** The emulated DCC over DCC Boxed's devices; with the test PKI, it checks signatures and signs. */
export function emulator(withKeys = true, more: Partial<DccInput> = {}): DccEmulator {
  const keys = withKeys ? testKeys() : undefined;
  return new DccEmulator({
    ...more,
    ...(keys && { signer: dccSigner() }),
    estate: loadEstate(readFileSync(join(ROOT, 'examples/duis/estate.csv'))),
    catalog: loadCatalog(readFileSync(join(ROOT, 'examples/duis/catalog.csv'))),
    schema: duisSchema(),
    ...(keys && { keys }),
    seed: 1,
    startUnixS: 1_767_225_600,
  });
}
