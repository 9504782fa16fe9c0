/**
 * `hanota run --library DIR`: a scenario names an image as `library:<ENTRY>` and runs as the same
 * scenario naming the file does; without `--library` it says what it needs, exit 2.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { ROOT } from '../helpers/vectors.ts';

it('runs a scenario whose images come from the library as the one naming the files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hanota-run-library-'));
  const library = join(dir, 'lib');
  const model = join(ROOT, 'fixtures/example-model');
  for (const id of ['V100', 'V110'])
    expect(
      (
        await hanota(
          'library',
          'add',
          join(model, `images/${id}.ota`),
          '--entry',
          id,
          '--catalog',
          join(model, 'catalog.csv'),
          '--library',
          library,
        )
      ).code,
    ).toBe(0);
  const original = readFileSync(join(ROOT, 'scenarios/esme-happy-path.yaml'), 'utf8');
  const fromLibrary = original
    .replaceAll('../fixtures/', `${join(ROOT, 'fixtures')}/`)
    .replace(/V110: \S+V110\.ota/, 'V110: library:V110')
    .replace(/V100: \S+V100\.ota/, 'V100: library:V100');
  expect(fromLibrary).toContain('library:V110');
  writeFileSync(join(dir, 'scenario.yaml'), fromLibrary);
  const direct = await hanota('run', join(ROOT, 'scenarios/esme-happy-path.yaml'), '--json');
  const viaLibrary = await hanota('run', join(dir, 'scenario.yaml'), '--library', library, '--json');
  expect(viaLibrary.code, viaLibrary.stderr).toBe(direct.code);
  // The same run: every expectation met the same way (only the file name differs).
  const outcome = (run: { stdout: string }) =>
    JSON.parse(run.stdout).results.map((r: { ok: boolean; expectations: unknown[] }) => [
      r.ok,
      r.expectations,
    ]);
  expect(outcome(viaLibrary)).toEqual(outcome(direct));
  const missing = await hanota('run', join(dir, 'scenario.yaml'));
  expect(missing.code).toBe(2);
  expect(missing.stderr).toMatch(/'library:V\d+' names a library image: give --library DIR/);
});
