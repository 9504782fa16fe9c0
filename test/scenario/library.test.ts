/**
 * The scenario library (`scenarios/`): one test per file, generated from the folder — each
 * scenario's expectations and the invariants (src/scenario/invariants.ts) hold; one capture per device type dissected by tshark; the shipped JSON
 * Schema is the one the schema module generates; runs repeat for a seed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes/hex.ts';
import { sha256 } from '../../src/crypto/hashes.ts';
import { scenarioJsonSchema } from '../../src/scenario/schema.ts';
import { writePcap } from '../../src/sim/pcap.ts';
import { libraryFiles, runScenarioFile, SCENARIOS_DIR } from '../helpers/scenarios.ts';
import { available, dissect } from '../helpers/tshark.ts';

const files = libraryFiles();

describe('the scenario library', () => {
  it('has at least 24 scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(24);
  });

  for (const file of files) {
    it(`${file}: every expectation and invariant holds`, () => {
      const result = runScenarioFile(join(SCENARIOS_DIR, file), 1, { invariants: true });
      const unmet = result.expectations
        .filter((x) => !x.ok)
        .map((x) => `${x.expectation}: ${x.detail}\n${(x.evidence ?? []).join('\n')}`);
      expect(unmet).toEqual([]);
      expect(result.expectations.length).toBeGreaterThan(0);
    });
  }

  it('gives the same result for the same seed', () => {
    const a = runScenarioFile(join(SCENARIOS_DIR, 'esme-30-percent-loss.yaml'), 7);
    const b = runScenarioFile(join(SCENARIOS_DIR, 'esme-30-percent-loss.yaml'), 7);
    expect(a.runs[0]?.result.trace.toJsonLines()).toBe(b.runs[0]?.result.trace.toJsonLines());
  });

  it('ships the JSON Schema the schema module generates (npm run schema rewrites it)', () => {
    const shipped = JSON.parse(readFileSync(join(SCENARIOS_DIR, 'scenario.schema.json'), 'utf8'));
    expect(shipped).toEqual(scenarioJsonSchema());
  });
});

/** tshark's OTA server command ids: Image Block Response and Upgrade End Response. */
const BLOCK_RESPONSE = '0x05';

describe.skipIf(!available)('scenario captures dissected by tshark, one per device type', () => {
  const perType: [string, string][] = [
    ['ESME', 'esme-happy-path.yaml'],
    ['GSME', 'gsme-happy-path.yaml'],
    ['HCALCS', 'hcalcs-happy-path.yaml'],
    ['PPMID', 'ppmid-without-hardware-version.yaml'],
    ['IHD', 'ihd-with-hardware-version.yaml'],
  ];
  for (const [type, file] of perType) {
    it(`${type} (${file}): the Image Block Responses in the pcap reassemble to the image`, () => {
      const result = runScenarioFile(join(SCENARIOS_DIR, file));
      const run = result.runs[0]?.result;
      if (!run) throw new Error('no run');
      const rows = dissect(writePcap(run.captured, run.startUnixS));
      const blocks = new Map<number, string>();
      for (const row of rows)
        if (row[2] === BLOCK_RESPONSE && row[3] === '0x00' && row[5])
          blocks.set(Number(row[4]), (row[5] as string).replace(/:/g, ''));
      const assembled = [...blocks.entries()]
        .sort((x, y) => x[0] - y[0])
        .map(([, hex]) => hex)
        .join('');
      const stored = run.trace.events.find((e) => e.kind === 'note' && e.what === 'image stored');
      expect(stored?.kind === 'note' && stored.detail?.key).toBeTruthy();
      // The hub's key of a stored image is the SHA-256 of the file.
      expect(toHex(sha256(fromHex(assembled, 'assembled')))).toBe(
        stored?.kind === 'note' ? stored.detail?.key : '',
      );
    });
  }
});
