/**
 * The behaviour file applied in the run, at activation: a firmware that refuses to run leaves the
 * device on its old version, reported as such (alert 0x8F8B not activated), and the device
 * declines the image when it is offered again rather than fetching it every poll; one that bricks
 * runs with its functions lost, said in the trace. The same on both transports.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_HUB_CONFIG } from '../../src/hub/ota-server.ts';
import { parseImage } from '../../src/ota/image.ts';
import type { Behaviour } from '../../src/pathways/behaviour.ts';
import type { FirmwareSpec } from '../../src/sim/device-firmware.ts';
import { runSimulation, type TransportName } from '../../src/sim/frame-driver.ts';
import { deviceFor, FIXTURE_IMAGES } from '../helpers/sim.ts';

const IHD = FIXTURE_IMAGES.find((f) => f.name === 'ihd-1.5-zigbee.ota') as (typeof FIXTURE_IMAGES)[number];

function firmware(reaction: 'refuse' | { brick: string[] }): FirmwareSpec {
  const behaviour: Behaviour = {
    model: 'display',
    firmware: new Map([
      [
        'new',
        {
          accepts: [],
          from: new Map(),
          otherwise:
            reaction === 'refuse' ? { kind: 'refuse' } : { kind: 'brick', functions: reaction.brick },
        },
      ],
    ]),
  };
  return {
    kind: 'behaviour',
    behaviour,
    entry: 'old',
    entryOfFile: new Map([[IHD.sha256, 'new']]),
    entryOfVersion: new Map(),
  };
}

function runIhd(reaction: 'refuse' | { brick: string[] }, transport: TransportName) {
  return runSimulation(
    {
      seed: 4,
      hub: DEFAULT_HUB_CONFIG,
      memory: { blockCount: 64, blockSize: 4096 },
      devices: [deviceFor('IHD', IHD, { firmware: firmware(reaction) })],
      images: [{ file: IHD.file, parse: IHD.parse }],
      maxTimeUs: 2 * 86_400_000_000,
    },
    transport,
  );
}

const notes = (r: ReturnType<typeof runIhd>) =>
  r.trace.events.flatMap((e) => (e.kind === 'note' ? [e.what] : []));

describe('firmware behaviour applied at activation', () => {
  for (const transport of ['frame', 'session'] as const) {
    it(`leaves an IHD whose new firmware refuses to run on its old version, declining the image after (${transport})`, () => {
      const r = runIhd('refuse', transport);
      const d = r.devices[0];
      const version = parseImage(IHD.file, IHD.parse).header.fileVersion;
      expect(d?.runningVersion).toBe(version - 1);
      expect(d?.phase).toBe('failed');
      expect(d?.entry).toBe('old');
      expect(notes(r)).toContain('firmware refused to run');
      expect(notes(r)).toContain('alert 0x8F8B firmware not activated');
      expect(notes(r)).not.toContain('alert 0x8F8B firmware activated');
      // Fetched once: offered again at its next poll, it is declined, and the hub stops offering it.
      const downloads = r.trace.events.filter(
        (e) =>
          e.kind === 'state' &&
          e.node === 'ihd' &&
          e.to.startsWith('downloading') &&
          !e.from.startsWith('downloading'),
      );
      expect(downloads).toHaveLength(1);
      expect(
        r.trace.events.some(
          (e) =>
            e.kind === 'state' &&
            e.node === 'ihd' &&
            /refused: its firmware refused to run here|offered again after its firmware refused/.test(
              e.reason,
            ),
        ),
      ).toBe(true);
    });

    it(`runs an image whose firmware bricks the device, with the functions lost in the trace (${transport})`, () => {
      const r = runIhd({ brick: ['display'] }, transport);
      const d = r.devices[0];
      expect(d?.phase).toBe('upgraded');
      expect(d?.entry).toBe('new');
      const note = r.trace.events.find((e) => e.kind === 'note' && e.what === 'firmware bricked the device');
      expect(note?.kind === 'note' && note.detail).toMatchObject({
        functionsLost: 'display',
        entry: 'old',
        image: 'new',
      });
    });
  }
});
