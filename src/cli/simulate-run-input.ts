/**
 * The frame-driver input for a `hanota simulate` run (DESIGN.md §3): the hub with its default
 * settings, one device as the run spec describes it, and the one image the hub distributes.
 */
import { DEFAULT_HUB_CONFIG } from '../hub/ota-server.ts';
import type { FrameRunInput } from '../sim/frame-run.ts';
import type { SimulateSpec } from './simulate-spec.ts';

const DAY_US = 86_400_000_000;

/** What the frame driver runs for `spec`; `capture` keeps every transmission for a pcap. */
export function frameRunInput(spec: SimulateSpec, capture: boolean): FrameRunInput {
  const { profile, key, gbcs, hardwareVersion, maxDataSize } = spec;
  return {
    seed: spec.seed,
    hub: DEFAULT_HUB_CONFIG,
    memory: spec.memory,
    devices: [
      {
        node: spec.deviceType.toLowerCase(),
        profile,
        manufacturerCode: spec.manufacturerCode,
        imageType: spec.imageType,
        runningVersion: spec.runningVersion,
        ...(hardwareVersion !== undefined && { hardwareVersion }),
        ...(maxDataSize !== undefined && { maxDataSize }),
        link: spec.link,
        ...(key && profile.gbcsActivation && { trustAnchor: key.publicKey }),
        powerLossAtOffsets: spec.powerLossAtOffsets,
        ...(gbcs && { gbcs }),
        imageFormat: spec.imageReading,
      },
    ],
    images: [{ file: spec.loaded.input, parse: spec.imageReading }],
    maxTimeUs: spec.maxDays * DAY_US,
    capture,
  };
}
