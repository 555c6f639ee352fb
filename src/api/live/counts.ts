// Aggregated state counts per subtree and per clinical system, kept up to date from the live state
// changes (O(depth) per change) so that the overview and the tree answer at 100,000 sensors without
// walking the tree per request. Rebuilt from the engine's statuses when the tree changes, and at
// least every REBUILD_MS in case a status changed without an event.

import { STATES, type ClinicalSystem, type SensorStatus, type State } from '../../core/model.ts';
import type { Tree } from '../../core/tree.ts';
import type { LiveSource, MonitorService } from '../services.ts';

export type StateCounts = Record<State, number> & { acknowledged: number; total: number };

export const REBUILD_MS = 30_000;

export function zeroCounts(): StateCounts {
  return { up: 0, warning: 0, down: 0, paused: 0, unknown: 0, acknowledged: 0, total: 0 };
}

export function addCounts(into: StateCounts, c: Readonly<StateCounts>, sign = 1): void {
  for (const s of STATES) into[s] += sign * c[s];
  into.acknowledged += sign * c.acknowledged;
  into.total += sign * c.total;
}

interface SensorMark {
  readonly state: State;
  readonly acked: boolean;
}

function markOf(st: SensorStatus | undefined): SensorMark {
  return { state: st?.state ?? 'unknown', acked: st?.acknowledged !== undefined };
}

export class StateIndex {
  readonly #monitor: MonitorService;
  readonly #now: () => number;
  #tree: Tree | undefined;
  #builtAt = 0;
  readonly #counts = new Map<string, StateCounts>();
  readonly #marks = new Map<string, SensorMark>();
  readonly #systemOf = new Map<string, ClinicalSystem>();
  readonly #bySystem = new Map<ClinicalSystem, StateCounts>();
  /** Sensors per state right now, in tree order as of the last rebuild (search by state, Down now). */
  readonly #byState = new Map<State, Set<string>>(STATES.map((st) => [st, new Set<string>()]));

  constructor(monitor: MonitorService, live: LiveSource, now: () => number) {
    this.#monitor = monitor;
    this.#now = now;
    live.subscribe((e) => {
      if (e.type === 'state' && this.#tree === monitor.tree()) this.#update(e.event.sensorId, markOf(e.status));
    });
  }

  /** The tree the counts belong to (rebuilding first when it changed or is due). */
  tree(): Tree {
    const tree = this.#monitor.tree();
    if (tree !== this.#tree || this.#now() - this.#builtAt >= REBUILD_MS) this.#rebuild(tree);
    return tree;
  }

  counts(nodeId: string): Readonly<StateCounts> {
    this.tree();
    return this.#counts.get(nodeId) ?? zeroCounts();
  }

  bySystem(): ReadonlyMap<ClinicalSystem, Readonly<StateCounts>> {
    this.tree();
    return this.#bySystem;
  }

  systemOf(sensorId: string): ClinicalSystem | undefined {
    this.tree();
    return this.#systemOf.get(sensorId);
  }

  downNow(): readonly string[] {
    return [...this.inState('down')];
  }

  /** The sensors in a state right now. */
  inState(state: State): ReadonlySet<string> {
    this.tree();
    return this.#byState.get(state)!;
  }

  #rebuild(tree: Tree): void {
    this.#tree = tree;
    this.#builtAt = this.#now();
    this.#counts.clear();
    this.#marks.clear();
    this.#systemOf.clear();
    this.#bySystem.clear();
    for (const set of this.#byState.values()) set.clear();
    for (const id of tree.nodes.keys()) this.#counts.set(id, zeroCounts());
    for (const n of tree.nodes.values()) {
      if (n.type !== 'sensor') continue;
      let system: ClinicalSystem | undefined;
      for (let p = n.parentId === undefined ? undefined : tree.nodes.get(n.parentId); p; p = p.parentId === undefined ? undefined : tree.nodes.get(p.parentId)) {
        if (p.type === 'group') {
          system = p.system;
          break;
        }
      }
      if (system !== undefined) this.#systemOf.set(n.id, system);
      this.#apply(n.id, markOf(this.#monitor.status(n.id)), 1);
    }
  }

  #update(sensorId: string, next: SensorMark): void {
    const prev = this.#marks.get(sensorId);
    if (!prev) return;
    if (prev.state === next.state && prev.acked === next.acked) return;
    this.#apply(sensorId, prev, -1);
    this.#apply(sensorId, next, 1);
  }

  #apply(sensorId: string, m: SensorMark, sign: 1 | -1): void {
    const tree = this.#tree!;
    const bump = (c: StateCounts) => {
      c[m.state] += sign;
      c.total += sign;
      if (m.acked) c.acknowledged += sign;
    };
    for (let id: string | undefined = sensorId; id !== undefined; id = tree.nodes.get(id)?.parentId) {
      const c = this.#counts.get(id);
      if (c) bump(c);
    }
    const system = this.#systemOf.get(sensorId);
    if (system !== undefined) {
      let c = this.#bySystem.get(system);
      if (!c) this.#bySystem.set(system, (c = zeroCounts()));
      bump(c);
    }
    if (sign === 1) {
      this.#marks.set(sensorId, m);
      this.#byState.get(m.state)!.add(sensorId);
    } else this.#byState.get(m.state)!.delete(sensorId);
  }
}
