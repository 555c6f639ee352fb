// The core's side of dependencies across the core/probe boundary. Every engine only runs part of
// the tree, so the core tells each approved probe the statuses of the masters its sensors name that
// run elsewhere (on the core or another probe), and resolves the same for the core's own engine.
// A probe learns only the masters its own sensors name; statuses are resent every refresh interval
// so that the probe's copies age out only when the link is really gone (see master-statuses.ts).

import type { Clock, TimerHandle } from '../core/clock.ts';
import { dependencyRoot, type DependencyView } from '../core/dependencies.ts';
import type { SensorStatus } from '../core/model.ts';
import type { Tree } from '../core/tree.ts';
import type { ExternalStatus } from '../engine/engine.ts';
import type { MastersMessage, MasterStatus } from './protocol.ts';

/** Masters per message: a probe naming thousands of them still gets messages well below max_payload. */
const MASTERS_PER_MESSAGE = 500;

export interface MasterFeedOptions {
  readonly clock: Clock;
  readonly tree: () => Tree;
  /** The approved probes. */
  readonly probes: () => Iterable<string>;
  /** The sensors a probe's own engine runs (not the health sensors the core writes for it). */
  readonly runs: (probe: string) => ReadonlySet<string>;
  /** Any sensor's status as its dependents should take it; undefined when unknown (never Down). */
  readonly statusOf: (id: string) => SensorStatus | undefined;
  readonly send: (probe: string, m: MastersMessage) => void;
  /** How often every probe is sent all its masters again (the core's heartbeat interval). */
  readonly refreshMs: number;
}

export class MasterFeed {
  readonly #o: MasterFeedOptions;
  #tree: Tree | undefined;
  /** Effective dependsOn of every sensor of the tree (inherited, as resolveSettings gives it). */
  #dependsOn = new Map<string, string>();
  /** probe → the masters its sensors name that it does not run. */
  #masters = new Map<string, ReadonlySet<string>>();
  /** Changes waiting for the end of the current tick, so that a burst goes out as one message per probe. */
  readonly #pending = new Set<string>();
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(opts: MasterFeedOptions) {
    this.#o = opts;
  }

  /** Starts the periodic resend (changes and sendAll work from construction until stop). */
  start(): void {
    if (this.#timer === undefined) this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The masters outside a probe's subtree that its sensors name. */
  mastersOf(probe: string): ReadonlySet<string> {
    this.#sync();
    let set = this.#masters.get(probe);
    if (!set) {
      const runs = this.#o.runs(probe);
      const out = new Set<string>();
      for (const id of runs) {
        const m = this.#dependsOn.get(id);
        if (m !== undefined && !runs.has(m)) out.add(m);
      }
      set = out;
      this.#masters.set(probe, set);
    }
    return set;
  }

  /**
   * What the dependents of `id` take as its status. A master paused by dependency carries the Down
   * sensor at the top of its chain (resolved over the whole tree), so that the pause passes on.
   */
  resolve(id: string): ExternalStatus | undefined {
    const st = this.#o.statusOf(id);
    if (!st) return undefined;
    if (st.state !== 'paused' || st.pauseReason !== 'dependency') return { state: st.state, ...(st.pauseReason !== undefined ? { pauseReason: st.pauseReason } : {}) };
    this.#sync();
    const view: DependencyView = {
      dependsOn: (x) => this.#dependsOn.get(x),
      condition: (x) => {
        const s = this.#o.statusOf(x);
        if (!s) return undefined;
        if (s.state === 'paused' && s.pauseReason !== 'dependency') return 'paused';
        return s.state === 'down' ? 'down' : 'other';
      },
    };
    const root = dependencyRoot(id, view);
    return { state: 'paused', pauseReason: 'dependency', ...(root !== undefined ? { pausedBy: root } : {}) };
  }

  /** A sensor's state changed (on the core or a probe): the probes whose sensors name it hear of it. */
  changed(id: string): void {
    if (this.#stopped) return;
    if (this.#pending.size === 0) queueMicrotask(() => this.#flush());
    this.#pending.add(id);
  }

  /** Sends a probe all its masters (approval, configuration, reconnection, refresh). */
  sendAll(probe: string): void {
    if (this.#stopped) return;
    const ids = [...this.mastersOf(probe)];
    for (let i = 0; i < ids.length; i += MASTERS_PER_MESSAGE) this.#send(probe, ids.slice(i, i + MASTERS_PER_MESSAGE));
  }

  #flush(): void {
    const ids = [...this.#pending];
    this.#pending.clear();
    if (this.#stopped) return;
    for (const probe of this.#o.probes()) {
      const masters = this.mastersOf(probe);
      const mine = ids.filter((id) => masters.has(id));
      for (let i = 0; i < mine.length; i += MASTERS_PER_MESSAGE) this.#send(probe, mine.slice(i, i + MASTERS_PER_MESSAGE));
    }
  }

  #send(probe: string, ids: readonly string[]): void {
    if (ids.length === 0) return;
    const masters = ids.map((id): MasterStatus => ({ id, ...(this.resolve(id) ?? { state: 'unknown' }) }));
    this.#o.send(probe, { type: 'masters', at: this.#o.clock.now(), masters });
  }

  #arm(): void {
    if (this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      for (const p of this.#o.probes()) this.sendAll(p);
      this.#arm();
    }, this.#o.refreshMs);
  }

  #sync(): void {
    const tree = this.#o.tree();
    if (tree === this.#tree) return;
    this.#tree = tree;
    this.#dependsOn = effectiveDependsOn(tree);
    this.#masters = new Map();
  }
}

/** Every sensor's inherited dependsOn in one walk of the tree (a sensor never depends on itself). */
export function effectiveDependsOn(tree: Tree): Map<string, string> {
  const out = new Map<string, string>();
  const stack: { id: string; inherited: string | undefined }[] = tree.roots.map((id) => ({ id, inherited: tree.defaults.dependsOn }));
  while (stack.length > 0) {
    const { id, inherited } = stack.pop()!;
    const n = tree.nodes.get(id);
    if (!n) continue;
    const dependsOn = n.settings.dependsOn ?? inherited;
    if (n.type === 'sensor' && dependsOn !== undefined && dependsOn !== id) out.set(id, dependsOn);
    for (const c of n.children) stack.push({ id: c, inherited: dependsOn });
  }
  return out;
}
