/**
 * The library's gateway refuses each kind of bad upload and names the check: an entry the catalog
 * lacks, an image that is another entry's, header fields that disagree with the entry, a signature
 * that does not verify, an image already held under another entry. Over DCC Boxed's sample ESME
 * image and the test supplier's key (../shared/vectors/, see its README).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readP256Key } from '../../src/crypto/keys.ts';
import { admit } from '../../src/firmware-library/gateway.ts';
import { EMPTY_INDEX } from '../../src/firmware-library/library-index.ts';
import { loadCatalog } from '../../src/pathways/catalog.ts';
import { describeWithVectors, ROOT, readVector, readVectorText } from '../helpers/vectors.ts';

const HASH = '7542f475e3f12eae887d81e32c46d313741d67076b13caec2f82e00ba5e1bb36';
const HEADER =
  'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status,manufacturer_code,image_type';
const row = (id: string, fields: Partial<Record<'code' | 'type' | 'hw' | 'hash', string>> = {}) =>
  `${id},ESME,GFI,GFI ESME,${fields.hw ?? '0x1111'},acdcacdc,${fields.hash ?? HASH},N/A,Active,${fields.code ?? '0x121d'},${fields.type ?? '0x0000'}`;
const catalog = loadCatalog(
  [
    HEADER,
    row('GOOD'),
    row('TWIN'),
    row('OTHER-HASH', { hash: '00'.repeat(32) }),
    row('OTHER-CODE', { code: '0x1234' }),
    row('OTHER-TYPE', { type: '0x0001' }),
    row('OTHER-HW', { hw: '0x2222' }),
  ].join('\n'),
);

describeWithVectors('the library gateway', () => {
  const bytes = readVector('gbcs/dcc-boxed/esme-update-firmware-11.1.ota');
  const supplier = readP256Key(readVectorText('gbcs/keys/90b3d51f30010000-ds.pem')).publicKey;
  const another = readP256Key(readVectorText('gbcs/keys/90b3d51f30020000-ds.pem')).publicKey;
  const offer = (cplEntryId: string, supplierKey = supplier) => ({
    bytes,
    cplEntryId,
    commercial: false,
    supplierKey,
  });

  it('holds the entry its image is, with the FIR data of the entry', () => {
    const verdict = admit(offer('GOOD'), catalog, EMPTY_INDEX);
    expect(verdict).toMatchObject({
      ok: true,
      entry: {
        cplEntryId: 'GOOD',
        manufacturerImageSha256: HASH,
        format: 'gbcs',
        fir: { model: 'GFI ESME' },
      },
    });
  });

  it('refuses each kind of bad upload, naming the check', () => {
    const good = admit(offer('GOOD'), catalog, EMPTY_INDEX);
    if (!good.ok) throw new Error('not held');
    const held = { version: 1 as const, entries: [good.entry] };
    const cases: [string, ReturnType<typeof admit>, string, RegExp][] = [
      [
        'an entry the catalog lacks',
        admit(offer('NOPE'), catalog, EMPTY_INDEX),
        'entry',
        /no CPL entry NOPE/,
      ],
      ['another entry', admit(offer('OTHER-HASH'), catalog, EMPTY_INDEX), 'hash', /is not OTHER-HASH's/],
      [
        'another manufacturer',
        admit(offer('OTHER-CODE'), catalog, EMPTY_INDEX),
        'header',
        /manufacturer code 0x121d, OTHER-CODE is 0x1234/,
      ],
      [
        'another image type',
        admit(offer('OTHER-TYPE'), catalog, EMPTY_INDEX),
        'header',
        /image type 0x0000, OTHER-TYPE is 0x0001/,
      ],
      [
        'a hardware range without the entry',
        admit(offer('OTHER-HW'), catalog, EMPTY_INDEX),
        'header',
        /does not hold OTHER-HW's hardware version 0x2222/,
      ],
      [
        'another supplier',
        admit(offer('GOOD', another), catalog, EMPTY_INDEX),
        'signature',
        /does not verify/,
      ],
      [
        'a duplicate under another entry',
        admit(offer('TWIN'), catalog, held),
        'duplicate',
        /already held under another entry, GOOD/,
      ],
      ['the same upload again', admit(offer('GOOD'), catalog, held), 'duplicate', /already held under GOOD/],
    ];
    for (const [what, verdict, check, reason] of cases) {
      expect(verdict.ok, what).toBe(false);
      if (verdict.ok) continue;
      expect(verdict.check, what).toBe(check);
      expect(verdict.reason, what).toMatch(reason);
    }
  });

  it('refuses a meter image without a signature when a key is given, and what is not an OTA file', () => {
    const unsigned = readVector('gbcs/dcc-boxed/ppmid-update-firmware-11.4.ota');
    const ppmidCatalog = loadCatalog(readFileSync(join(ROOT, 'examples/duis/catalog.csv')));
    // DCC Boxed's PPMID image, offered as an ESME entry of the same hash: it carries no signature.
    const asMeter = loadCatalog(
      [
        HEADER,
        row('METER', {
          hash: ppmidCatalog.byId.get('PPMID-GFI-2')?.manufacturerImageHash ?? '',
          type: '0x0084',
        }),
      ].join('\n'),
    );
    expect(
      admit(
        { bytes: unsigned, cplEntryId: 'METER', commercial: false, supplierKey: supplier },
        asMeter,
        EMPTY_INDEX,
      ),
    ).toMatchObject({
      ok: false,
      check: 'signature',
    });
    expect(
      admit({ bytes: new Uint8Array(40), cplEntryId: 'GOOD', commercial: false }, catalog, EMPTY_INDEX),
    ).toMatchObject({
      ok: false,
      check: 'image',
    });
  });
});
