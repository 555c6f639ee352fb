// Which pause applies to each sensor right now, by priority: the user's (settings.paused), then an
// active maintenance window (in the window's or the site's time zone), then a Down master
// (dependency, transitive). The engine applies the decisions; this module only decides.
// A master run elsewhere (on the core or another probe) is an "external" one: its status comes from
// outside, and a missing one counts as not Down, so that missing news never suppresses an alert.

import { dependencyRoot, type DependencyView, type MasterCondition } from '../core/dependencies.ts';
import { activeWindow, nextBoundary } from '../core/maintenance.ts';
import type { PauseReason, SensorStatus, State } from '../core/model.ts';
import { pauseFor } from '../core/state.ts';
import type { EffectiveSettings, MaintenanceWindow } from '../core/tree.ts';

export interface Pause {
  readonly reason: PauseReason;
  readonly detail: string;
}

export interface PauseDecision {
  readonly id: string;
  /** null: not paused. */
  readonly pause: Pause | null;
}

/** What an engine is told of a sensor it does not run (a SensorStatus fits). */
export interface ExternalStatus {
  readonly state: State;
  readonly pauseReason?: PauseReason;
  /** When paused by dependency: the Down sensor at the top of its chain, which then pauses dependents here too. */
  readonly pausedBy?: string;
}

export interface PauseSources {
  settingsOf(id: string): EffectiveSettings | undefined;
  statusOf(id: string): SensorStatus | undefined;
  /** Statuses of masters not run here; asked only for ids that have no local settings (local ones win). */
  externalOf?(id: string): ExternalStatus | undefined;
}

export class PausePlanner {
  readonly #src: PauseSources;
  #windows: ReadonlyMap<string, MaintenanceWindow> = new Map();
  /** The user/maintenance pause of each sensor, as of the last full evaluation. */
  readonly #high = new Map<string, Pause>();
  /** master → its direct dependents. */
  #dependents = new Map<string, string[]>();
  /** Masters named by sensors here that are not run here. */
  #external: string[] = [];

  constructor(src: PauseSources) {
    this.#src = src;
  }

  /** Takes a new tree's windows and dependency edges. */
  setTree(windows: ReadonlyMap<string, MaintenanceWindow>, sensorIds: Iterable<string>): void {
    this.#windows = windows;
    const deps = new Map<string, string[]>();
    for (const id of sensorIds) {
      const m = this.#src.settingsOf(id)?.dependsOn;
      if (m === undefined) continue;
      const list = deps.get(m);
      if (list) list.push(id);
      else deps.set(m, [id]);
    }
    this.#dependents = deps;
    this.#external = [...deps.keys()].filter((m) => this.#src.settingsOf(m) === undefined);
  }

  forget(id: string): void {
    this.#high.delete(id);
  }

  hasDependents(id: string): boolean {
    return this.#dependents.has(id);
  }

  /** Every sensor whose dependency pause may follow from `id`'s state (breadth first, cycle-safe). */
  dependentsOf(id: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>([id]);
    const queue = [id];
    for (let i = 0; i < queue.length; i++) {
      for (const d of this.#dependents.get(queue[i]!) ?? []) {
        if (seen.has(d)) continue;
        seen.add(d);
        out.push(d);
        queue.push(d);
      }
    }
    return out;
  }

  /** Every sensor whose dependency pause may follow from a master not run here. */
  externalDependents(): string[] {
    const out = new Set<string>();
    for (const m of this.#external) for (const d of this.dependentsOf(m)) out.add(d);
    return [...out];
  }

  /** Recomputes the user and maintenance pauses of the given sensors at `now`. */
  refreshHigh(ids: Iterable<string>, now: number): void {
    // Sensors of one site share windows and zone: decide each (window, zone) once per pass.
    const memo = new Map<string, boolean>();
    for (const id of ids) {
      const s = this.#src.settingsOf(id);
      if (!s) continue;
      let window: string | undefined;
      for (const name of s.maintenance) {
        const key = `${s.timezone}\u0000${name}`;
        let active = memo.get(key);
        if (active === undefined) {
          active = activeWindow(this.#windows, [name], now, s.timezone) !== undefined;
          memo.set(key, active);
        }
        if (active) {
          window = name;
          break;
        }
      }
      const p = pauseFor(s.paused, window, undefined);
      if (p) this.#high.set(id, p);
      else this.#high.delete(id);
    }
  }

  /** The pause each of `ids` should be in, given current states and the last refreshHigh. */
  decide(ids: Iterable<string>): PauseDecision[] {
    const view: DependencyView = {
      dependsOn: (id) => this.#src.settingsOf(id)?.dependsOn,
      condition: (id) => {
        if (this.#high.has(id)) return 'paused';
        const st = this.#src.statusOf(id);
        if (st) return st.state === 'down' ? 'down' : 'other';
        return this.#src.settingsOf(id) === undefined ? externalCondition(this.#src.externalOf?.(id)) : undefined;
      },
    };
    const memo = new Map<string, string | null>();
    const out: PauseDecision[] = [];
    for (const id of ids) {
      const high = this.#high.get(id);
      if (high) {
        out.push({ id, pause: high });
        continue;
      }
      const root = dependencyRoot(id, view, memo);
      out.push({ id, pause: root === undefined ? null : pauseFor(false, undefined, this.#downName(root)) });
    }
    return out;
  }

  /** The Down sensor to name for a root: an external master paused by dependency names its own root. */
  #downName(root: string): string {
    if (this.#src.statusOf(root) || this.#src.settingsOf(root) !== undefined) return root;
    const ext = this.#src.externalOf?.(root);
    return ext?.state === 'paused' && ext.pauseReason === 'dependency' && ext.pausedBy !== undefined ? ext.pausedBy : root;
  }

  /** The next instant a window used by any of `ids` starts or ends. */
  nextBoundary(ids: Iterable<string>, now: number): number | undefined {
    const pairs = new Map<string, { zone: string; name: string }>();
    for (const id of ids) {
      const s = this.#src.settingsOf(id);
      for (const name of s?.maintenance ?? []) pairs.set(`${s!.timezone}\u0000${name}`, { zone: s!.timezone, name });
    }
    let next: number | undefined;
    for (const { zone, name } of pairs.values()) {
      const b = nextBoundary(this.#windows, [name], now, zone);
      if (b !== undefined && (next === undefined || b < next)) next = b;
    }
    return next;
  }
}

/**
 * An external master's condition for its dependents here. One paused by dependency with a known
 * root passes the pause on, as a local master would (named by #downName); unknown is never Down.
 */
function externalCondition(ext: ExternalStatus | undefined): MasterCondition | undefined {
  if (!ext) return undefined;
  if (ext.state === 'down') return 'down';
  if (ext.state !== 'paused') return 'other';
  if (ext.pauseReason === 'dependency') return ext.pausedBy !== undefined ? 'down' : 'other';
  return 'paused';
}
