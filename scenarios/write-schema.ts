/**
 * Writes `scenarios/scenario.schema.json` from the scenario schema (`npm run schema`); a test
 * checks that the shipped file is current. Editors use it through the `$schema` comment at the
 * top of each scenario file.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from '../src/scenario/schema.ts';

const out = join(dirname(fileURLToPath(import.meta.url)), 'scenario.schema.json');
writeFileSync(out, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out}`);
