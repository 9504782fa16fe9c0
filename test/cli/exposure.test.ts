/**
 * `hanota exposure` as the SSC and a supplier would run it: the affected entries and devices of a
 * catalog with MP231's ZigBee columns, the unknown ones named, a band that is not MP231's flagged;
 * `--targets` then feeds `hanota campaign --targets`, whose planned campaign brings every affected
 * device to the safe target and bricks nothing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { hanota } from '../helpers/cli.ts';

const hash = (n: number) => n.toString(16).padStart(64, '0');
const CATALOG = [
  'cpl_entry_id,device_type,manufacturer,model,hardware_version,firmware_version,manufacturer_image_hash,base_cpl_entry_ids,status,zigbee_chipset_vendor,zigbee_stack_version,zigbee_band',
  `X0,ESME,Acme,Volta,0x0100,1.0,${hash(1)},N/A,Active,Silicon Labs,EmberZNet 6.8.0,2.4 GHz Only`,
  `X1,ESME,Acme,Volta,0x0100,1.1,${hash(2)},X0,Active,Silicon Labs,EmberZNet 6.9.1,2.4 GHz Only`,
  `X2,ESME,Acme,Volta,0x0100,1.2,${hash(3)},X1,Active,Silicon Labs,EmberZNet 6.10.5,2.4 GHz Only`,
  `X3,ESME,Acme,Volta,0x0100,1.3,${hash(4)},X0,Withdrawn,Silicon Labs,EmberZNet 7.0.0,2.4 GHz Only`,
  `Y0,GSME,Acme,Gasket,0x0200,2.0,${hash(5)},N/A,Active,,,Sub-GHz Only`,
  `Y1,GSME,Acme,Gasket,0x0200,2.1,${hash(6)},Y0,Active,NXP,3.0,Triple Band`,
].join('\n');
const ESTATE = [
  'device_id,device_type,hub_id,cpl_entry_id,supplier',
  '00-DB-00-00-00-00-00-01,ESME,00-DB-00-00-00-00-01-00,X0,ALPHA',
  '00-DB-00-00-00-00-00-02,ESME,00-DB-00-00-00-00-01-00,X1,ALPHA',
  '00-DB-00-00-00-00-00-03,ESME,00-DB-00-00-00-00-02-00,X0,BETA',
  '00-DB-00-00-00-00-00-04,ESME,00-DB-00-00-00-00-02-00,X2,BETA',
  '00-DB-00-00-00-00-00-05,GSME,00-DB-00-00-00-00-02-00,Y0,BETA',
].join('\n');

it('names the affected and unknown, writes the targets, and the planned campaign on them bricks nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hanota-exposure-'));
  writeFileSync(join(dir, 'catalog.csv'), CATALOG);
  writeFileSync(join(dir, 'estate.csv'), ESTATE);
  const targets = join(dir, 'targets.txt');
  const files = ['--catalog', join(dir, 'catalog.csv'), '--estate', join(dir, 'estate.csv')];
  const args = [...files, '--chipset', 'silicon labs'];
  const run = await hanota('exposure', ...args, '--stack', '>=6.7,<6.10.4', '--targets', targets, '--json');
  expect(run.code, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout);
  expect(report.affected).toEqual(['X0', 'X1']);
  expect(report.unknown).toEqual(['Y0']);
  expect(report.unknownDevices).toEqual(['00db000000000005']);
  expect(report.groups).toHaveLength(1);
  expect(report.groups[0]).toMatchObject({ model: 'Volta', target: 'X2', targetHops: 3, badBands: [] });
  expect(
    report.groups[0].devices.map((d: { deviceId: string; supplier: string }) => [d.deviceId, d.supplier]),
  ).toEqual([
    ['00db000000000001', 'ALPHA'],
    ['00db000000000002', 'ALPHA'],
    ['00db000000000003', 'BETA'],
  ]);
  expect(
    readFileSync(targets, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#')),
  ).toEqual(['X2']);
  // The table a person reads: the band a model gives that is not MP231's is flagged.
  const text = await hanota('exposure', ...args, '--stack', '>=6.7,<6.10.4');
  expect(text.stdout).toMatch(/ESME Acme Volta\s+0x0100\s+X0 X1\s+3\s+2\s+ALPHA BETA\s+X2 \(3 hops\)/);
  // NXP 3.0 hits the Gasket's Y1, which nothing safe follows: no target, exit 1.
  const none = await hanota('exposure', ...files, '--chipset', 'NXP', '--stack', '3.0');
  expect(none.code).toBe(1);
  expect(none.stdout).toMatch(/NOT MP231: Triple Band/);

  // Hubs with room for two images at once (the simulated images are the default size).
  writeFileSync(join(dir, 'policy.yaml'), 'memory: { blocks: 1024, blockSize: 4096 }\n');
  const campaign = await hanota(
    'campaign',
    '--estate',
    join(dir, 'estate.csv'),
    '--catalog',
    join(dir, 'catalog.csv'),
    '--targets',
    targets,
    '--policy',
    join(dir, 'policy.yaml'),
    '--mode',
    'planned',
    '--json',
  );
  expect(campaign.code, campaign.stderr).toBe(0);
  const result = JSON.parse(campaign.stdout);
  const byStatus = (result.reports?.[0] ?? result).byStatus;
  expect(byStatus.bricked).toBe(0);
  expect(byStatus.onTarget).toBe(4);
});

it('says when no entry names the vendor notified (a misspelling would read as nothing affected)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hanota-exposure-'));
  writeFileSync(join(dir, 'catalog.csv'), CATALOG);
  const run = await hanota(
    'exposure',
    '--catalog',
    join(dir, 'catalog.csv'),
    '--chipset',
    'SiLabs',
    '--stack',
    '6.9',
  );
  expect(run.code).toBe(0);
  expect(run.stderr).toMatch(
    /--chipset SiLabs: no entry of the catalog names this vendor; it names Silicon Labs, NXP/,
  );
});

it('refuses a stack range it cannot read, naming it, exit 2', async () => {
  const run = await hanota('exposure', '--catalog', '/dev/null', '--chipset', 'x', '--stack', 'soon');
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--stack: .*'soon' is not a version bound/);
});
