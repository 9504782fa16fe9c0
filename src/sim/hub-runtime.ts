/**
 * One hub as the node runtime runs it: its OTA server's settings and state, its memory blocks,
 * its own ZCL sequence number for unsolicited frames, and the downloads it serves at once. A run
 * has one hub (a scenario's) or many (a campaign's bucket); each device belongs to one.
 */
import { HubMemory, type MemoryGeometry } from '../hub/memory.ts';
import { type HubConfig, type HubState, initialHubState, type KnownDevice } from '../hub/ota-server.ts';

/** A hub of a run. */
export class HubRuntime {
  readonly index: number;
  readonly config: HubConfig;
  readonly memory: HubMemory;
  state: HubState;
  /** The hub's ZCL transaction sequence number for unsolicited frames. */
  tsn = 0;
  /** Downloads in progress (devices pinning an image). */
  downloads = 0;

  /** Hub `index` with `config` and memory of `geometry`, knowing `devices`. */
  constructor(index: number, config: HubConfig, geometry: MemoryGeometry, devices: readonly KnownDevice[]) {
    this.index = index;
    this.config = config;
    this.memory = new HubMemory(geometry);
    this.state = initialHubState(devices);
  }

  /** The next sequence number for a frame the hub sends unasked. */
  nextTsn(): number {
    this.tsn = (this.tsn + 1) & 0xff;
    return this.tsn;
  }
}
