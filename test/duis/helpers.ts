/**
 * The DUIS schema and templates of the shared vectors (`../shared/vectors/duis/`), loaded once
 * for the DUIS tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { DuisSchema } from '../../src/duis/xml.ts';
import { vectorPath } from '../helpers/vectors.ts';

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
