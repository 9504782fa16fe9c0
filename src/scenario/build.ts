/**
 * From a validated scenario and the bytes of the files it names to frame-driver runs, one per
 * hub: devices with their keys and suppliers, and the timeline turned into the driver's inputs —
 * distributions (through the DCC's anomaly-detection threshold), CS06 commands built and signed
 * as the supplier would, upgrades along the planned path, power cycles, link changes, changes of
 * supplier and injected bad commands.
 */
import { simulatedParty } from '../gbcs/simulated-party.ts';
import type { Behaviour } from '../pathways/behaviour.ts';
import type { Catalog } from '../pathways/catalog.ts';
import type { FrameRunInput } from '../sim/frame-run.ts';
import { AnomalyDetection } from './anomaly-detection.ts';
import { cs06Signer } from './cs06-signer.ts';
import { emptyHubInputs, frameRunInput, type HubInputs } from './frame-runs.ts';
import { buildDevice, type ScenarioDevice } from './scenario-devices.ts';
import {
  type ImageEntries,
  imageEntries,
  readScenarioInputs,
  type ScenarioImage,
} from './scenario-inputs.ts';
import type { ScenarioFile } from './schema.ts';
import { applyAction, orderTimeline, type TimelineState } from './timeline-actions.ts';

const ACB_EUI = '90b3d51f30000002';

/** What the runner needs besides the driver inputs to judge the outcome. */
export interface BuiltScenario {
  readonly runs: readonly { readonly hub: string; readonly input: FrameRunInput }[];
  readonly catalog?: Catalog;
  readonly behaviour?: Behaviour;
  readonly images: ReadonlyMap<string, ScenarioImage>;
  /** Which entry each image is. */
  readonly entries: ImageEntries;
  /**
   * Each device's hub, type, starting version and entry (when it has one), whether the timeline
   * upgrades it, and whether along a planned path (an `upgrade` action).
   */
  readonly devices: ReadonlyMap<
    string,
    {
      readonly hub: string;
      readonly type: string;
      readonly startVersion: number;
      readonly entry?: string;
      readonly targeted: boolean;
      readonly planned: boolean;
    }
  >;
  /** Problems found while building, per device (a path that cannot be planned, a quarantined distribution). */
  readonly failures: ReadonlyMap<string, string[]>;
  readonly quarantined: number;
}

/** What the runner is told of each device once the timeline is read. */
function deviceSummaries(
  devices: ReadonlyMap<string, ScenarioDevice>,
  st: TimelineState,
): BuiltScenario['devices'] {
  return new Map(
    [...devices].map(([name, d]) => [
      name,
      {
        hub: d.hub,
        type: d.spec.profile.deviceType,
        startVersion: d.spec.runningVersion,
        ...(d.entry && { entry: d.entry.cplEntryId }),
        targeted: st.targeted.has(name),
        planned: st.planned.has(name),
      },
    ]),
  );
}

/** Builds the runs of a scenario. `files` holds the bytes of every referenced path, as written. */
export function buildScenario(
  s: ScenarioFile,
  files: ReadonlyMap<string, Uint8Array>,
  seed: number,
): BuiltScenario {
  const { catalog, behaviour, images, suppliers } = readScenarioInputs(s, files);
  const acb = simulatedParty(ACB_EUI, 'hanota scenario ACB');
  const hubs = s.hubs ?? [{ id: 'hub' }];
  const failures = new Map<string, string[]>();
  const entries = imageEntries(images);
  const ctx = {
    catalog,
    images,
    suppliers,
    acb,
    defaultHub: hubs[0]?.id as string,
    entries,
    ...(behaviour && { behaviour }),
  };
  const devices = new Map<string, ScenarioDevice>();
  for (const [index, d] of s.devices.entries()) devices.set(d.id, buildDevice(d, index, ctx));

  const st: TimelineState = {
    catalog,
    images,
    suppliers,
    devices,
    hubs: new Map<string, HubInputs>(hubs.map((h) => [h.id, emptyHubInputs()])),
    cs06: cs06Signer(suppliers, acb),
    adt: new AnomalyDetection(),
    links: new Map(),
    formats: new Map(),
    targeted: new Set(),
    planned: new Set(),
    fail: (device, why) => failures.set(device, [...(failures.get(device) ?? []), why]),
  };
  for (const action of orderTimeline(s.timeline ?? [])) applyAction(st, action);

  const runs = hubs.map((h) => ({
    hub: h.id,
    input: frameRunInput(s, h, st.hubs.get(h.id) as HubInputs, devices.values(), st.formats, seed),
  }));
  return {
    runs,
    ...(catalog && { catalog }),
    ...(behaviour && { behaviour }),
    images,
    entries,
    devices: deviceSummaries(devices, st),
    failures,
    quarantined: st.adt.quarantined,
  };
}
