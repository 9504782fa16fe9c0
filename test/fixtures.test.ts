/**
 * The bundled fixtures are reproducible: rebuilding them with hanota (same labels, same
 * payload generator, deterministic RFC 6979 signatures) gives the committed bytes exactly.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { buildFixtures, FIXTURES_DIR } from '../fixtures/build-fixtures.ts';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

it('rebuilds every committed fixture key, payload, image and the example model byte for byte', async () => {
  const out = mkdtempSync(join(tmpdir(), 'hanota-fixtures-'));
  await buildFixtures(out);
  const built = filesUnder(out)
    .map((f) => relative(out, f))
    .sort();
  const committed = ['keys', 'payloads', 'images', 'example-model']
    .flatMap((d) => filesUnder(join(FIXTURES_DIR, d)))
    .map((f) => relative(FIXTURES_DIR, f))
    .sort();
  expect(built).toEqual(committed);
  for (const file of built) {
    expect(readFileSync(join(out, file)).equals(readFileSync(join(FIXTURES_DIR, file))), file).toBe(true);
  }
});
