/**
 * GBCS activation in the frame driver: an ESME, GSME or HCALCS downloads a signed image, raises
 * 0x8F72, and runs it only after its supplier's CS06 — immediately or at a future date, with
 * the alerts in order in the trace; forged, replayed and early commands change nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/crypto/hashes.ts';
import { readP256Key } from '../../src/crypto/keys.ts';
import type { DeviceType } from '../../src/devices/profiles.ts';
import { buildCs06, type Cs06Spec } from '../../src/gbcs/build-cs06.ts';
import { simulatedParty } from '../../src/gbcs/simulated-party.ts';
import { DEFAULT_HUB_CONFIG } from '../../src/hub/ota-server.ts';
import { parseImage } from '../../src/ota/image.ts';
import { DEFAULT_START_UNIX_S, runFrameSimulation } from '../../src/sim/frame-driver.ts';
import type { DeviceSpec } from '../../src/sim/frame-run.ts';
import type { GbcsDeviceSpec } from '../../src/sim/gbcs-device.ts';
import { deviceFor, FIXTURE_IMAGES, type FixtureImage } from '../helpers/sim.ts';
import { ROOT } from '../helpers/vectors.ts';

const supplierKey = readP256Key(readFileSync(join(ROOT, 'fixtures/keys/supplier-ds.key.pem'), 'utf8'));
const otherKey = readP256Key(readFileSync(join(ROOT, 'fixtures/keys/other-supplier-ds.key.pem'), 'utf8'));
const SUPPLIER = '5350000000000001';
const acb = simulatedParty('90b3d51f30000002', 'acb');
const meter = simulatedParty('00db000000000001', 'meter');
const DAY_US = 86_400_000_000;

function cs06(image: FixtureImage, patch: Partial<Cs06Spec> = {}): Uint8Array {
  const parsed = parseImage(image.file, image.parse);
  if (parsed.format !== 'gbcs') throw new Error('not gbcs');
  return buildCs06({
    supplier: SUPPLIER,
    signingKey: supplierKey.privateKey as Uint8Array,
    recipient: meter.eui,
    macFor: meter.kaPublic,
    acbKaPrivate: acb.kaPrivate,
    counter: 1n,
    hash: sha256(parsed.manufacturerImage.data),
    ...patch,
  });
}

function gbcsSpec(
  commandsAfterReceipt: Uint8Array[],
  anchor = { supplier: SUPPLIER, signingKey: supplierKey.publicKey },
): GbcsDeviceSpec {
  return {
    identity: {
      device: meter.eui,
      keyAgreementPrivateKey: meter.kaPrivate,
      signingPrivateKey: meter.dsPrivate,
      acb: acb.eui,
      acbKeyAgreementKey: acb.kaPublic,
    },
    anchor,
    commandsAfterReceipt,
  };
}

function runOne(
  device: DeviceSpec,
  image: FixtureImage,
  gbcsCommands: { atUs: number; bytes: Uint8Array }[] = [],
) {
  return runFrameSimulation({
    seed: 7,
    hub: DEFAULT_HUB_CONFIG,
    memory: { blockCount: 64, blockSize: 4096 },
    devices: [device],
    images: [{ file: image.file, parse: image.parse }],
    gbcsCommands: gbcsCommands.map((c) => ({ ...c, node: device.node })),
    maxTimeUs: 60 * DAY_US,
  });
}

/** What the device raised and answered (the hub's own alerts apart). */
function gbcsNotes(result: ReturnType<typeof runOne>) {
  return result.trace.events.flatMap((e) =>
    e.kind === 'note' && e.node !== 'hub' && /^(alert|CS06)/.test(e.what) ? [e] : [],
  );
}

/** The hub's CCS08 Firmware Transfer Alerts: device and response code. */
function transferAlerts(result: ReturnType<typeof runOne>) {
  return result.trace.events.flatMap((e) =>
    e.kind === 'note' && e.node === 'hub' && e.what.startsWith('alert CCS08')
      ? [[e.detail?.alertCode, e.detail?.device, e.detail?.responseCode]]
      : [],
  );
}

const gbcsImages: [DeviceType, FixtureImage][] = [
  ['ESME', FIXTURE_IMAGES[0] as FixtureImage],
  ['GSME', FIXTURE_IMAGES[1] as FixtureImage],
  ['HCALCS', FIXTURE_IMAGES[0] as FixtureImage],
];

describe('GBCS activation in the frame driver', () => {
  for (const [type, image] of gbcsImages) {
    it(`an ${type} raises 0x8F72, then runs the image on its supplier's CS06; the hub raises CCS08 0x8F8A`, () => {
      const result = runOne(deviceFor(type, image, { gbcs: gbcsSpec([cs06(image)]) }), image);
      const notes = gbcsNotes(result);
      expect(notes.map((n) => n.what)).toEqual([
        'alert 0x8F72 Firmware Distribution Receipt',
        'CS06 response',
      ]);
      expect(notes[1]?.detail).toMatchObject({ response: 'success' });
      // The transfer ended well: the hub tells the DCC (CCS08 0x8F8A), once.
      expect(transferAlerts(result)).toEqual([[0x8f8a, result.devices[0]?.node, 'success']]);
      const device = result.devices[0];
      expect(device?.phase).toBe('upgraded');
      expect(device?.runningVersion).toBe(parseImage(image.file, image.parse).header.fileVersion);
    });
  }

  it('holds the image without a CS06: downloaded, verified, waiting for an external event', () => {
    const image = FIXTURE_IMAGES[0] as FixtureImage;
    const result = runOne(deviceFor('ESME', image, { gbcs: gbcsSpec([]) }), image);
    expect(result.devices[0]).toMatchObject({
      phase: 'waiting',
      imageUpgradeStatus: 'waitingToUpgradeViaExternalEvent',
      complete: true,
    });
  });

  it('activates a future-dated command at its time, with 0x8F72, commandAccepted and 0x8F66 in order', () => {
    const image = FIXTURE_IMAGES[0] as FixtureImage;
    const result = runOne(
      deviceFor('ESME', image, { gbcs: gbcsSpec([cs06(image, { executeAt: '2026-01-10T00:00:00Z' })]) }),
      image,
    );
    const notes = gbcsNotes(result);
    expect(notes.map((n) => n.what)).toEqual([
      'alert 0x8F72 Firmware Distribution Receipt',
      'CS06 response',
      'alert 0x8F66 future-dated activation succeeded',
    ]);
    expect(notes[2]?.timeUs).toBe((1_767_225_600 + 9 * 86_400 - DEFAULT_START_UNIX_S) * 1_000_000);
    expect(result.devices[0]?.phase).toBe('upgraded');
  });

  it('refuses a command before the image is held with noImageHeld, then a replay of it for its counter', () => {
    const image = FIXTURE_IMAGES[0] as FixtureImage;
    const early = cs06(image);
    // On (it powers on within the first second), downloading, not yet holding the image.
    const result = runOne(deviceFor('ESME', image, { gbcs: gbcsSpec([]) }), image, [
      { atUs: 1_100_000, bytes: early },
      { atUs: 2 * DAY_US, bytes: early },
    ]);
    const notes = gbcsNotes(result);
    expect(notes.map((n) => [n.what, n.detail?.response ?? n.detail?.stage])).toEqual([
      ['CS06 response', 'noImageHeld'],
      ['alert 0x8F72 Firmware Distribution Receipt', undefined],
      ['CS06 refused', 'counter'],
    ]);
    expect(result.devices[0]?.phase).toBe('waiting');
  });

  it('loses a command sent while the device is off: its counter stays unused', () => {
    const image = FIXTURE_IMAGES[0] as FixtureImage;
    const command = cs06(image);
    const result = runOne(deviceFor('ESME', image, { gbcs: gbcsSpec([command]) }), image, [
      { atUs: 0, bytes: command },
    ]);
    const lost = result.trace.events.find((e) => e.kind === 'note' && e.what === 'GBCS command lost');
    expect(lost?.timeUs).toBe(0);
    expect(gbcsNotes(result).at(-1)?.detail?.response).toBe('success');
    expect(result.devices[0]?.phase).toBe('upgraded');
  });

  it('refuses a command signed by another supplier and never runs the image', () => {
    const image = FIXTURE_IMAGES[0] as FixtureImage;
    const forged = cs06(image, { signingKey: otherKey.privateKey as Uint8Array });
    const result = runOne(deviceFor('ESME', image, { gbcs: gbcsSpec([forged]) }), image);
    expect(gbcsNotes(result).at(-1)?.detail).toMatchObject({ stage: 'signature' });
    expect(result.devices[0]?.phase).toBe('waiting');
  });

  it('raises 0x8F1C and discards an image its supplier did not sign, whatever else the spec says', () => {
    const image = FIXTURE_IMAGES[0] as FixtureImage;
    const otherAnchor = { supplier: '5350000000000002', signingKey: otherKey.publicKey };
    // No separate image key: the device checks images with the key of the supplier it obeys.
    for (const trustAnchor of [undefined, supplierKey.publicKey]) {
      const device = deviceFor('ESME', image, { gbcs: gbcsSpec([cs06(image)], otherAnchor), trustAnchor });
      const result = runOne(device, image);
      expect(gbcsNotes(result).map((n) => n.what)).toEqual(['alert 0x8F1C Firmware Verification Failed']);
      expect(result.devices[0]?.phase).not.toBe('upgraded');
      // The device ended the transfer refusing the file: the hub reports it to the DCC (CCS08 0x8F89).
      expect(transferAlerts(result)).toEqual([[0x8f89, device.node, 'fileTransferFailure']]);
    }
  });

  it('cancels a pending future-dated activation: no 0x8F66, the image stays held', () => {
    const image = FIXTURE_IMAGES[0] as FixtureImage;
    const later = cs06(image, { executeAt: '2026-01-10T00:00:00Z' });
    const cancel = cs06(image, { counter: 2n, executeAt: '9999-12-31T23:59:59Z' });
    const result = runOne(deviceFor('ESME', image, { gbcs: gbcsSpec([later, cancel]) }), image);
    expect(gbcsNotes(result).map((n) => [n.what, n.detail?.response])).toEqual([
      ['alert 0x8F72 Firmware Distribution Receipt', undefined],
      ['CS06 response', 'commandAccepted'],
      ['CS06 response', 'commandAccepted'],
    ]);
    expect(result.devices[0]?.phase).toBe('waiting');
  });

  it("drops the old supplier's pending activation on a change of supplier", () => {
    const image = FIXTURE_IMAGES[0] as FixtureImage;
    const device = deviceFor('ESME', image, {
      gbcs: gbcsSpec([cs06(image, { executeAt: '2026-01-10T00:00:00Z' })]),
    });
    const result = runFrameSimulation({
      seed: 7,
      hub: DEFAULT_HUB_CONFIG,
      memory: { blockCount: 64, blockSize: 4096 },
      devices: [device],
      images: [{ file: image.file, parse: image.parse }],
      supplierChanges: [
        {
          atUs: 2 * DAY_US,
          node: device.node,
          anchor: { supplier: '5350000000000002', signingKey: otherKey.publicKey },
        },
      ],
      maxTimeUs: 60 * DAY_US,
    });
    const notes = result.trace.events.flatMap((e) =>
      e.kind === 'note' && e.node === device.node ? [e.what] : [],
    );
    expect(notes).toContain('pending activation dropped: supplier changed');
    expect(notes).not.toContain('alert 0x8F66 future-dated activation succeeded');
    expect(result.devices[0]?.phase).toBe('waiting');
  });

  it('refuses a malformed command at decode, and GBCS events for a device the run does not have', () => {
    const image = FIXTURE_IMAGES[0] as FixtureImage;
    expect(
      () => runOne(deviceFor('ESME', image), image, [{ atUs: 0, bytes: new Uint8Array(1) }]).devices,
    ).not.toThrow();
    expect(() =>
      runFrameSimulation({
        seed: 1,
        hub: DEFAULT_HUB_CONFIG,
        memory: { blockCount: 8, blockSize: 4096 },
        devices: [deviceFor('ESME', image)],
        images: [],
        gbcsCommands: [{ atUs: 0, node: 'nobody', bytes: new Uint8Array(1) }],
        maxTimeUs: DAY_US,
      }),
    ).toThrow(/gbcsCommands: no device 'nobody'/);
  });

  it('reports a hub-managed PPMID activation with alert 0x8F8B', () => {
    const image = FIXTURE_IMAGES[3] as FixtureImage;
    const result = runOne(deviceFor('PPMID', image), image);
    const note = result.trace.events.find((e) => e.kind === 'note' && e.what.startsWith('alert 0x8F8B'));
    expect(note?.kind === 'note' && note.detail).toMatchObject({ alertCode: 0x8f8b });
    expect(result.devices[0]?.phase).toBe('upgraded');
  });

  it('reports an image too large for hub memory as CCS08 0x8F89 imageDiscarded', () => {
    const image = FIXTURE_IMAGES[0] as FixtureImage;
    const result = runFrameSimulation({
      seed: 1,
      hub: DEFAULT_HUB_CONFIG,
      memory: { blockCount: 2, blockSize: 1024 },
      devices: [deviceFor('ESME', image)],
      images: [{ file: image.file, parse: image.parse }],
      maxTimeUs: DAY_US,
    });
    const note = result.trace.events.find((e) => e.kind === 'note' && e.what === 'distribution refused');
    expect(note?.kind === 'note' && note.detail).toMatchObject({
      alertCode: 0x8f89,
      responseCode: 'imageDiscarded',
    });
  });
});
