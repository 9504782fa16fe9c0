/**
 * Model-based command sets (`fc.commands`) for a hub with its devices (the public testing kit):
 * random interleavings of deliveries, losses, duplicates, reorderings, timers, power cycles and
 * hub restarts, each followed by the harness's invariants. After any sequence, a fault-free
 * settle must bring every device to the complete image.
 */
import fc from 'fast-check';
import type { HanHarness } from './han-harness.ts';

/** The model: only what commands need to know to be applicable. */
export interface HanModel {
  readonly nodes: readonly string[];
}

type HanCommand = fc.Command<HanModel, HanHarness>;

/** One step on the harness, followed by its invariants. */
class HanAction implements HanCommand {
  readonly #label: string;
  readonly #act: (model: HanModel, real: HanHarness) => void;

  constructor(label: string, act: (model: HanModel, real: HanHarness) => void) {
    this.#label = label;
    this.#act = act;
  }

  check(): boolean {
    return true;
  }

  run(model: HanModel, real: HanHarness): void {
    this.#act(model, real);
    real.checkInvariants();
  }

  toString(): string {
    return this.#label;
  }
}

/** The commands, weighted towards deliveries so downloads make progress. */
export function hanCommands(): fc.Arbitrary<Iterable<HanCommand>> {
  const index = fc.nat({ max: 20 });
  const deliver = index.map((i) => new HanAction(`deliver(${i})`, (_m, r) => r.deliver(i)));
  return fc.commands(
    [
      deliver,
      deliver,
      deliver,
      index.map((i) => new HanAction(`drop(${i})`, (_m, r) => r.drop(i))),
      index.map((i) => new HanAction(`duplicate(${i})`, (_m, r) => r.duplicate(i))),
      fc.constant(new HanAction('fireTimer', (_m, r) => r.fireNextTimer())),
      fc
        .nat({ max: 7 })
        .map(
          (d) =>
            new HanAction(`powerCycle(${d})`, (m, r) => r.powerCycle(m.nodes[d % m.nodes.length] as string)),
        ),
      fc.constant(new HanAction('restartHub', (_m, r) => r.restartHub())),
    ],
    { maxCommands: 300 },
  );
}
