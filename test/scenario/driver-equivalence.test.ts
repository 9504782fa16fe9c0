/**
 * One engine, two transports (DESIGN.md §3): every scenario of the library runs frame by frame
 * and over the session transport. Where every link is loss-free and without jitter, the two give
 * the same device outcomes (activation times included), the same frame count, and the same state
 * changes and notes in the same order at the same times; the others pass their expectations on
 * both.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildScenario } from '../../src/scenario/build.ts';
import type { LinkProfile } from '../../src/sim/link.ts';
import type { TraceEvent } from '../../src/sim/trace.ts';
import { libraryFiles, loadScenarioFile, runScenarioFile, SCENARIOS_DIR } from '../helpers/scenarios.ts';

/** Whether every link of every run (and every change of link) is loss-free, jitter-free and without duplicates. */
function lossFree(path: string): boolean {
  const { scenario, files } = loadScenarioFile(path);
  const exact = (l: LinkProfile) =>
    l.lossProbability === 0 && l.jitterUs === 0 && l.duplicateProbability === 0;
  return buildScenario(scenario, files, 1).runs.every(
    ({ input }) =>
      input.devices.every((d) => exact(d.link)) && (input.linkChanges ?? []).every((c) => exact(c.link)),
  );
}

/** State changes and notes, as comparable lines (frames differ by design: no per-block frames in a session). */
function nodeEvents(events: readonly TraceEvent[]): string[] {
  return events.flatMap((e) =>
    e.kind === 'frame' ? [] : [JSON.stringify(e.kind === 'state' ? e : { ...e, detail: e.detail ?? {} })],
  );
}

describe('the scenario library over both transports', () => {
  for (const file of libraryFiles()) {
    it(`${file}: the session transport agrees with the frame transport`, () => {
      const path = join(SCENARIOS_DIR, file);
      const frame = runScenarioFile(path, 1);
      const session = runScenarioFile(path, 1, { transport: 'session' });
      if (!lossFree(path)) {
        // A lossy link: the session transport's retries are drawn once per run, an estimate.
        expect(frame.ok, 'frame transport').toBe(true);
        expect(session.ok, 'session transport').toBe(true);
        return;
      }
      expect(session.devices).toEqual(frame.devices);
      expect(session.framesSent).toBe(frame.framesSent);
      expect(session.ok).toBe(frame.ok);
      expect(session.runs.map((r) => nodeEvents(r.result.trace.events))).toEqual(
        frame.runs.map((r) => nodeEvents(r.result.trace.events)),
      );
    });
  }

  it('runs most of the library loss-free, so the comparison above is not empty', () => {
    const lossFreeCount = libraryFiles().filter((f) => lossFree(join(SCENARIOS_DIR, f))).length;
    expect(lossFreeCount).toBeGreaterThanOrEqual(20);
  });
});
