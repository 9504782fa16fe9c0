/**
 * The frame driver's timeline: images handed to the hub later with an Image Notify, upgrade
 * chains that hand over the next image once the device runs the one before, power cycles and
 * link changes at given times, and the peak of hub memory.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes/hex.ts';
import { sha256 } from '../../src/crypto/hashes.ts';
import { readP256Key } from '../../src/crypto/keys.ts';
import { DEVICE_PROFILES } from '../../src/devices/profiles.ts';
import { buildCs06 } from '../../src/gbcs/build-cs06.ts';
import { simulatedParty } from '../../src/gbcs/simulated-party.ts';
import { DEFAULT_HUB_CONFIG } from '../../src/hub/ota-server.ts';
import { parseImage } from '../../src/ota/image.ts';
import { runFrameSimulation } from '../../src/sim/frame-driver.ts';
import type { FrameRunInput } from '../../src/sim/frame-run.ts';
import { LINK_PROFILES } from '../../src/sim/link.ts';
import { ROOT } from '../helpers/vectors.ts';

const MODEL = join(ROOT, 'fixtures/example-model/images');
const image = (id: string) => new Uint8Array(readFileSync(join(MODEL, `${id}.ota`)));
const supplierKey = readP256Key(readFileSync(join(ROOT, 'fixtures/keys/supplier-ds.key.pem'), 'utf8'));
const acb = simulatedParty('90b3d51f30000002', 'acb');
const meter = simulatedParty('00db000000000001', 'meter');
const DAY = 86_400_000_000;

function miHash(file: Uint8Array): string {
  const parsed = parseImage(file, { format: 'gbcs' });
  return parsed.format === 'gbcs' ? toHex(sha256(parsed.manufacturerImage.data)) : '';
}

function cs06(file: Uint8Array, counter: bigint): Uint8Array {
  return buildCs06({
    supplier: '5350000000000001',
    signingKey: supplierKey.privateKey as Uint8Array,
    recipient: meter.eui,
    macFor: meter.kaPublic,
    acbKaPrivate: acb.kaPrivate,
    counter,
    hash: Buffer.from(miHash(file), 'hex'),
  });
}

function esme(extra: Partial<FrameRunInput> = {}, ids: string[] = ['V110', 'V120', 'V130']): FrameRunInput {
  return {
    seed: 5,
    hub: DEFAULT_HUB_CONFIG,
    memory: { blockCount: 16, blockSize: 1024 },
    devices: [
      {
        node: 'esme',
        profile: DEVICE_PROFILES.ESME,
        manufacturerCode: 0x5a5a,
        imageType: 1,
        runningVersion: 0x01000000,
        hardwareVersion: 0x0100,
        link: LINK_PROFILES.ideal,
        gbcs: {
          identity: {
            device: meter.eui,
            keyAgreementPrivateKey: meter.kaPrivate,
            signingPrivateKey: meter.dsPrivate,
            acb: acb.eui,
            acbKeyAgreementKey: acb.kaPublic,
          },
          anchor: { supplier: '5350000000000001', signingKey: supplierKey.publicKey },
          commandsForImage: new Map(
            ids.map((id, i) => [miHash(image(id)), [cs06(image(id), BigInt(i + 1))]]),
          ),
        },
      },
    ],
    images: [],
    maxTimeUs: 30 * DAY,
    ...extra,
  };
}

describe('the frame driver timeline', () => {
  it('walks an upgrade chain hop by hop, each image handed over once the one before runs', () => {
    const result = runFrameSimulation(
      esme({
        upgradeChains: [
          { atUs: DAY, node: 'esme', images: ['V110', 'V120', 'V130'].map((id) => ({ file: image(id) })) },
        ],
      }),
    );
    expect(result.devices[0]).toMatchObject({ phase: 'upgraded', runningVersion: 0x01030000 });
    const activations = result.trace
      .states('esme')
      .filter((e) => e.to.startsWith('upgraded') && !e.from.startsWith('querying'))
      .map((e) => e.reason);
    expect(activations).toEqual([
      'CS06 Activate Firmware: running 0x01010000',
      'CS06 Activate Firmware: running 0x01020000',
      'CS06 Activate Firmware: running 0x01030000',
    ]);
    expect(result.distributions).toHaveLength(3);
    expect(result.hubMemoryPeakBlocks).toBe(12); // three 3 KB-ish images of four 1 KB blocks each
  });

  it('hands an image over later with an Image Notify, and the device fetches it then', () => {
    const result = runFrameSimulation(
      esme({ laterImages: [{ atUs: 2 * DAY, image: { file: image('V110') }, notify: ['esme'] }] }),
    );
    const firstBlock = result.trace.frames().find((f) => f.command === 'imageBlockRequest');
    expect(firstBlock?.timeUs).toBeGreaterThan(2 * DAY);
    expect(result.devices[0]?.runningVersion).toBe(0x01010000);
  });

  it('resumes after a power cut mid-transfer, and runs on a link that changed', () => {
    const result = runFrameSimulation(
      esme({
        laterImages: [{ atUs: 0, image: { file: image('V110') }, notify: ['esme'] }],
        powerCycles: [{ atUs: 1_500_000, node: 'esme', offUs: 60_000_000 }],
        linkChanges: [
          { atUs: 1_000_000, node: 'esme', link: { ...LINK_PROFILES.poor, lossProbability: 0.3 } },
        ],
      }),
    );
    const notes = result.trace.events.flatMap((e) =>
      e.kind === 'note' && e.node === 'esme' ? [e.what] : [],
    );
    expect(notes.slice(0, 2)).toEqual(['link changed', 'power cut']);
    expect(result.trace.states('esme').some((e) => /power on with \d+ bytes/.test(e.reason))).toBe(true);
    expect(result.devices[0]).toMatchObject({ phase: 'upgraded', runningVersion: 0x01010000 });
  });
});
