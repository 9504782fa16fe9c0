/**
 * Conformance on the example model (fixtures/example-model): the run finds exactly the five
 * planted defects, classifies the rest, and refuses inputs it cannot run, saying why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes/hex.ts';
import { type ConformInput, runConformance } from '../../src/conform/conform.ts';
import { conformJunit } from '../../src/conform/junit.ts';
import { sha256 } from '../../src/crypto/hashes.ts';
import { readP256Key } from '../../src/crypto/keys.ts';
import { buildZigbeeImage } from '../../src/ota/zigbee-image.ts';
import { parseBehaviour } from '../../src/pathways/behaviour.ts';
import { loadCatalog } from '../../src/pathways/catalog.ts';
import { catalogCsv } from '../../src/testing/catalog-arbitraries.ts';
import { ROOT } from '../helpers/vectors.ts';

const DIR = join(ROOT, 'fixtures/example-model');
const key = (name: string) =>
  readP256Key(readFileSync(join(ROOT, 'fixtures/keys', name), 'utf8')).privateKey as Uint8Array;

function input(patch: Partial<ConformInput> = {}): ConformInput {
  return {
    catalog: loadCatalog(readFileSync(join(DIR, 'catalog.csv'), 'utf8')),
    model: 'Volta',
    hardwareVersion: '0x0100',
    images: readdirSync(join(DIR, 'images')).map((name) => ({
      name,
      bytes: new Uint8Array(readFileSync(join(DIR, 'images', name))),
    })),
    behaviour: parseBehaviour(readFileSync(join(DIR, 'behaviour.yaml'), 'utf8')),
    supplierKey: key('supplier-ds.key.pem'),
    seed: 1,
    ...patch,
  };
}

describe('conformance of the example model', () => {
  const result = runConformance(input());

  it('finds exactly the planted defects', () => {
    const failing = result.pairs
      .filter((p) => p.verdict === 'declaredFails' || p.verdict === 'undeclaredBricks')
      .map((p) => [p.running, p.image, p.verdict, p.step]);
    expect(failing).toEqual([
      ['V100', 'V115', 'undeclaredBricks', 'degrade'],
      ['V110', 'V130', 'undeclaredBricks', 'brick'],
      ['V120', 'V140', 'declaredFails', 'hardware range'],
      ['V121', 'V130', 'declaredFails', 'firmware refusal'],
      ['V130', 'V140', 'declaredFails', 'hardware range'],
    ]);
    expect(result.ok).toBe(false);
  });

  it('runs every ordered pair of a later image, and every declared edge of the model is among them', () => {
    expect(result.pairs).toHaveLength(20);
    const declared = result.pairs.filter((p) => p.declared).map((p) => `${p.running}>${p.image}`);
    expect(declared.sort()).toEqual(
      [
        'V100>V110',
        'V110>V115',
        'V110>V120',
        'V110>V121',
        'V120>V130',
        'V121>V130',
        'V120>V140',
        'V130>V140',
      ].sort(),
    );
    expect(result.pairs.filter((p) => p.verdict === 'declaredWorks')).toHaveLength(5);
    expect(result.pairs.filter((p) => p.verdict === 'undeclaredRefused')).toHaveLength(10);
  });

  it('names the lost functions of an unguarded upgrade', () => {
    expect(result.pairs.find((p) => p.running === 'V110' && p.image === 'V130')?.functionsLost).toEqual([
      'supply control',
      'prepayment',
    ]);
  });

  it('fails declared edges at the signature when the device trusts another supplier', () => {
    const other = runConformance(input({ supplierKey: key('other-supplier-ds.key.pem') }));
    const edge = other.pairs.find((p) => p.running === 'V100' && p.image === 'V110');
    expect(edge).toMatchObject({ verdict: 'declaredFails', step: 'signature' });
  });

  it('is the same run for the same inputs and seed', () => {
    expect(runConformance(input())).toEqual(result);
  });

  it('writes one JUnit test case per pair, failures for the defects', () => {
    const junit = conformJunit(result);
    expect(junit.match(/<testcase /g)).toHaveLength(20);
    expect(junit.match(/<failure /g)).toHaveLength(5);
    expect(junit).toContain('name="V121 -&gt; V130 (declared)"');
  });

  it('refuses what it cannot run, saying why', () => {
    expect(() => runConformance(input({ model: 'Ampere' }))).toThrow(/no entries of model Ampere/);
    const { supplierKey: _k, ...keyless } = input();
    expect(() => runConformance(keyless)).toThrow(/supplier's key/);
    const partial = parseBehaviour('model: Volta\nfirmware:\n  V110:\n    otherwise: refuse\n');
    expect(() => runConformance(input({ behaviour: partial }))).toThrow(
      /says nothing about V115, V120, V121, V130, V140/,
    );
  });

  it('fails a declared edge it could not run for want of an image, instead of passing', () => {
    const partial = runConformance(input({ images: input().images.filter((f) => f.name !== 'V110.ota') }));
    const notRun = partial.pairs
      .filter((p) => p.verdict === 'declaredNotRun')
      .map((p) => [p.running, p.image]);
    expect(notRun).toEqual([
      ['V100', 'V110'],
      ['V110', 'V115'],
      ['V110', 'V120'],
      ['V110', 'V121'],
    ]);
    expect(runConformance(input({ images: [] })).ok).toBe(false);
  });

  it('refuses a behaviour file for another model or naming entries the model does not have', () => {
    expect(() =>
      runConformance(input({ behaviour: parseBehaviour('model: Ampere\nfirmware: {}\n') })),
    ).toThrow(/for model Ampere, not Volta/);
    const stranger = parseBehaviour(
      'model: Volta\nfirmware:\n  V110:\n    accepts: [0100]\n    otherwise: refuse\n',
    );
    expect(() => runConformance(input({ behaviour: stranger }))).toThrow(
      /names 0100, not entries of model Volta/,
    );
  });
});

describe('conformance of a hub-managed device with ZigBee OTA files', () => {
  const header = (fileVersion: number) => ({
    manufacturerCode: 0x4242,
    imageType: 7,
    fileVersion,
    zigbeeStackVersion: 2,
    headerString: new Uint8Array(32),
  });
  const files = [1, 2].map((v) =>
    buildZigbeeImage({ header: header(v), elements: [{ tag: 0, data: new Uint8Array(500).fill(v) }] }),
  );
  const row = (id: string, file: Uint8Array, bases: string) => ({
    cpl_entry_id: id,
    device_type: 'IHD',
    manufacturer: 'Acme',
    model: 'Glow',
    hardware_version: '1',
    firmware_version: id,
    manufacturer_image_hash: toHex(sha256(file)),
    base_cpl_entry_ids: bases,
    status: 'Active',
  });

  it('matches ZigBee files by the SHA-256 of the file and runs the hub-managed activation', () => {
    const result = runConformance({
      catalog: loadCatalog(
        catalogCsv([row('G1', files[0] as Uint8Array, 'N/A'), row('G2', files[1] as Uint8Array, 'G1')]),
      ),
      model: 'Glow',
      hardwareVersion: '1',
      images: files.map((bytes, i) => ({ name: `g${i + 1}.ota`, bytes })),
      behaviour: parseBehaviour('model: Glow\nfirmware:\n  G2:\n    accepts: [G1]\n    otherwise: refuse\n'),
      seed: 3,
    });
    expect(result.pairs).toEqual([{ running: 'G1', image: 'G2', declared: true, verdict: 'declaredWorks' }]);
  });
});
