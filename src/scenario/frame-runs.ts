/**
 * One frame-driver run per hub: the hub's configuration and memory, its devices, and the
 * timeline's inputs gathered for it.
 */
import type { SupplierAnchor } from '../devices/gbcs-activation.ts';
import { DEFAULT_HUB_CONFIG } from '../hub/ota-server.ts';
import type { ParseImageOptions } from '../ota/image.ts';
import type { DistributedImage, FrameRunInput } from '../sim/frame-run.ts';
import type { LinkProfile } from '../sim/link.ts';
import type { ScenarioDevice } from './scenario-devices.ts';
import type { ScenarioFile } from './schema.ts';

const S = 1_000_000;

type HubEntry = NonNullable<ScenarioFile['hubs']>[number];

/** What the timeline gives one hub's run, in the driver's terms. */
export type HubInputs = {
  laterImages: { atUs: number; image: DistributedImage; notify: string[] }[];
  upgradeChains: { atUs: number; node: string; images: DistributedImage[] }[];
  gbcsCommands: { atUs: number; node: string; bytes: Uint8Array }[];
  supplierChanges: { atUs: number; node: string; anchor: SupplierAnchor }[];
  powerCycles: { atUs: number; node: string; offUs: number }[];
  linkChanges: { atUs: number; node: string; link: LinkProfile }[];
  hubRestartsUs: number[];
  evictions: { atUs: number; file: Uint8Array }[];
};

/** A hub's inputs before the timeline is read: nothing happens. */
export function emptyHubInputs(): HubInputs {
  return {
    laterImages: [],
    upgradeChains: [],
    gbcsCommands: [],
    supplierChanges: [],
    powerCycles: [],
    linkChanges: [],
    hubRestartsUs: [],
    evictions: [],
  };
}

/**
 * The driver's input for hub `h`: its devices (each reading its downloads in the form recorded
 * in `formats`, when there is one) and the timeline's inputs `a`, for the scenario's days.
 */
export function frameRunInput(
  s: ScenarioFile,
  h: HubEntry,
  a: HubInputs,
  devices: Iterable<ScenarioDevice>,
  formats: ReadonlyMap<string, ParseImageOptions>,
  seed: number,
): FrameRunInput {
  return {
    seed,
    hub: {
      ...DEFAULT_HUB_CONFIG,
      node: h.id,
      ...(h.maxConcurrentDownloads !== undefined && { maxConcurrentDownloads: h.maxConcurrentDownloads }),
      ...(h.minimumBlockPeriodMs !== undefined && { minimumBlockPeriodMs: h.minimumBlockPeriodMs }),
    },
    memory: { blockCount: h.memory?.blocks ?? 64, blockSize: h.memory?.blockSize ?? 4096 },
    devices: [...devices]
      .filter((d) => d.hub === h.id)
      .map((d) => {
        const format = formats.get(d.spec.node);
        return format ? { ...d.spec, imageFormat: format } : d.spec;
      }),
    images: [],
    ...a,
    maxTimeUs: (s.maxDays ?? 30) * 86_400 * S,
    capture: true,
  };
}
