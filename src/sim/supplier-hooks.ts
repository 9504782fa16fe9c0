/**
 * How a supplier that reacts as a run goes (a campaign's, DESIGN.md §1) hears from the node
 * runtime: a device's check of a downloaded image (what its receipt alert tells), an activation,
 * and the supplier's own scheduled actions falling due. What it does about them — distribute the
 * next hop, retry, send CS06 within its activation window — it asks of the runtime.
 */
import type { ImageCheck } from '../devices/ota-client-state.ts';
import type { ServedImage } from '../hub/ota-server.ts';
import type { Reaction } from '../pathways/behaviour.ts';

/** A simulated image: what the hub serves and the devices' checks conclude, without its bytes. */
export interface VirtualImage extends ServedImage {
  /** What a device's whole-image checks conclude of it. */
  readonly verdict: ImageCheck;
}

/** The supplier's side of a run. */
export interface SupplierHooks {
  /** `node` checked the image it downloaded (`key`, when the hub's): its receipt alert says `result`. */
  checked(node: string, result: ImageCheck): void;
  /**
   * `node` runs `fileVersion` from now — or, with a `refuse` reaction, its firmware refused to run
   * and it still runs what it ran; with `brick` or `degrade` it runs with functions lost.
   */
  activated(node: string, fileVersion: number, reaction?: Reaction): void;
  /** An action the supplier scheduled for `node` is due. */
  due(node: string, action: number): void;
}
