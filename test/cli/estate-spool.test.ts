/**
 * The estate streamed into bucket spools (src/cli/estate-spool.ts) gives each bucket the devices
 * the estate read whole gives it, in the same order, and the same count of devices per entry and
 * bucket; a shard's spool holds its own buckets' rows only; a file with quotes is read whole;
 * errors name the file; and the spool's folder is gone once removed.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogText, estateText } from '../../bench/campaign.ts';
import { bucketedTable } from '../../src/campaign/estate-buckets.ts';
import { readEstate } from '../../src/cli/catalog-input.ts';
import { nodeIo } from '../../src/cli/context.ts';
import { openEstate, removeSpool, spoolEstate } from '../../src/cli/estate-spool.ts';
import { loadEstate } from '../../src/pathways/estate.ts';
import { ROOT } from '../helpers/vectors.ts';

const ctx = { io: nodeIo, exit: () => {} };

/** An estate of `n` devices over `n / 3` hubs, with an extra column and CRLF line ends. */
function estateFile(dir: string, n: number, quoted = false): string {
  const lines = ['device_id,hub_id,device_type,cpl_entry_id,link_profile'];
  for (let d = 0; d < n; d++)
    lines.push(
      `${d.toString(16).padStart(16, '0')},hub-${Math.floor(d / 3)}${d % 7 === 0 ? 'é' : ''},ESME,${quoted && d === 5 ? '"V1"' : `V${d % 4}`},typical`,
    );
  const file = join(dir, quoted ? 'quoted.csv' : 'estate.csv');
  writeFileSync(file, `${lines.join('\r\n')}\r\n`);
  return file;
}

describe('the estate streamed into bucket spools', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hanota-spool-test-'));
  const file = estateFile(dir, 5000);
  const whole = bucketedTable(loadEstate(new Uint8Array(nodeIo.readFile(file))), 37);

  it('gives every bucket the devices, order and entry counts of the estate read whole', () => {
    const spool = spoolEstate(ctx, file, 37);
    try {
      expect(spool.kind).toBe('spool');
      const streamed = openEstate(ctx, spool, 37);
      expect(streamed.length).toBe(5000);
      expect(streamed.entryCounts).toEqual(whole.entryCounts);
      // In shared memory: a worker is given them without a copy.
      for (const counts of streamed.entryCounts.values())
        expect(counts.buffer).toBeInstanceOf(SharedArrayBuffer);
      for (let b = 0; b < 37; b++) expect(streamed.devicesOf(b)).toEqual(whole.devicesOf(b));
    } finally {
      removeSpool(spool);
    }
    expect(spool.kind === 'spool' && existsSync(spool.dir)).toBe(false);
  });

  it('spools only a shard’s buckets, and still counts every bucket’s devices', () => {
    const wanted = new Set([0, 5, 36]);
    const spool = spoolEstate(ctx, file, 37, wanted);
    try {
      const streamed = openEstate(ctx, spool, 37);
      expect(streamed.entryCounts).toEqual(whole.entryCounts);
      for (let b = 0; b < 37; b++)
        expect(streamed.devicesOf(b)).toEqual(wanted.has(b) ? whole.devicesOf(b) : []);
      if (spool.kind === 'spool') expect(readdirSync(spool.dir).length).toBeLessThanOrEqual(wanted.size);
    } finally {
      removeSpool(spool);
    }
  });

  it('reads a file with quoted fields whole, with the same devices', () => {
    const quoted = estateFile(dir, 50, true);
    const estate = spoolEstate(ctx, quoted, 4);
    expect(estate.kind).toBe('whole');
    const read = openEstate(ctx, estate, 4);
    const reference = bucketedTable(loadEstate(new Uint8Array(nodeIo.readFile(quoted))), 4);
    for (let b = 0; b < 4; b++) expect(read.devicesOf(b)).toEqual(reference.devicesOf(b));
  });

  it('names the file and the row of a bad estate, and leaves no spool behind', () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'device_id,hub_id,device_type,cpl_entry_id\n0000000000000001,h,ESME\n');
    const parent = mkdtempSync(join(tmpdir(), 'hanota-spool-parent-'));
    expect(() => spoolEstate(ctx, bad, 4, undefined, parent)).toThrow(
      `${bad}: row 2, column 4: 3 fields, the header has 4 (line 2)`,
    );
    expect(readdirSync(parent)).toEqual([]);
  });

  it('reports what a whole read reports: the first of several faults, bytes that are not UTF-8 in any column', () => {
    const header = 'device_id,device_type,hub_id,cpl_entry_id\n';
    const texts = [
      // A short row, then a stray quote further on: the quote is the whole read's first fault.
      new TextEncoder().encode(`${header}0000000000000001,ESME,h\n0000000000000002,ES"ME,h,V1\n`),
      // A short row, then a byte that is not UTF-8.
      Uint8Array.from([...new TextEncoder().encode(`${header}0000000000000001,ESME,h\n`), 0xff, 0x0a]),
      // Not UTF-8 in a column the campaign does not hash.
      Uint8Array.from([
        ...new TextEncoder().encode(`${header}0000000000000001,ES`),
        0xff,
        ...new TextEncoder().encode('ME,h,V1\n'),
      ]),
    ];
    texts.forEach((bytes, k) => {
      const bad = join(dir, `faults-${k}.csv`);
      writeFileSync(bad, bytes);
      const whole = (() => {
        try {
          readEstate(ctx, bad);
        } catch (error) {
          return (error as Error).message;
        }
        return 'no error';
      })();
      expect(whole).not.toBe('no error');
      expect(() => {
        const spool = spoolEstate(ctx, bad, 4);
        // A file read whole is read when the campaign opens it: its error comes then.
        openEstate(ctx, spool, 4);
      }).toThrow(whole);
    });
  });

  it('refuses an estate that gives a required column twice', () => {
    const twice = join(dir, 'twice.csv');
    writeFileSync(twice, 'device_id,device_type,hub_id,cpl_entry_id,hub_id\n0000000000000001,ESME,a,V1,b\n');
    expect(() => spoolEstate(ctx, twice, 4)).toThrow(
      `${twice}: row 1: column(s) hub_id given twice (columns 3 and 5)`,
    );
  });

  it('refuses an estate whose spool would pass what can be read back, saying how many buckets to set', () => {
    const parent = mkdtempSync(join(dir, 'spools-'));
    // 5,000 rows of about 40 bytes: 1 bucket puts them all in one spool, past a 100,000-byte bound.
    expect(() => spoolEstate(ctx, file, 1, undefined, parent, 100_000)).toThrow(
      new RegExp(
        `^${file}: with policy buckets: 1 the estate's rows for one spool \\(1/1 of the buckets\\) pass 100000 bytes, .*set the policy's buckets to [0-9]+ or more`,
      ),
    );
    // The refused run leaves nothing in the temporary folder.
    expect(readdirSync(parent)).toEqual([]);
    // The count it names is enough.
    let needed = 0;
    try {
      spoolEstate(ctx, file, 1, undefined, parent, 100_000);
    } catch (error) {
      needed = Number(/buckets to ([0-9]+)/.exec((error as Error).message)?.[1]);
    }
    const spool = spoolEstate(ctx, file, needed, undefined, parent, 100_000);
    removeSpool(spool);
    expect(spool.kind).toBe('spool');
    expect(needed).toBeGreaterThan(1);
    // Past 64 spools' worth, shards too: each spools only its own buckets (every nth). The advice is enough.
    let advice = '';
    try {
      spoolEstate(ctx, file, 64, undefined, parent, 4_000);
    } catch (error) {
      advice = (error as Error).message;
    }
    const shard = /--shard k\/n with n at least ([0-9]+);.* buckets at ([0-9]+) or more/.exec(advice);
    expect(shard, advice).not.toBeNull();
    const [n, buckets] = [Number(shard?.[1]), Number(shard?.[2])];
    expect(n).toBeGreaterThan(1);
    for (let k = 0; k < n; k++) {
      const mine = new Set(Array.from({ length: buckets }, (_, b) => b).filter((b) => b % n === k));
      removeSpool(spoolEstate(ctx, file, buckets, mine, parent, 4_000));
    }
    expect(readdirSync(parent)).toEqual([]);
  });

  it('says so, naming the folder, when the temporary folder cannot take the spool', () => {
    const missing = join(dir, 'no-such-folder');
    expect(() => spoolEstate(ctx, file, 4, undefined, missing)).toThrow(
      new RegExp(`^${missing}: cannot write the estate's spool for .* in the temporary folder \\(TMPDIR\\)`),
    );
  });

  it('removes the spool of a campaign interrupted by SIGINT', async () => {
    const temporary = mkdtempSync(join(tmpdir(), 'hanota-spool-signal-'));
    const { text, targets } = catalogText();
    writeFileSync(join(dir, 'bench-catalog.csv'), text);
    writeFileSync(join(dir, 'bench-estate.csv'), estateText(40_000));
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'src/cli/hanota.js'),
        'campaign',
        '--estate',
        join(dir, 'bench-estate.csv'),
        '--catalog',
        join(dir, 'bench-catalog.csv'),
        '--target',
        ...targets,
        '--workers',
        '1',
      ],
      { env: { ...process.env, TMPDIR: temporary }, stdio: 'ignore' },
    );
    const exited = new Promise<NodeJS.Signals | null>((done) =>
      child.on('exit', (_, signal) => done(signal)),
    );
    // Interrupted once its spool is there (the run takes seconds after that).
    const spools = () => readdirSync(temporary).filter((f) => f.startsWith('hanota-estate-'));
    while (spools().length === 0) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    expect(await exited).toBe('SIGINT');
    expect(spools()).toEqual([]);
  }, 60_000);
});
