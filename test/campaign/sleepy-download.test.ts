/**
 * A GSME's download that spans many wake windows on a lossy link, over the session transport: the
 * computed run's lost exchanges are retried after the run's blocks, and the hub hears those
 * retries, so its one-hour idle timer does not drop a download the device is still retrying (the
 * frame transport, every frame sent, keeps the session to the Upgrade End Request too).
 */
import { expect, it } from 'vitest';
import { runBucket } from '../../src/campaign/bucket-run.ts';
import { DEVICE_PROFILES } from '../../src/devices/profiles.ts';
import { DEFAULT_HUB_CONFIG } from '../../src/hub/ota-server.ts';
import { LINK_PROFILES } from '../../src/sim/link.ts';
import { Trace } from '../../src/sim/trace.ts';

const hop = {
  key: 'v2',
  manufacturerCode: 1,
  imageType: 1,
  fileVersion: 2,
  size: 200_000,
  verdict: { status: 'SUCCESS' as const },
};

it('keeps a sleepy device’s download session while the device retries, over both transports', () => {
  for (const transport of ['frame', 'session'] as const) {
    const trace = new Trace();
    const result = runBucket({
      seed: 1,
      transport,
      trace,
      hubs: [{ config: DEFAULT_HUB_CONFIG, memory: { blockCount: 300, blockSize: 1024 } }],
      devices: [
        {
          node: 'g',
          profile: DEVICE_PROFILES.GSME,
          link: LINK_PROFILES.typical,
          manufacturerCode: 1,
          imageType: 1,
          runningVersion: 1,
          hops: [hop],
        },
      ],
      maxTimeUs: 2 * 86_400_000_000,
    });
    expect(result.devices[0]?.activationsUs.length, transport).toBe(1);
    const hub = trace.states('hub/g').map((e) => e.reason);
    expect(hub, transport).toEqual(['serving 0x00000002', 'upgrade end request SUCCESS']);
  }
});
