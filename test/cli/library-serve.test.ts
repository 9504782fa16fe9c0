/**
 * The library's web interface as a person uses it: the server on loopback, the page opened in
 * headless Chromium (installed by `npm test`; under CI=true its absence fails) with each
 * supplier's token — it loads, each model's pathway graph is drawn (boxes and arrows in an SVG), a
 * supplier sees only its models — and a download link followed with a real HTTP client gives the
 * bytes whose hash the library stores. A request without a known token is refused.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeIo } from '../../src/cli/context.ts';
import { libraryOf, supplierViews } from '../../src/cli/library-input.ts';
import { type LibraryServer, startLibraryServer } from '../../src/cli/library-server.ts';
import { chromiumAvailable } from '../helpers/chromium.ts';
import { hanota } from '../helpers/cli.ts';
import { vectorPath } from '../helpers/vectors.ts';

const available = chromiumAvailable('the library web interface test');
const run = promisify(execFile);
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const servers: LibraryServer[] = [];
afterAll(async () => {
  for (const s of servers) await s.close();
});

describe.skipIf(!available)('the library web interface in a browser', () => {
  it('draws each model with its pathways, shows a supplier only its models, and serves the stored bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hanota-library-web-'));
    const library = join(dir, 'lib');
    const files = {
      'SIN-A': '128b-0102-10101-700_nodon_sin_2_fm_stm32_V10101.zigbee',
      'SIN-B': '128b-0109-010300-700_nodon_sin_rs_fm_stm32_V010300.zigbee',
      PLUG: 'ZR_Smartplug_SSIG_3.12.16.zigbee',
    };
    const paths = Object.fromEntries(
      Object.entries(files).map(([k, f]) => [k, vectorPath(`zigbee-ota/${f}`)]),
    );
    const hash = (k: string) => sha(readFileSync(paths[k] as string));
    writeFileSync(
      join(dir, 'catalog.csv'),
      [
        'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status',
        `SIN-A,IHD,Nodon,SIN-2,1,1.1,${hash('SIN-A')},N/A,Active`,
        `SIN-B,IHD,Nodon,SIN-2,1,1.3,${hash('SIN-B')},SIN-A,Active`,
        `PLUG,IHD,Salus,SP600,1,3.12,${hash('PLUG')},N/A,Active`,
      ].join('\n'),
    );
    writeFileSync(join(dir, 'notes.txt'), 'Security fix: <script>alert(1)</script> is shown as text.\n');
    for (const id of ['SIN-A', 'SIN-B', 'PLUG'])
      expect(
        (
          await hanota(
            'library',
            'add',
            paths[id] as string,
            '--entry',
            id,
            '--catalog',
            join(dir, 'catalog.csv'),
            '--library',
            library,
            ...(id === 'SIN-B' ? ['--release-notes', join(dir, 'notes.txt')] : []),
          )
        ).code,
      ).toBe(0);
    writeFileSync(
      join(dir, 'estate.csv'),
      [
        'device_id,device_type,hub_id,cpl_entry_id,supplier',
        '00db000000000001,IHD,00db000000000100,SIN-A,ALPHA',
        '00db000000000002,IHD,00db000000000100,PLUG,BETA',
      ].join('\n'),
    );
    const ctx = { io: nodeIo, exit: () => {} };
    const argv = { library, estate: join(dir, 'estate.csv'), catalog: join(dir, 'catalog.csv') };
    const server = await startLibraryServer({
      store: libraryOf(argv),
      port: 0,
      tokens: new Map([
        ['tok-alpha', 'ALPHA'],
        ['tok-beta', 'BETA'],
      ]),
      view: supplierViews(ctx, argv),
    });
    servers.push(server);
    const base = `http://127.0.0.1:${server.port}`;
    // Asynchronously: the server runs in this process, and must answer while Chromium waits.
    const dom = async (token: string) =>
      (
        await run(
          'chromium',
          [
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            `--user-data-dir=${join(dir, `profile-${token}`)}`,
            '--dump-dom',
            `${base}/?token=${token}`,
          ],
          { encoding: 'utf8', timeout: 60_000 },
        )
      ).stdout;

    const alpha = await dom('tok-alpha');
    expect(alpha).toMatch(/<title>hanota firmware library<\/title>/);
    const models = (page: string) =>
      [...page.matchAll(/<section class="model" data-model="([^"]+)"/g)].map((m) => m[1]);
    expect(models(alpha)).toEqual(['SIN-2']);
    // The SIN-2's pathway, drawn: two boxes, one arrow from SIN-A to SIN-B.
    const svg = /<svg class="pathways"[\s\S]*?<\/svg>/.exec(alpha)?.[0] ?? '';
    expect([...svg.matchAll(/<g class="node" data-entry="([^"]+)"/g)].map((m) => m[1])).toEqual([
      'SIN-A',
      'SIN-B',
    ]);
    expect(
      [...svg.matchAll(/<line class="edge" data-from="([^"]+)" data-to="([^"]+)"/g)].map((m) => [m[1], m[2]]),
    ).toEqual([['SIN-A', 'SIN-B']]);
    expect(alpha).toContain('Security fix: &lt;script&gt;alert(1)&lt;/script&gt; is shown as text.');
    expect(alpha).not.toMatch(/<script>alert/);
    expect(models(await dom('tok-beta'))).toEqual(['SP600']);

    // A download link, followed as a browser would: the bytes the library holds under that hash.
    const link =
      /<tr data-entry="SIN-B">[\s\S]*?<a class="download" href="([^"]+)" data-sha256="([0-9a-f]{64})"/.exec(
        alpha,
      );
    const response = await fetch(`${base}${(link?.[1] ?? '').replaceAll('&amp;', '&')}`);
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(sha(bytes)).toBe(link?.[2]);
    expect(sha(bytes)).toBe(hash('SIN-B'));
    // Not ALPHA's model: not served to it. No token: nothing at all.
    expect((await fetch(`${base}/images/PLUG?token=tok-alpha`)).status).toBe(404);
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/images/PLUG`)).status).toBe(401);
    // A malformed path is refused, and the server goes on.
    expect((await fetch(`${base}/images/x%ZZ?token=tok-alpha`)).status).toBe(400);
    expect((await fetch(`${base}/?token=tok-alpha`)).status).toBe(200);
    const api = await (
      await fetch(`${base}/api/entries`, { headers: { authorization: 'Bearer tok-beta' } })
    ).json();
    expect(api.entries.map((e: { cplEntryId: string }) => e.cplEntryId)).toEqual(['PLUG']);
  }, 120_000);
});
