/**
 * Where a workload's time goes, by V8's sampling CPU profiler in the same process. Every
 * sample is charged to the first category that matches a frame on its stack. A function the JIT
 * inlined has no frame of its own: its samples show as the function it was inlined into (Node
 * 20's V8; a category's share can therefore move with the JIT's choices). Unlike subtracting two
 * separately timed loops, the shares come from one run, so a machine that slows down or speeds
 * up mid-run moves every category alike. The garbage collector's samples have no stack and are
 * counted on their own.
 */
import { Session } from 'node:inspector';

/** A stack frame as the profilers report it. */
export interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

/** A category: its name, and which stack frames belong to it. */
export interface Category {
  readonly name: string;
  readonly matches: (frame: CallFrame) => boolean;
}

/** Samples per category name, plus `garbage collector` and `other`. */
export interface Split {
  readonly total: number;
  readonly shares: ReadonlyMap<string, number>;
}

interface CpuNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

/** Names the category of a sample from its stack, innermost frame first. */
export type Classifier = (stack: readonly CallFrame[]) => string;

/** The first category with a frame on the stack, else `other`. */
function firstOnStack(categories: readonly Category[]): Classifier {
  return (stack) => {
    for (const c of categories) if (stack.some(c.matches)) return c.name;
    return 'other';
  };
}

/**
 * Runs `fn` once under the CPU profiler, sampling every `intervalUs`. `by` names each sample's
 * category: a classifier, or a list of categories (the first with a frame on the stack wins).
 */
export function profileSplit(fn: () => void, by: readonly Category[] | Classifier, intervalUs = 50): Split {
  const classify = typeof by === 'function' ? by : firstOnStack(by);
  const session = new Session();
  session.connect();
  const results = new Map<string, unknown>();
  // The in-process session answers synchronously.
  const post = (method: string, params?: object) =>
    session.post(method, params, (error, result) => {
      if (error) throw error;
      results.set(method, result);
    });
  post('Profiler.enable');
  post('Profiler.setSamplingInterval', { interval: intervalUs });
  post('Profiler.start');
  fn();
  post('Profiler.stop');
  session.disconnect();
  const cpuProfile = (results.get('Profiler.stop') as { profile: { nodes: CpuNode[]; samples: number[] } })
    .profile;
  const parent = new Map<number, CpuNode>();
  const byId = new Map(cpuProfile.nodes.map((n) => [n.id, n]));
  for (const n of cpuProfile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const categoryOf = new Map<number, string>();
  const cpu = new Map<string, number>();
  for (const id of cpuProfile.samples) {
    let category = categoryOf.get(id);
    if (category === undefined) {
      const node = byId.get(id) as CpuNode;
      const stack: CallFrame[] = [];
      for (let n: CpuNode | undefined = node; n; n = parent.get(n.id)) stack.push(n.callFrame);
      category =
        node.callFrame.functionName === '(garbage collector)' ? 'garbage collector' : classify(stack);
      categoryOf.set(id, category);
    }
    cpu.set(category, (cpu.get(category) ?? 0) + 1);
  }
  return { total: cpuProfile.samples.length, shares: cpu };
}
