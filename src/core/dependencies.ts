// Dependencies between sensors: a master that is Down pauses its dependents ("Paused by
// dependency"), and that pause passes on down a chain. A master merely paused by a user or a
// maintenance window pauses nobody. Pure; cycles are reported, never followed forever.

/** What a master's own condition is, before any dependency pause is applied to it. */
export type MasterCondition = 'down' | 'paused' | 'other';

export interface DependencyView {
  /** The effective master of a sensor (settings.dependsOn), if any. */
  dependsOn(id: string): string | undefined;
  /**
   * The sensor's own condition: 'paused' when a user or maintenance pause applies, 'down' when its
   * tracked state is Down, 'other' otherwise. A pause by dependency is NOT a condition: it is what
   * this module computes.
   */
  condition(id: string): MasterCondition | undefined;
}

/**
 * The Down master that pauses `id` (following chains of dependency pauses), or undefined when the
 * sensor is not paused by dependency. `memo` shares work across many calls in one evaluation.
 */
export function dependencyRoot(id: string, view: DependencyView, memo: Map<string, string | null> = new Map()): string | undefined {
  // Most sensors have no master: answer without allocating anything.
  if (view.dependsOn(id) === undefined) return undefined;
  // Walk up the chain of masters until a resolved sensor, a sensor without master, or a cycle...
  const chain: string[] = [];
  const onChain = new Set<string>();
  let cur = id;
  for (;;) {
    if (memo.has(cur)) break;
    if (onChain.has(cur)) {
      // A cycle: its members pause nobody through it (the config loader refuses cycles anyway).
      const at = chain.indexOf(cur);
      for (const c of chain.slice(at)) memo.set(c, null);
      chain.length = at;
      break;
    }
    const master = view.dependsOn(cur);
    if (master === undefined) {
      memo.set(cur, null);
      break;
    }
    chain.push(cur);
    onChain.add(cur);
    cur = master;
  }
  // ...then resolve it from the top down: every master on the chain is resolved before its dependents.
  for (let i = chain.length - 1; i >= 0; i--) {
    const sensor = chain[i]!;
    const master = view.dependsOn(sensor)!;
    const cond = view.condition(master);
    const above = memo.get(master) ?? null;
    let root: string | null = null;
    // A sensor under a user or maintenance pause keeps that pause; a master under one pauses nobody.
    if (cond === 'paused' || cond === undefined || view.condition(sensor) === 'paused') root = null;
    else if (above !== null) root = above;
    else if (cond === 'down') root = master;
    memo.set(sensor, root);
  }
  return memo.get(id) ?? undefined;
}

/** Every sensor of `ids` that is paused by dependency, with the Down master that causes it. */
export function dependencyPauses(ids: Iterable<string>, view: DependencyView): Map<string, string> {
  const memo = new Map<string, string | null>();
  const out = new Map<string, string>();
  for (const id of ids) {
    const root = dependencyRoot(id, view, memo);
    if (root !== undefined) out.set(id, root);
  }
  return out;
}

/**
 * Dependency cycles (A → B → A), each listed once starting from its smallest id, in the order the
 * dependencies run. The config loader refuses a tree that has any.
 */
export function findDependencyCycles(dependsOn: ReadonlyMap<string, string | undefined>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  for (const startId of dependsOn.keys()) {
    if (state.has(startId)) continue;
    const path: string[] = [];
    let cur: string | undefined = startId;
    while (cur !== undefined && !state.has(cur)) {
      state.set(cur, 'visiting');
      path.push(cur);
      cur = dependsOn.get(cur);
    }
    if (cur !== undefined && state.get(cur) === 'visiting') {
      const cycle = path.slice(path.indexOf(cur));
      const minAt = cycle.indexOf([...cycle].sort()[0]!);
      cycles.push([...cycle.slice(minAt), ...cycle.slice(0, minAt)]);
    }
    for (const p of path) state.set(p, 'done');
  }
  return cycles;
}

/** The plain-language error for a cycle, as the config loader shows it. */
export function describeCycle(cycle: readonly string[]): string {
  return `dependency cycle: ${[...cycle, cycle[0]].join(' → ')}`;
}
