// Root-cause grouping: of the sensors that went Down within one window, which belong together
// behind a common parent (probe, group, device)? A parent qualifies when at least `minMembers` of
// them sit below it and they (with sensors already paused by dependency) make up at least
// `minShare` of its active sensors; the highest qualifying parent gathers them (so one outage of a
// switch yields one notification, while two unrelated failures in the same site stay apart), and
// the outage is named after the deepest parent its members share.

import type { Topology } from './topology.ts';

export interface GroupingOptions {
  readonly minMembers: number;
  readonly minShare: number;
}

export interface Clusters {
  /** Parent node id → members (in the order they came). */
  readonly groups: ReadonlyMap<string, readonly string[]>;
  readonly singles: readonly string[];
}

const GROUPABLE = new Set(['probe', 'group', 'device']);

/**
 * `state(id)` tells, for sensors under a candidate parent, whether they count as affected (Down or
 * paused by dependency), inactive (paused by user or maintenance: left out of the share) or healthy.
 */
export function clusterDown(members: readonly string[], topo: Topology, state: (id: string) => 'affected' | 'inactive' | 'healthy', o: GroupingOptions): Clusters {
  if (members.length < o.minMembers) return { groups: new Map(), singles: [...members] };
  const counts = new Map<string, number>();
  for (const m of members) {
    for (const a of topo.ancestors(m)) {
      if (GROUPABLE.has(topo.node(a)?.type ?? '')) counts.set(a, (counts.get(a) ?? 0) + 1);
    }
  }
  const qualifies = new Map<string, boolean>();
  const ok = (parent: string): boolean => {
    const known = qualifies.get(parent);
    if (known !== undefined) return known;
    let affected = 0;
    let active = 0;
    for (const s of topo.sensorsUnder(parent)) {
      const st = state(s);
      if (st === 'inactive') continue;
      active++;
      if (st === 'affected') affected++;
    }
    const yes = (counts.get(parent) ?? 0) >= o.minMembers && active > 0 && affected / active >= o.minShare;
    qualifies.set(parent, yes);
    return yes;
  };
  const groups = new Map<string, string[]>();
  const singles: string[] = [];
  for (const m of members) {
    // Ancestors run from the root down: the first qualifying one is the highest.
    const parent = topo.ancestors(m).find((a) => counts.has(a) && ok(a));
    if (parent === undefined) {
      singles.push(m);
      continue;
    }
    let list = groups.get(parent);
    if (!list) groups.set(parent, (list = []));
    list.push(m);
  }
  // Name each outage by the deepest parent all its members share: the highest qualifying parent
  // may hold nothing else that failed (a probe whose only failures are in one ward).
  const named = new Map<string, readonly string[]>();
  for (const list of groups.values()) {
    const at = commonParent(list, topo);
    named.set(at, [...(named.get(at) ?? []), ...list]);
  }
  return { groups: named, singles };
}

function commonParent(members: readonly string[], topo: Topology): string {
  let common = topo.ancestors(members[0]!);
  for (const m of members.slice(1)) {
    const chain = topo.ancestors(m);
    let i = 0;
    while (i < common.length && i < chain.length && common[i] === chain[i]) i++;
    if (i < common.length) common = common.slice(0, i);
  }
  return common.at(-1)!;
}
