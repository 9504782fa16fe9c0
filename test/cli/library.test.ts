/**
 * `hanota library add|list|show|get` as a user runs them: DCC Boxed's ESME and PPMID images added
 * under the catalog of examples/duis, listed, shown with their release notes, read back byte for
 * byte; a refusal names its check (exit 1); two adds started at once from two processes both land;
 * a corrupted object is named (exit 2) and nothing is written.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';
import { describeWithVectors, ROOT, vectorPath } from '../helpers/vectors.ts';

const CATALOG = join(ROOT, 'examples/duis/catalog.csv');
const ESME = vectorPath('gbcs/dcc-boxed/esme-update-firmware-11.1.ota');
const PPMID = vectorPath('gbcs/dcc-boxed/ppmid-update-firmware-11.4.ota');

/** `hanota` in its own process; resolves with its exit code and output. */
function inProcess(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn('node', ['src/cli/hanota.js', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describeWithVectors('hanota library', () => {
  it('adds, lists, shows and gets back an image; refuses another entry naming the check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hanota-library-'));
    const library = join(dir, 'lib');
    writeFileSync(join(dir, 'notes.md'), 'GFI ESME 0xACDCACDC: fixes the tariff display.\n');
    const add = await hanota(
      'library',
      'add',
      ESME,
      '--entry',
      'ESME-GFI-2',
      '--catalog',
      CATALOG,
      '--library',
      library,
      '--release-notes',
      join(dir, 'notes.md'),
      '--supplier-key',
      vectorPath('gbcs/keys/90b3d51f30010000-ds.pem'),
      '--json',
    );
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({
      added: true,
      entry: { cplEntryId: 'ESME-GFI-2', commercial: false },
    });
    const refused = await hanota(
      'library',
      'add',
      ESME,
      '--entry',
      'ESME-GFI-1',
      '--catalog',
      CATALOG,
      '--library',
      library,
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /refused \(hash\): its Manufacturer Image hash 7542f475[0-9a-f]+ is not ESME-GFI-1's/,
    );
    const list = await hanota('library', 'list', '--library', library);
    expect(list.stdout).toMatch(/^ENTRY\s+TYPE/);
    expect(list.stdout).toMatch(
      /ESME-GFI-2\s+ESME\s+GFI GFI ESME\s+0x1111\s+acdcacdc\s+Active\s+non-commercial/,
    );
    const show = await hanota('library', 'show', 'ESME-GFI-2', '--library', library);
    expect(show.stdout).toMatch(/upgrades from:\s+ESME-GFI-1/);
    expect(show.stdout).toContain('fixes the tariff display.');
    const out = join(dir, 'got.ota');
    expect((await hanota('library', 'get', 'ESME-GFI-2', '--library', library, '--out', out)).code).toBe(0);
    expect(readFileSync(out).equals(readFileSync(ESME))).toBe(true);
    const missing = await hanota('library', 'get', 'NOPE', '--library', library, '--out', out);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/holds no image for CPL entry NOPE/);
  });

  it('lands two adds started at once from two processes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hanota-library-'));
    const library = join(dir, 'lib');
    // Two real ZigBee OTA files (no Manufacturer Image: the CPL hash is the file's), two IHD entries.
    const files = [
      '128b-0102-10101-700_nodon_sin_2_fm_stm32_V10101.zigbee',
      'ZR_Smartplug_SSIG_3.12.16.zigbee',
    ];
    const paths = files.map((f) => vectorPath(`zigbee-ota/${f}`));
    const hashes = paths.map((p) => createHash('sha256').update(readFileSync(p)).digest('hex'));
    writeFileSync(
      join(dir, 'catalog.csv'),
      [
        'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status',
        `IHD-A,IHD,Nodon,SIN-2,1,10101,${hashes[0]},N/A,Active`,
        `IHD-B,IHD,Salus,SP600,1,3.12.16,${hashes[1]},N/A,Active`,
      ].join('\n'),
    );
    const add = (path: string, entry: string) =>
      inProcess([
        'library',
        'add',
        path,
        '--entry',
        entry,
        '--catalog',
        join(dir, 'catalog.csv'),
        '--library',
        library,
      ]);
    const [a, b] = await Promise.all([add(paths[0] as string, 'IHD-A'), add(paths[1] as string, 'IHD-B')]);
    expect([a.code, b.code, a.stderr, b.stderr]).toEqual([0, 0, '', '']);
    const list = JSON.parse((await hanota('library', 'list', '--library', library, '--json')).stdout);
    expect(list.entries.map((e: { cplEntryId: string }) => e.cplEntryId)).toEqual(['IHD-A', 'IHD-B']);
  });

  it('refuses the PPMID image DCC Boxed derived from the ESME one: the same Manufacturer Image is held', async () => {
    const library = join(mkdtempSync(join(tmpdir(), 'hanota-library-')), 'lib');
    await hanota('library', 'add', ESME, '--entry', 'ESME-GFI-2', '--catalog', CATALOG, '--library', library);
    const twin = await hanota(
      'library',
      'add',
      PPMID,
      '--entry',
      'PPMID-GFI-2',
      '--catalog',
      CATALOG,
      '--library',
      library,
      '--json',
    );
    expect(twin.code).toBe(1);
    expect(JSON.parse(twin.stdout)).toMatchObject({ added: false, check: 'duplicate', heldAs: 'ESME-GFI-2' });
  });

  it('names a corrupted object, exit 2, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hanota-library-'));
    const library = join(dir, 'lib');
    await hanota('library', 'add', ESME, '--entry', 'ESME-GFI-2', '--catalog', CATALOG, '--library', library);
    const index = JSON.parse(readFileSync(join(library, 'index.json'), 'utf8'));
    const object = join(library, 'objects', index.entries[0].fileSha256);
    const bytes = readFileSync(object);
    bytes[200] = (bytes[200] as number) ^ 0xff;
    writeFileSync(object, bytes);
    const out = join(dir, 'got.ota');
    const get = await hanota('library', 'get', 'ESME-GFI-2', '--library', library, '--out', out);
    expect(get.code).toBe(2);
    expect(get.stderr).toMatch(/objects\/[0-9a-f]{64}: its SHA-256 is [0-9a-f]{64}: the file is corrupted/);
    expect(get.stderr).not.toMatch(/\n\s+at /);
    expect(() => readFileSync(out)).toThrow();
  });
});
