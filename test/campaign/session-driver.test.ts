/**
 * The session driver against the frame driver (DESIGN.md §3): on loss-free links without jitter,
 * the same devices, images and seed give the same end states and the same activation times.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes/hex.ts';
import {
  runSessionSimulation,
  type SessionDevice,
  type SessionImage,
} from '../../src/campaign/session-driver.ts';
import { sha256 } from '../../src/crypto/hashes.ts';
import { readP256Key } from '../../src/crypto/keys.ts';
import { DEVICE_PROFILES, type DeviceType } from '../../src/devices/profiles.ts';
import { buildCs06 } from '../../src/gbcs/build-cs06.ts';
import { simulatedParty } from '../../src/gbcs/simulated-party.ts';
import { DEFAULT_HUB_CONFIG } from '../../src/hub/ota-server.ts';
import { type ParseImageOptions, parseImage } from '../../src/ota/image.ts';
import { runFrameSimulation } from '../../src/sim/frame-driver.ts';
import type { DeviceSpec } from '../../src/sim/frame-run.ts';
import { LINK_PROFILES } from '../../src/sim/link.ts';
import { ROOT } from '../helpers/vectors.ts';

const supplier = readP256Key(readFileSync(join(ROOT, 'fixtures/keys/supplier-ds.key.pem'), 'utf8'));
const acb = simulatedParty('90b3d51f30000002', 'acb');

interface Image {
  readonly file: Uint8Array;
  readonly parse: ParseImageOptions;
  readonly session: SessionImage;
  readonly miHash: Uint8Array;
}

function image(path: string, parse: ParseImageOptions = {}): Image {
  const file = new Uint8Array(readFileSync(join(ROOT, 'fixtures', path)));
  const parsed = parseImage(file, parse);
  const h = parsed.header;
  return {
    file,
    parse,
    miHash: sha256(parsed.format === 'gbcs' ? parsed.manufacturerImage.data : file),
    session: {
      key: toHex(sha256(file)),
      manufacturerCode: h.manufacturerCode,
      imageType: h.imageType,
      fileVersion: h.fileVersion,
      size: file.length,
      ...(h.minimumHardwareVersion !== undefined && { minimumHardwareVersion: h.minimumHardwareVersion }),
      ...(h.maximumHardwareVersion !== undefined && { maximumHardwareVersion: h.maximumHardwareVersion }),
      valid: true,
    },
  };
}

const V = (id: string) => image(`example-model/images/${id}.ota`);
const DEVICES: { node: string; type: DeviceType; running: number; hw?: number; hops: Image[] }[] = [
  { node: 'esme-a', type: 'ESME', running: 0x01000000, hw: 0x0100, hops: [V('V110'), V('V120'), V('V130')] },
  // The hub serves any device the newest stored image of its manufacturer code and image type:
  // devices of one model on one hub walk the same path here, or one would skip a hop.
  { node: 'esme-b', type: 'ESME', running: 0x01000000, hw: 0x0100, hops: [V('V110'), V('V120'), V('V130')] },
  {
    node: 'hcalcs',
    type: 'HCALCS',
    running: 0x00010001,
    hw: 0x0100,
    hops: [image('images/esme-1.2-gbcs.ota')],
  },
  { node: 'gsme', type: 'GSME', running: 0x00010000, hw: 3, hops: [image('images/gsme-2.0-gbcs.ota')] },
  {
    node: 'ppmid',
    type: 'PPMID',
    running: 0x00030000,
    hops: [image('images/unsigned-gbcs/ppmid-3.1-gbcs.ota', { format: 'gbcs', signed: false })],
  },
  { node: 'ihd', type: 'IHD', running: 0x104, hops: [image('images/ihd-1.5-zigbee.ota')] },
];

function frameSpec(d: (typeof DEVICES)[number], index: number): DeviceSpec {
  const profile = DEVICE_PROFILES[d.type];
  const party = simulatedParty(`00db${index.toString(16).padStart(12, '0')}`, `device ${d.node}`);
  const first = d.hops[0] as Image;
  return {
    node: d.node,
    profile,
    manufacturerCode: first.session.manufacturerCode,
    imageType: first.session.imageType,
    runningVersion: d.running,
    ...(d.hw !== undefined && { hardwareVersion: d.hw }),
    link: LINK_PROFILES.ideal,
    imageFormat: first.parse,
    ...(profile.gbcsActivation && {
      gbcs: {
        identity: {
          device: party.eui,
          keyAgreementPrivateKey: party.kaPrivate,
          acb: acb.eui,
          acbKeyAgreementKey: acb.kaPublic,
        },
        anchor: { supplier: '5350000000000001', signingKey: supplier.publicKey },
        commandsForImage: new Map(
          d.hops.map((h, k) => [
            toHex(h.miHash),
            [
              buildCs06({
                supplier: '5350000000000001',
                signingKey: supplier.privateKey as Uint8Array,
                recipient: party.eui,
                macFor: party.kaPublic,
                acbKaPrivate: acb.kaPrivate,
                counter: BigInt(k + 1),
                hash: h.miHash,
              }),
            ],
          ]),
        ),
      },
    }),
  };
}

function sessionSpec(d: (typeof DEVICES)[number]): SessionDevice {
  const first = d.hops[0] as Image;
  return {
    node: d.node,
    profile: DEVICE_PROFILES[d.type],
    link: LINK_PROFILES.ideal,
    manufacturerCode: first.session.manufacturerCode,
    imageType: first.session.imageType,
    runningVersion: d.running,
    ...(d.hw !== undefined && { hardwareVersion: d.hw }),
    hops: d.hops.map((h) => h.session),
  };
}

describe('the session driver', () => {
  for (const seed of [1, 2, 3]) {
    it(`gives the frame driver's end states and activation times on loss-free links (seed ${seed})`, () => {
      const memory = { blockCount: 64, blockSize: 4096 };
      const hub = { ...DEFAULT_HUB_CONFIG, maxConcurrentDownloads: DEVICES.length };
      const maxTimeUs = 30 * 86_400_000_000;
      const frame = runFrameSimulation({
        seed,
        hub,
        memory,
        devices: DEVICES.map(frameSpec),
        images: [],
        upgradeChains: DEVICES.map((d) => ({
          node: d.node,
          images: d.hops.map((h) => ({ file: h.file, parse: h.parse })),
        })),
        maxTimeUs,
      });
      const session = runSessionSimulation({
        seed,
        hub,
        memory,
        devices: DEVICES.map(sessionSpec),
        maxTimeUs,
      });
      for (const d of DEVICES) {
        const f = frame.devices.find((x) => x.node === d.node);
        const s = session.devices.find((x) => x.node === d.node);
        const frameActivations = frame.trace
          .states(d.node)
          .filter((e) => e.to.startsWith('upgraded'))
          .map((e) => e.timeUs);
        expect({
          node: d.node,
          phase: s?.phase,
          runningVersion: s?.runningVersion,
          activations: s?.activationsUs,
        }).toEqual({
          node: d.node,
          phase: f?.phase,
          runningVersion: f?.runningVersion,
          activations: frameActivations,
        });
      }
    });
  }
});

describe('the session driver’s campaign limits', () => {
  const esmes = (n: number) =>
    Array.from({ length: n }, (_, k) =>
      sessionSpec({ ...(DEVICES[0] as (typeof DEVICES)[number]), node: `esme-${k}`, hops: [V('V110')] }),
    );
  const base = {
    seed: 4,
    hub: DEFAULT_HUB_CONFIG,
    memory: { blockCount: 64, blockSize: 4096 },
    maxTimeUs: 30 * 86_400_000_000,
  };

  it('holds distributions over the threshold for later windows and never drops one', () => {
    const result = runSessionSimulation({
      ...base,
      devices: esmes(3),
      adt: { limit: 1, windowUs: 86_400_000_000 },
    });
    expect(result.quarantined).toBe(2);
    expect(result.devices.map((d) => d.phase)).toEqual(['upgraded', 'upgraded', 'upgraded']);
    const days = result.devices
      .map((d) => Math.floor((d.activationsUs[0] as number) / 86_400_000_000))
      .sort();
    expect(days).toEqual([0, 1, 2]);
  });

  it('activates only inside the activation window', () => {
    const result = runSessionSimulation({
      ...base,
      devices: esmes(2),
      activationWindow: { fromHour: 2, toHour: 4 },
    });
    for (const d of result.devices) {
      const hour = Math.floor(((d.activationsUs[0] as number) / 3_600_000_000) % 24);
      expect(hour >= 2 && hour < 4).toBe(true);
    }
  });

  it('serves one download at a time when the hub allows one, and everybody gets there', () => {
    const result = runSessionSimulation({
      ...base,
      hub: { ...DEFAULT_HUB_CONFIG, maxConcurrentDownloads: 1 },
      devices: esmes(4),
    });
    expect(result.downloadsPeak).toBe(1);
    expect(result.devices.every((d) => d.phase === 'upgraded')).toBe(true);
  });
});
