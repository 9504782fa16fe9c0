/**
 * The library store over a filesystem in memory that can be made to fail at any step: a crash
 * injected at every point of an add leaves the library readable and unchanged (at worst an object
 * nothing names), and the next add succeeds once the crashed one's lock is cleared; a corrupted
 * object is named on read, never served; an add waits for another's lock.
 */
import { expect, it } from 'vitest';
import { toHex } from '../../src/bytes/hex.ts';
import { sha256 } from '../../src/crypto/hashes.ts';
import { LibraryStore, STORE_PATHS, type StoreFs } from '../../src/firmware-library/store.ts';
import { loadCatalog } from '../../src/pathways/catalog.ts';
import { describeWithVectors, readVector } from '../helpers/vectors.ts';

const HASH = '7542f475e3f12eae887d81e32c46d313741d67076b13caec2f82e00ba5e1bb36';
const catalog = loadCatalog(
  [
    'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status',
    `ESME-2,ESME,GFI,GFI ESME,0x1111,acdcacdc,${HASH},N/A,Active`,
    `PPMID-2,PPMID,GFI,GFI PPMID,0x1111,acdcacdc,${'ab'.repeat(32)},N/A,Active`,
  ].join('\n'),
);

class Crash extends Error {}

/** A filesystem in memory whose `failAt`th writing step (1-based) throws, as a crash would stop it. */
class MemoryFs implements StoreFs {
  readonly files = new Map<string, Uint8Array>();
  steps = 0;
  failAt = Number.POSITIVE_INFINITY;
  #step(): void {
    if (++this.steps === this.failAt) throw new Crash(`crash at step ${this.steps}`);
  }
  read(path: string) {
    return this.files.get(path)?.slice();
  }
  writeDurable(path: string, data: Uint8Array) {
    // A crash in the middle of a write leaves the first half of it.
    if (this.steps + 1 === this.failAt) this.files.set(path, data.slice(0, data.length >> 1));
    this.#step();
    this.files.set(path, data.slice());
  }
  rename(from: string, to: string) {
    this.#step();
    const data = this.files.get(from);
    if (!data) throw new Error(`no ${from}`);
    this.files.delete(from);
    this.files.set(to, data);
  }
  createExclusive(path: string, data: Uint8Array) {
    this.#step();
    if (this.files.has(path)) return false;
    this.files.set(path, data.slice());
    return true;
  }
  remove(path: string) {
    this.#step();
    this.files.delete(path);
  }
  makeDir() {}
  hasEntries(dir: string) {
    return [...this.files.keys()].some((p) => p.startsWith(`${dir}/`));
  }
  #names = 0;
  temporaryName(path: string) {
    return `${path}.${this.#names++}.tmp`;
  }
}

describeWithVectors('the library store', () => {
  const esme = readVector('gbcs/dcc-boxed/esme-update-firmware-11.1.ota');
  const notes = new TextEncoder().encode('Fixes the tariff display.\n');
  const offer = { cplEntryId: 'ESME-2', commercial: false, releaseNotes: notes };

  it('adds: the image and its notes held by content, the index naming them under the entry', () => {
    const fs = new MemoryFs();
    const store = new LibraryStore(fs, 'lib');
    expect(store.add(esme, offer, catalog)).toMatchObject({ ok: true });
    const [entry] = store.index().entries;
    expect(entry?.cplEntryId).toBe('ESME-2');
    expect(toHex(store.object(entry?.fileSha256 ?? ''))).toBe(toHex(esme));
    expect(new TextDecoder().decode(store.object(entry?.releaseNotesSha256 ?? ''))).toBe(
      'Fixes the tariff display.\n',
    );
    expect(fs.files.has(`lib/${STORE_PATHS.lock}`)).toBe(false);
    // Only the index and the objects: no temporary file left.
    expect([...fs.files.keys()].filter((p) => p.includes('.tmp'))).toEqual([]);
  });

  it('leaves the library readable and unchanged when an add crashes at any step', () => {
    // How many writing steps a clean add takes.
    const probe = new MemoryFs();
    new LibraryStore(probe, 'lib').add(esme, offer, catalog);
    expect(probe.steps).toBeGreaterThan(5);
    for (let failAt = 1; failAt <= probe.steps; failAt++) {
      const fs = new MemoryFs();
      const store = new LibraryStore(fs, 'lib');
      const before = store.index();
      fs.failAt = failAt;
      expect(() => store.add(esme, offer, catalog), `step ${failAt}`).toThrow(Crash);
      fs.failAt = Number.POSITIVE_INFINITY;
      // Readable, and the same as before the add — unless the crash came after the index was in place.
      const after = store.index();
      const indexed = after.entries.length > 0;
      if (!indexed) expect(after, `step ${failAt}`).toEqual(before);
      else
        expect(toHex(store.object(after.entries[0]?.fileSha256 ?? '')), `step ${failAt}`).toBe(toHex(esme));
      // The crashed add's lock is the one thing to clear; then the add goes through (or is a duplicate).
      fs.files.delete(`lib/${STORE_PATHS.lock}`);
      const again = store.add(esme, offer, catalog);
      expect(again.ok || (!again.ok && again.check === 'duplicate'), `step ${failAt}`).toBe(true);
      expect(store.index().entries.map((e) => e.cplEntryId)).toEqual(['ESME-2']);
    }
  });

  it('refuses a library whose index is gone but whose images are there, rather than start it anew', () => {
    const fs = new MemoryFs();
    const store = new LibraryStore(fs, 'lib');
    store.add(esme, offer, catalog);
    fs.files.delete(`lib/${STORE_PATHS.index}`);
    expect(() => store.index()).toThrow(/lib\/index.json: missing, but lib\/objects holds images/);
    expect(() => store.add(esme, offer, catalog)).toThrow(/missing/);
  });

  it('names a corrupted object on read and never serves it', () => {
    const fs = new MemoryFs();
    const store = new LibraryStore(fs, 'lib');
    store.add(esme, offer, catalog);
    const hash = toHex(sha256(esme));
    const path = `lib/${STORE_PATHS.objects}/${hash}`;
    const bytes = fs.files.get(path) as Uint8Array;
    bytes[100] = (bytes[100] as number) ^ 1;
    expect(() => store.object(hash)).toThrow(
      new RegExp(`${path}: its SHA-256 is [0-9a-f]{64}: the file is corrupted`),
    );
    fs.files.delete(path);
    expect(() => store.object(hash)).toThrow(/not there/);
  });

  it('never lets two adds write the index at once: the second, started inside the first, waits and loses nothing', () => {
    const plug = readVector('zigbee-ota/ZR_Smartplug_SSIG_3.12.16.zigbee');
    const both = loadCatalog(
      [
        'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status',
        `ESME-2,ESME,GFI,GFI ESME,0x1111,acdcacdc,${HASH},N/A,Active`,
        `PLUG-1,IHD,Salus,SP600,1,3.12.16,${toHex(sha256(plug))},N/A,Active`,
      ].join('\n'),
    );
    const fs = new MemoryFs();
    let waits = 0;
    const second = new LibraryStore(fs, 'lib', () => {
      waits++;
      if (waits > 3) throw new Error('still locked');
    });
    const first = new LibraryStore(fs, 'lib');
    const write = fs.writeDurable.bind(fs);
    let inside: unknown;
    fs.writeDurable = (path, data) => {
      // While the first add holds the lock and writes the new index, the second add starts.
      if (
        path.startsWith(`lib/${STORE_PATHS.index}`) &&
        fs.files.has(`lib/${STORE_PATHS.lock}`) &&
        inside === undefined
      ) {
        inside = 'started';
        try {
          second.add(plug, { cplEntryId: 'PLUG-1', commercial: false }, both);
          inside = 'entered';
        } catch (error) {
          inside = (error as Error).message;
        }
      }
      write(path, data);
    };
    first.add(esme, { cplEntryId: 'ESME-2', commercial: false }, both);
    expect(inside).toBe('still locked');
    fs.writeDurable = write;
    // Once the first is done, the second goes through, judged against the first's index.
    expect(second.add(plug, { cplEntryId: 'PLUG-1', commercial: false }, both)).toMatchObject({ ok: true });
    expect(first.index().entries.map((e) => e.cplEntryId)).toEqual(['ESME-2', 'PLUG-1']);
  });

  it('waits for the lock another add holds, then gives up naming it', () => {
    const fs = new MemoryFs();
    let pauses = 0;
    const store = new LibraryStore(fs, 'lib', () => {
      pauses++;
      if (pauses === 3) fs.files.delete(`lib/${STORE_PATHS.lock}`);
    });
    fs.files.set(`lib/${STORE_PATHS.lock}`, new Uint8Array(0));
    expect(store.add(esme, offer, catalog)).toMatchObject({ ok: true });
    expect(pauses).toBe(3);
    // A lock nobody clears (a crashed add's): the add gives up, naming the file, and holds nothing.
    const held = new MemoryFs();
    held.files.set(`lib/${STORE_PATHS.lock}`, new Uint8Array(0));
    const stuck = new LibraryStore(held, 'lib');
    expect(() => stuck.add(esme, offer, catalog)).toThrow(/lib\/lock: another add holds the library/);
    expect(stuck.index().entries).toEqual([]);
  });
});
