/**
 * The frame driver end to end: every device profile fetches every fixture image byte for byte,
 * on a clean link and on a harsh one (30% loss, duplicates, reordering), and across a power
 * loss at every block boundary; the hub serves PPMIDs without a hardware version, refuses a
 * hardware version outside the image range and an image larger than its free memory, shares
 * one stored image between devices, limits concurrent downloads, survives a restart; runs are
 * reproducible from their seed.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes/hex.ts';
import { sha256 } from '../../src/crypto/hashes.ts';
import { DEVICE_PROFILES, DEVICE_TYPES } from '../../src/devices/profiles.ts';
import { headerStringFromText } from '../../src/ota/header.ts';
import { buildZigbeeImage } from '../../src/ota/zigbee-image.ts';
import {
  deviceFor,
  FIXTURE_IMAGES,
  type FixtureImage,
  HARSH_LINK,
  run,
  runWithEvents,
} from '../helpers/sim.ts';

const [ESME_IMAGE, , IHD_IMAGE, PPMID_IMAGE] = FIXTURE_IMAGES as [
  FixtureImage,
  FixtureImage,
  FixtureImage,
  FixtureImage,
];

describe('every device profile fetches every fixture image', () => {
  for (const type of DEVICE_TYPES) {
    for (const image of FIXTURE_IMAGES) {
      for (const [condition, link] of [
        ['a clean link', undefined],
        ['30% loss, duplicates and reordering', HARSH_LINK],
      ] as const) {
        it(`${type} assembles ${image.name} byte for byte over ${condition}`, () => {
          const result = run([deviceFor(type, image, link ? { link } : {})], [image], { seed: 11 });
          const device = result.devices[0];
          expect(device?.assembledSha256).toBe(image.sha256);
          expect(device?.complete).toBe(true);
          expect(device?.phase).toBe(deviceFor(type, image).profile.gbcsActivation ? 'waiting' : 'upgraded');
        });
      }
    }
  }
});

describe('power loss', () => {
  const small: FixtureImage = (() => {
    const file = buildZigbeeImage({
      header: {
        manufacturerCode: 0x1234,
        imageType: 0x20,
        fileVersion: 2,
        zigbeeStackVersion: 2,
        headerString: headerStringFromText('small'),
      },
      elements: [{ tag: 0, data: Uint8Array.from({ length: 600 }, (_, i) => i & 0xff) }],
    });
    return { name: 'small', file, parse: {}, sha256: toHex(sha256(file)) };
  })();
  const blockSize = 48;
  const boundaries = Array.from(
    { length: Math.ceil(small.file.length / blockSize) - 1 },
    (_, i) => (i + 1) * blockSize,
  );

  it(`resumes from the saved offset after a power loss at each of the ${boundaries.length} block boundaries`, () => {
    for (const offset of boundaries) {
      const result = run(
        [deviceFor('HCALCS', small, { maxDataSize: blockSize, powerLossAtOffsets: [offset] })],
        [small],
      );
      const device = result.devices[0];
      expect(device?.assembledSha256, `power loss at ${offset}`).toBe(small.sha256);
      const states = result.trace.states('hcalcs').map((e) => e.reason);
      expect(states).toContain('power lost');
      expect(states).toContain(`power on with ${offset} bytes of 0x00000002 saved`);
      expect(states).toContain(`resuming 0x00000002 at offset ${offset}`);
    }
  });

  it('survives a power loss at every boundary in one run', () => {
    const result = run(
      [deviceFor('GSME', small, { maxDataSize: blockSize, powerLossAtOffsets: boundaries })],
      [small],
    );
    expect(result.devices[0]?.assembledSha256).toBe(small.sha256);
    expect(result.trace.states('gsme').filter((e) => e.reason === 'power lost')).toHaveLength(
      boundaries.length,
    );
  });
});

describe('the hub as OTA server', () => {
  it('serves a PPMID that leaves the hardware version out of its query', () => {
    const device = deviceFor('PPMID', PPMID_IMAGE);
    expect(device.hardwareVersion).toBeUndefined();
    const result = run([device], [PPMID_IMAGE]);
    expect(result.devices[0]).toMatchObject({
      complete: true,
      phase: 'upgraded',
      runningVersion: 0x00030001,
    });
  });

  it('refuses an ESME whose hardware version is outside the image range, and one that leaves it out', () => {
    for (const [hardwareVersion, reason] of [
      [0x0200, 'no image: hardware version 512 is outside the image range 256..511'],
      [undefined, 'no image: hardware version required to check the image range'],
    ] as const) {
      const spec = deviceFor('ESME', ESME_IMAGE);
      const { hardwareVersion: _hw, ...rest } = spec;
      const result = run([hardwareVersion === undefined ? rest : { ...spec, hardwareVersion }], [ESME_IMAGE]);
      expect(result.devices[0]).toMatchObject({
        complete: false,
        bytesReceived: 0,
        outcome: 'hub answered NO_IMAGE_AVAILABLE',
      });
      expect(result.trace.states('hub/esme').map((e) => e.reason)).toContain(reason);
    }
  });

  it('refuses an image larger than its free memory with the reason, and serves none of it', () => {
    const result = run([deviceFor('ESME', ESME_IMAGE)], [ESME_IMAGE], { blockCount: 5, blockSize: 4096 });
    expect(result.distributions[0]).toEqual({
      ok: false,
      alert: 'CCS08 FirmwareImageDiscarded',
      reason: 'INSUFFICIENT_MEMORY',
      detail: 'image of 24126 bytes needs 6 blocks of 4096; 5 of 5 are free',
    });
    expect(result.devices[0]).toMatchObject({ complete: false, bytesReceived: 0 });
  });

  it('stores an image once for two devices that need it, and serves both from the same blocks', () => {
    const a = deviceFor('ESME', ESME_IMAGE, { node: 'esme-a' });
    const b = deviceFor('ESME', ESME_IMAGE, { node: 'esme-b' });
    const result = run([a, b], [ESME_IMAGE, ESME_IMAGE], { blockCount: 8 });
    expect(result.distributions.map((d) => d.ok && d.shared)).toEqual([false, true]);
    expect(result.devices.map((d) => d.assembledSha256)).toEqual([ESME_IMAGE.sha256, ESME_IMAGE.sha256]);
    const downloading = result.trace.events.filter((e) => e.kind === 'state' && e.to === 'downloading');
    expect(downloading.map((e) => (e.kind === 'state' ? e.node : ''))).toEqual(['hub/esme-a', 'hub/esme-b']);
  });

  it('tells devices over the concurrency limit to wait, and serves all in turn', () => {
    const devices = ['a', 'b', 'c'].map((n) => deviceFor('IHD', IHD_IMAGE, { node: `ihd-${n}`, startUs: 0 }));
    const result = run(devices, [IHD_IMAGE], { hub: { maxConcurrentDownloads: 1, waitForDataDelayS: 30 } });
    expect(result.devices.every((d) => d.complete && d.assembledSha256 === IHD_IMAGE.sha256)).toBe(true);
    const waits = result.trace
      .frames()
      .filter((f) => f.command === 'imageBlockResponse' && f.bytes?.[3] === 0x97);
    expect(waits.length).toBeGreaterThan(0);
  });

  it('enforces a minimum block period with WAIT_FOR_DATA', () => {
    const result = run([deviceFor('IHD', IHD_IMAGE)], [IHD_IMAGE], { hub: { minimumBlockPeriodMs: 250 } });
    expect(result.devices[0]?.assembledSha256).toBe(IHD_IMAGE.sha256);
    const served = result.trace
      .frames()
      .filter((f) => f.command === 'imageBlockResponse' && f.bytes?.[3] === 0x00 && f.fate === 'delivered');
    const gaps = served.slice(1).map((f, i) => f.sentUs - (served[i]?.sentUs ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250_000);
    // After the first WAIT_FOR_DATA the device keeps to the period by itself.
    const waits = result.trace
      .frames()
      .filter((f) => f.command === 'imageBlockResponse' && f.bytes?.[3] === 0x97);
    expect(waits).toHaveLength(1);
  });

  it('lets downloads continue after a hub restart', () => {
    const result = run([deviceFor('ESME', ESME_IMAGE)], [ESME_IMAGE], { hubRestartsUs: [3_000_000] });
    expect(result.devices[0]?.assembledSha256).toBe(ESME_IMAGE.sha256);
    expect(result.trace.states('hub/esme').map((e) => e.reason)).toContain('hub restarted');
  });
});

describe('reproducibility', () => {
  it('gives byte-identical traces for the same seed, and different ones for another seed', () => {
    const once = () =>
      run([deviceFor('GSME', ESME_IMAGE, { link: HARSH_LINK })], [ESME_IMAGE], {
        seed: 5,
      }).trace.toJsonLines();
    expect(once()).toBe(once());
    const other = run([deviceFor('GSME', ESME_IMAGE, { link: HARSH_LINK })], [ESME_IMAGE], {
      seed: 6,
    }).trace.toJsonLines();
    expect(other).not.toBe(once());
  });
});

describe('activation through the Upgrade End Response', () => {
  it('counts down to a later upgrade time, then runs the new image', () => {
    const result = run([deviceFor('PPMID', PPMID_IMAGE, { upgradePolicy: { afterS: 120 } })], [PPMID_IMAGE]);
    expect(result.devices[0]).toMatchObject({ phase: 'upgraded', runningVersion: 0x00030001 });
    const states = result.trace.states('ppmid');
    const countDown = states.find((e) => e.reason === 'upgrade in 120 s');
    const upgraded = states.find((e) => e.to === 'upgraded/normal');
    expect(countDown?.to).toBe('countDown/countDown');
    expect((upgraded?.timeUs ?? 0) - (countDown?.timeUs ?? 0)).toBeGreaterThanOrEqual(119_000_000);
  });

  it('waits when told to, until the hub releases it with an unsolicited Upgrade End Response', () => {
    const device = deviceFor('IHD', IHD_IMAGE, { upgradePolicy: 'wait' });
    const waiting = run([device], [IHD_IMAGE]);
    expect(waiting.devices[0]).toMatchObject({
      phase: 'waiting',
      imageUpgradeStatus: 'waitingToUpgrade',
      runningVersion: 0x104,
    });
    const image = { manufacturerCode: 0x1234, imageType: 0x10, fileVersion: 0x105 };
    const released = runWithEvents(
      [device],
      [IHD_IMAGE],
      [{ atUs: 86_400_000_000, event: { type: 'release', device: 'ihd', image, upgradeTime: 0 } }],
    );
    expect(released.devices[0]).toMatchObject({ phase: 'upgraded', runningVersion: 0x105 });
  });

  it('brings idle devices to query with a broadcast Image Notify', () => {
    const devices = ['a', 'b'].map((n) => deviceFor('IHD', IHD_IMAGE, { node: `ihd-${n}`, startUs: 0 }));
    // Devices query at power-on and find nothing (the image arrives later), then a notify brings them back.
    const result = runWithEvents(
      devices,
      [],
      [{ atUs: 5_000_000, event: { type: 'notify', to: 'broadcast', queryJitter: 100 } }],
    );
    const notified = result.trace
      .frames()
      .filter((f) => f.command === 'imageNotify' && f.fate === 'delivered');
    expect(notified.map((f) => f.to).sort()).toEqual(['ihd-a', 'ihd-b']);
    const queries = result.trace
      .frames()
      .filter((f) => f.command === 'queryNextImageRequest' && f.fate === 'delivered');
    expect(queries.length).toBe(4);
  });
});

describe('radio constraints', () => {
  it('lets a sleepy GSME exchange frames only while it is awake', () => {
    const result = run([deviceFor('GSME', ESME_IMAGE, { link: HARSH_LINK })], [ESME_IMAGE], { seed: 4 });
    expect(result.devices[0]?.assembledSha256).toBe(ESME_IMAGE.sha256);
    const wakes = result.trace.frames().filter((f) => f.from === 'gsme' || f.to === 'gsme');
    // Wake windows: 30 s every 1800 s, at a phase drawn per device; every frame the device sends
    // or receives falls into one, so the spread of (time mod interval) stays within 30 s (+ flight).
    const sent = wakes.filter((f) => f.from === 'gsme').map((f) => f.sentUs % 1_800_000_000);
    const received = wakes
      .filter((f) => f.to === 'gsme' && f.fate !== 'lost' && f.fate !== 'expired')
      .map((f) => f.timeUs % 1_800_000_000);
    // The spread of points on a circle of one interval: the interval less the largest gap.
    const spread = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      const gaps = sorted.map((x, i) =>
        i === 0 ? x + 1_800_000_000 - (sorted.at(-1) as number) : x - (sorted[i - 1] as number),
      );
      return 1_800_000_000 - Math.max(...gaps);
    };
    expect(spread(sent)).toBeLessThanOrEqual(30_000_000);
    expect(spread(received)).toBeLessThanOrEqual(30_000_000);
    expect(result.endUs).toBeGreaterThan(1_800_000_000);
  });

  it('stretches a sub-GHz download to respect the hourly duty cycle', () => {
    const link = {
      band: 'subGHz' as const,
      latencyUs: 5_000,
      jitterUs: 0,
      lossProbability: 0,
      duplicateProbability: 0,
      dutyCycle: 0.001,
    };
    // A device patient enough for a starved link: answers may take most of an hour.
    const profile = { ...DEVICE_PROFILES.ESME, responseTimeoutMs: 3 * 3_600_000 };
    const result = run([deviceFor('ESME', ESME_IMAGE, { link, profile })], [ESME_IMAGE]);
    expect(result.devices[0]?.assembledSha256).toBe(ESME_IMAGE.sha256);
    // 3.6 s of hub airtime an hour: the image's ~380 responses need more than an hour.
    expect(result.endUs).toBeGreaterThan(3_600_000_000);
    const hourOf = (us: number) => Math.floor(us / 3_600_000_000);
    const perHour = new Map<number, number>();
    for (const f of result.trace.frames().filter((f) => f.from === 'hub')) {
      perHour.set(
        hourOf(f.sentUs),
        (perHour.get(hourOf(f.sentUs)) ?? 0) + (12 + 27 + (f.bytes?.length ?? 0)) * 80,
      );
    }
    for (const airtime of perHour.values()) expect(airtime).toBeLessThanOrEqual(2 * 3_600_000);
  });

  const releaseRun = (seed: number) => {
    const image = { manufacturerCode: 0x1234, imageType: 0x10, fileVersion: 0x105 };
    const lossy = { ...HARSH_LINK, lossProbability: 0.3, duplicateProbability: 0 };
    const result = runWithEvents(
      [deviceFor('IHD', IHD_IMAGE, { upgradePolicy: 'wait', link: lossy })],
      [IHD_IMAGE],
      [{ atUs: 2 * 86_400_000_000, event: { type: 'release', device: 'ihd', image, upgradeTime: 0 } }],
      { seed },
    );
    return result;
  };
  it('asks again when the release is lost, and activates once an answer arrives', () => {
    // Find seeds where the release frame itself is lost, and check the device recovers.
    let lostReleases = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const result = releaseRun(seed);
      const releases = result.trace
        .frames()
        .filter((f) => f.command === 'upgradeEndResponse' && f.sentUs >= 2 * 86_400_000_000);
      if (releases[0]?.fate === 'lost') lostReleases++;
      expect(result.devices[0], `seed ${seed}`).toMatchObject({ phase: 'upgraded', runningVersion: 0x105 });
    }
    expect(lostReleases).toBeGreaterThan(0);
  });

  it('ends the hub session, unpinning the image, when the device ends the download', () => {
    const result = run([deviceFor('ESME', ESME_IMAGE)], [ESME_IMAGE]);
    const hub = result.trace.states('hub/esme');
    expect(hub.map((e) => `${e.from}>${e.to}: ${e.reason}`)).toEqual([
      'idle>downloading: serving 0x00010002',
      'downloading>idle: upgrade end request SUCCESS',
    ]);
  });
});
