/**
 * hanota in a manufacturer's CI: drop this file into your vitest suite, point the three paths at
 * your catalog extract, images and behaviour file, and every new image is checked before it goes
 * to the CPL:
 * - each image parses, passes its integrity checks and carries the hash its entry declares;
 * - each image survives the hub and the radio: random losses, duplicates, reorderings, timer
 *   expiries, power cycles and hub restarts never corrupt what a device assembles, and once the
 *   faults stop every device holds the image byte for byte;
 * - no device that follows a declared pathway is ever bricked, from any entry, by what your
 *   behaviour file says each activation does — over random walks as well as the planned paths.
 * hanota runs this very file in its own CI, against the example model in fixtures/.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parseImage, verifyImage } from 'hanota';
import { HanHarness, hanCommands, loadCatalog, outcomeOf, Planner, parseBehaviour } from 'hanota/testing';
import { describe, expect, it } from 'vitest';

// Your files: the catalog's image_file column is read relative to the catalog.
const MODEL = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/example-model');
const CATALOG = join(MODEL, 'catalog.csv');
const BEHAVIOUR = join(MODEL, 'behaviour.yaml');

const catalog = loadCatalog(readFileSync(CATALOG, 'utf8'));
const behaviour = parseBehaviour(readFileSync(BEHAVIOUR, 'utf8'));
const withImages = catalog.entries.filter((e) => e.extra.image_file);
const imageOf = (file: string) => new Uint8Array(readFileSync(join(dirname(CATALOG), file)));
// fast-check prints the seed of a failure; fix it here to replay one.
const SEED = Number(process.env.FC_SEED ?? 2026);

describe('each image', () => {
  for (const entry of withImages)
    it(`${entry.cplEntryId}: parses, passes its checks and has the hash its entry declares`, () => {
      const image = parseImage(imageOf(entry.extra.image_file as string));
      expect(verifyImage(image).ok).toBe(true);
      const hashed =
        image.format === 'gbcs' ? image.manufacturerImage.data : imageOf(entry.extra.image_file as string);
      expect(createHash('sha256').update(hashed).digest('hex')).toBe(entry.manufacturerImageHash);
    });

  it('survives the hub and the radio under any interleaving of faults', () => {
    const file = imageOf(withImages[0]?.extra.image_file as string);
    fc.assert(
      fc.property(hanCommands(), fc.integer({ min: 1, max: 1000 }), (commands, seed) => {
        const real = new HanHarness({ image: file, deviceTypes: ['ESME', 'PPMID'], seed, maxDataSize: 64 });
        fc.modelRun(() => ({ model: { nodes: real.nodes }, real }), commands);
        real.settle();
        // A device that gave up after repeated aborts is revived by an Image Notify.
        if (real.nodes.some((n) => real.device(n).state.phase === 'failed')) {
          real.notifyAll();
          real.settle();
        }
        for (const node of real.nodes)
          expect(Buffer.from(real.device(node).bytes).equals(Buffer.from(file))).toBe(true);
      }),
      { numRuns: 25, seed: SEED },
    );
  });
});

describe('the declared pathways', () => {
  const planner = new Planner(catalog);
  const targets = catalog.entries.filter((e) => e.status === 'Active');

  it('never brick a device that follows them, from any entry to any target', () => {
    for (const from of catalog.entries)
      for (const target of targets) {
        const plan = planner.plan(from.cplEntryId, target.cplEntryId);
        if (!plan.ok) continue;
        let running = from.cplEntryId;
        for (const hop of plan.hops) {
          expect(
            outcomeOf(behaviour, hop, running)?.kind,
            `${from.cplEntryId} → ${hop} on ${running}`,
          ).not.toBe('brick');
          running = hop;
        }
      }
  });

  it('never brick a device on any walk along declared edges between Active entries', () => {
    const next = (id: string) =>
      catalog.entries.filter((e) => e.status === 'Active' && e.bases.includes(id)).map((e) => e.cplEntryId);
    fc.assert(
      fc.property(
        fc.constantFrom(...catalog.entries.map((e) => e.cplEntryId)),
        fc.array(fc.nat(), { maxLength: 6 }),
        (start, picks) => {
          let running = start;
          for (const pick of picks) {
            const options = next(running);
            if (options.length === 0) break;
            const hop = options[pick % options.length] as string;
            expect(outcomeOf(behaviour, hop, running)?.kind).not.toBe('brick');
            running = hop;
          }
        },
      ),
      { seed: SEED },
    );
  });
});
