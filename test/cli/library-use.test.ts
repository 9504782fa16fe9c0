/**
 * `--library DIR` in place of image files: the example model's images added to a library (those
 * the gateway takes), then `conform --library` gives what `conform --images` gives over exactly
 * those images, and `campaign --library` over a catalog without `image_file` gives the report the
 * catalog with `image_file` gives; `duis sign --image-entry` fills an 11.1 request with the library's
 * image, which the emulated DCC distributes and the ESME verifies.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { ROOT, vectorPath } from '../helpers/vectors.ts';

const F = join(ROOT, 'fixtures');
const MODEL = join(F, 'example-model');

it('conform and campaign take their images from a library as from files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hanota-library-use-'));
  const library = join(dir, 'lib');
  const held: string[] = [];
  for (const file of readdirSync(join(MODEL, 'images'))) {
    const entry = file.replace(/\.ota$/, '');
    const add = await hanota(
      'library',
      'add',
      join(MODEL, 'images', file),
      '--entry',
      entry,
      '--catalog',
      join(MODEL, 'catalog.csv'),
      '--library',
      library,
    );
    if (add.code === 0) held.push(entry);
  }
  expect(held.length).toBeGreaterThan(4);
  // The same images as a folder, read back from the library.
  const folder = join(dir, 'images');
  mkdirSync(folder);
  for (const entry of held)
    expect(
      (await hanota('library', 'get', entry, '--library', library, '--out', join(folder, `${entry}.ota`)))
        .code,
    ).toBe(0);
  const conform = (...images: string[]) =>
    hanota(
      'conform',
      '--catalog',
      join(MODEL, 'catalog.csv'),
      '--model',
      'Volta',
      '--hardware-version',
      '0x0100',
      ...images,
      '--behaviour',
      join(MODEL, 'behaviour.yaml'),
      '--supplier-key',
      join(F, 'keys/supplier-ds.key.pem'),
      '--json',
    );
  const fromFolder = await conform('--images', folder);
  const fromLibrary = await conform('--library', library);
  expect(fromLibrary.code).toBe(fromFolder.code);
  const pairs = (run: { stdout: string }) => JSON.parse(run.stdout).pairs ?? JSON.parse(run.stdout);
  expect(pairs(fromLibrary)).toEqual(pairs(fromFolder));
  expect((await conform('--images', folder, '--library', library)).code).toBe(2);

  // A catalog naming only the held entries' files, and the same catalog without the column.
  const lines = readFileSync(join(MODEL, 'catalog.csv'), 'utf8').trim().split(/\r?\n/);
  const col = (lines[0] as string).split(',').indexOf('image_file');
  const rewrite = (keep: boolean) =>
    lines
      .map((line, i) => {
        const cells = line.split(',');
        if (i > 0)
          cells[col] =
            keep && held.includes(cells[0] as string) && cells[col] ? join(MODEL, cells[col] as string) : '';
        return cells.join(',');
      })
      .join('\n');
  writeFileSync(join(dir, 'with-files.csv'), rewrite(true));
  writeFileSync(join(dir, 'without.csv'), rewrite(false));
  const campaign = (catalog: string, ...more: string[]) =>
    hanota(
      'campaign',
      '--estate',
      join(F, 'example-estate.csv'),
      '--catalog',
      catalog,
      '--target',
      'V130',
      '--target',
      'V210',
      '--behaviour',
      join(MODEL, 'behaviour.yaml'),
      '--mode',
      'planned',
      '--workers',
      '1',
      '--json',
      ...more,
    );
  const withFiles = await campaign(join(dir, 'with-files.csv'));
  const withLibrary = await campaign(join(dir, 'without.csv'), '--library', library);
  expect(withLibrary.code, withLibrary.stderr).toBe(withFiles.code);
  // The entries the gateway refused are not in the library: their images are simulated, and it says so.
  const refused = readdirSync(join(MODEL, 'images'))
    .map((f) => f.replace(/\.ota$/, ''))
    .filter((id) => !held.includes(id));
  for (const id of refused) expect(withLibrary.stderr).toMatch(new RegExp(`no image for [^\\n]*${id}`));
  const report = (run: { stdout: string }) => {
    const { inputs: _inputs, ...rest } = JSON.parse(run.stdout);
    return rest;
  };
  expect(report(withLibrary)).toEqual(report(withFiles));
  // Without the library those entries' images are simulated, and the campaign comes out otherwise.
  expect(report(await campaign(join(dir, 'without.csv')))).not.toEqual(report(withFiles));
}, 120_000);

it('fills an 11.1 request from the library by entry ID: the DCC distributes it and the ESME checks it (0x8F72)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hanota-library-duis-'));
  const library = join(dir, 'lib');
  const catalog = join(ROOT, 'examples/duis/catalog.csv');
  const image = vectorPath('gbcs/dcc-boxed/esme-update-firmware-11.1.ota');
  expect(
    (
      await hanota(
        'library',
        'add',
        image,
        '--entry',
        'ESME-GFI-2',
        '--catalog',
        catalog,
        '--library',
        library,
      )
    ).code,
  ).toBe(0);
  // The template with its image taken out: what the library supplies is what runs.
  const template = readFileSync(vectorPath('duis/templates/11.1_UPDATE_FIRMWARE_REQUEST_DUIS.XML'), 'utf8');
  writeFileSync(
    join(dir, 'update.xml'),
    template.replace(/<sr:FirmwareImage>[^<]+</, '<sr:FirmwareImage>AAAA<'),
  );
  const keys = vectorPath('gbcs/keys');
  const sign = await hanota(
    'duis',
    'sign',
    join(dir, 'update.xml'),
    '--key',
    join(keys, '90b3d51f30010000-ds.key'),
    '--out',
    join(dir, 'signed'),
    '--library',
    library,
    '--image-entry',
    'ESME-GFI-2',
  );
  expect(sign.code, sign.stderr).toBe(0);
  const signed = readFileSync(join(dir, 'signed/update.xml'), 'utf8');
  expect(signed).toContain(`<sr:FirmwareImage>${readFileSync(image).toString('base64')}</sr:FirmwareImage>`);
  expect(signed).toContain('<sr:FirmwareVersion>ACDCACDC</sr:FirmwareVersion>');
  const run = await hanota(
    'duis',
    'run',
    join(dir, 'signed/update.xml'),
    '--estate',
    join(ROOT, 'examples/duis/estate.csv'),
    '--catalog',
    catalog,
    '--schema',
    vectorPath('duis/schema'),
    '--keys',
    keys,
    '--out',
    join(dir, 'out'),
    '--json',
  );
  expect(run.code, run.stderr).toBe(0);
  expect(JSON.parse(run.stdout).documents.map((d: { code: string }) => d.code)).toContain('8F72');
});
