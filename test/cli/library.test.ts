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

  it("shows a supplier only its estate's models, and a model it gains by a change of supplier", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hanota-library-'));
    const library = join(dir, 'lib');
    const ihds = [
      '128b-0102-10101-700_nodon_sin_2_fm_stm32_V10101.zigbee',
      'ZR_Smartplug_SSIG_3.12.16.zigbee',
    ].map((f) => vectorPath(`zigbee-ota/${f}`));
    const [hashA, hashB] = ihds.map((p) => createHash('sha256').update(readFileSync(p)).digest('hex'));
    const catalog = join(dir, 'catalog.csv');
    writeFileSync(
      catalog,
      [
        readFileSync(CATALOG, 'utf8').trimEnd(),
        `IHD-A,IHD,Nodon,SIN-2,1,10101,${hashA},N/A,Active,,`,
        `IHD-B,IHD,Salus,SP600,1,3.12.16,${hashB},N/A,Active,,`,
      ].join('\n'),
    );
    for (const [file, entry] of [
      [ESME, 'ESME-GFI-2'],
      [ihds[0], 'IHD-A'],
      [ihds[1], 'IHD-B'],
    ] as const)
      expect(
        (
          await hanota(
            'library',
            'add',
            file as string,
            '--entry',
            entry,
            '--catalog',
            catalog,
            '--library',
            library,
          )
        ).code,
      ).toBe(0);
    writeFileSync(
      join(dir, 'estate.csv'),
      [
        'device_id,device_type,hub_id,cpl_entry_id,supplier',
        '00-DB-00-00-00-00-00-01,ESME,HUB-1,ESME-GFI-1,ALPHA',
        '00-DB-00-00-00-00-00-02,IHD,HUB-1,IHD-A,BETA',
        '00-DB-00-00-00-00-00-03,IHD,HUB-2,IHD-B,BETA',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'changes.csv'), 'device_id,supplier\n00-DB-00-00-00-00-00-02,ALPHA\n');
    const view = async (as: string, ...more: string[]) => {
      const run = await hanota(
        'library',
        'list',
        '--library',
        library,
        '--as',
        as,
        '--estate',
        join(dir, 'estate.csv'),
        '--catalog',
        catalog,
        '--json',
        ...more,
      );
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout).entries.map((e: { cplEntryId: string }) => e.cplEntryId);
    };
    const changes = ['--changes', join(dir, 'changes.csv')];
    expect(await view('ALPHA')).toEqual(['ESME-GFI-2']);
    expect(await view('BETA')).toEqual(['IHD-A', 'IHD-B']);
    // ALPHA gains the SIN-2 through the change of supplier; BETA keeps only the model it still has.
    expect(await view('ALPHA', ...changes)).toEqual(['ESME-GFI-2', 'IHD-A']);
    expect(await view('BETA', ...changes)).toEqual(['IHD-B']);
    const get = (...more: string[]) =>
      hanota(
        'library',
        'get',
        'IHD-A',
        '--library',
        library,
        '--as',
        'ALPHA',
        '--estate',
        join(dir, 'estate.csv'),
        '--catalog',
        catalog,
        '--out',
        join(dir, 'a.zigbee'),
        ...more,
      );
    const denied = await get();
    expect(denied.code).toBe(2);
    expect(denied.stderr).toMatch(/no image for CPL entry IHD-A that supplier ALPHA may see/);
    expect((await get(...changes)).code).toBe(0);
    expect(
      createHash('sha256')
        .update(readFileSync(join(dir, 'a.zigbee')))
        .digest('hex'),
    ).toBe(hashA);
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
