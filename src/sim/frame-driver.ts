/**
 * Running a simulation (DESIGN.md §3): the node runtime over the transport asked for — `frame`
 * (bytes over simulated links, the reference) or `session` (command values, each download
 * computed as one transfer) — with the same inputs and results.
 */
import type { FrameRunInput, FrameRunResult } from './frame-run.ts';
import { FrameTransport } from './frame-transport.ts';
import { NodeRuntime } from './node-runtime.ts';
import { SessionTransport } from './session-transport.ts';
import type { RuntimePort } from './transport.ts';

export { BROADCAST, DEFAULT_START_UNIX_S, START_WINDOW_US } from './node-runtime.ts';

/** The transports a run can use. */
export const TRANSPORTS = ['frame', 'session'] as const;
/** A transport's name. */
export type TransportName = (typeof TRANSPORTS)[number];

/** Runs the hub and devices over `transport` until nothing is left to do or `maxTimeUs` passes. */
export function runSimulation(input: FrameRunInput, transport: TransportName): FrameRunResult {
  return new NodeRuntime(input, (port: RuntimePort) =>
    transport === 'frame' ? new FrameTransport(port) : new SessionTransport(port),
  ).run();
}

/** Runs the hub and devices with every frame as bytes over its link. */
export function runFrameSimulation(input: FrameRunInput): FrameRunResult {
  return runSimulation(input, 'frame');
}
