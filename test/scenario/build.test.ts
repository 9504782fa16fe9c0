/**
 * Building and judging scenarios: what is refused at build time with its path, entries without
 * `at` taking the time of the entry before, the starting entry of a device given by version, and
 * failures kept to the devices they concern.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, referencedFiles } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/scenario/run.ts';
import { SCENARIOS_DIR } from '../helpers/scenarios.ts';

const F = '../fixtures';
const M = `${F}/example-model`;

function run(text: string) {
  const s = parseScenario(text);
  const files = new Map(
    referencedFiles(s).map((ref) => [ref, new Uint8Array(readFileSync(join(SCENARIOS_DIR, ref)))]),
  );
  return runScenario(s, files, 1);
}

const model = `catalog: ${M}/catalog.csv
behaviour: ${M}/behaviour.yaml
suppliers:
  A: { key: ${F}/keys/supplier-ds.key.pem }
  B: { key: ${F}/keys/other-supplier-ds.key.pem }
images:
  V110: ${M}/images/V110.ota
  V120: ${M}/images/V120.ota
  V130: ${M}/images/V130.ota
`;

describe('building scenarios', () => {
  it('refuses an upgrade to an entry the catalog does not have, at its path', () => {
    const text = `name: typo\n${model}devices:\n  - { id: esme, type: ESME, entry: V110, supplier: A }\ntimeline:\n  - upgrade: { device: esme, to: V999 }\nexpect: {}\n`;
    expect(() => run(text)).toThrow('timeline[0].upgrade.to: no entry V999 in the catalog');
  });

  it('refuses a hub ID used twice', () => {
    expect(() =>
      parseScenario(
        'name: x\nimages: {}\nhubs: [{ id: h }, { id: h }]\ndevices:\n  - { id: e, type: ESME, hub: h, manufacturerCode: 1, fileVersion: 1 }\nexpect: {}\n',
      ),
    ).toThrow("hubs[1].id: 'h' is used twice");
  });

  it('judges a device given by version from the entry of that version, not of the one it ends on', () => {
    const text = `name: by version\n${model}devices:\n  - { id: esme, type: ESME, manufacturerCode: 0x5a5a, imageType: 1, fileVersion: 0x01010000, hardwareVersion: 0x0100, supplier: A }\ntimeline:\n  - distribute: { image: V130, to: [esme] }\n  - activate: { device: esme, image: V130 }\nexpect: {}\n`;
    const device = run(text).devices[0];
    expect(device).toMatchObject({ entry: 'V130', bricked: true });
  });

  it('signs an on-receipt CS06 with the supplier of its place in the timeline', () => {
    const text = `name: supplier order\n${model}devices:\n  - { id: esme, type: ESME, entry: V110, supplier: A }\ntimeline:\n  - at: 1h\n    changeSupplier: { device: esme, to: B }\n  - at: 2h\n    distribute: { image: V120, to: [esme] }\n  - activate: { device: esme, image: V120 }\nexpect: {}\n`;
    // The image is signed by A, which the device no longer trusts: 0x8F1C, and no CS06 follows.
    const device = run(text).devices[0];
    expect(device?.events).toEqual(['0x8F1C']);
  });

  it('keeps a refused distribution to the devices it was for', () => {
    const text = `name: two hubs\nsuppliers:\n  A: { key: ${F}/keys/supplier-ds.key.pem }\nimages:\n  big: ${F}/images/esme-1.2-gbcs.ota\n  small: ${F}/images/gsme-2.0-gbcs.ota\nhubs:\n  - { id: h1, memory: { blocks: 2, blockSize: 4096 } }\n  - { id: h2 }\ndevices:\n  - { id: e1, type: ESME, hub: h1, manufacturerCode: 0x1234, imageType: 0, fileVersion: 1, hardwareVersion: 0x0100, supplier: A }\n  - { id: g1, type: GSME, hub: h2, manufacturerCode: 0x1234, imageType: 1, fileVersion: 1, hardwareVersion: 3, supplier: A }\ntimeline:\n  - distribute: { image: big, to: [e1] }\n  - distribute: { image: small, to: [g1] }\nexpect: {}\n`;
    const result = run(text);
    expect(
      result.devices
        .find((d) => d.device === 'e1')
        ?.failures.some((f) => f.startsWith('distribution refused')),
    ).toBe(true);
    expect(
      result.devices
        .find((d) => d.device === 'g1')
        ?.failures.some((f) => f.startsWith('distribution refused')),
    ).toBe(false);
  });
});
