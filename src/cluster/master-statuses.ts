// The probe's side of dependencies across the core/probe boundary: the statuses the core sent of
// masters run elsewhere, for the probe's engine. Kept while the link is down, but a status older
// than maxAgeMs counts as unknown (not Down), so a stale Down never suppresses alerts for ever.

import type { Clock, TimerHandle } from '../core/clock.ts';
import type { ExternalStatus } from '../engine/engine.ts';
import type { MasterStatus } from './protocol.ts';

export interface MasterStatusesOptions {
  readonly clock: Clock;
  /** Age (probe clock, from receipt) beyond which a master's status is unknown. */
  readonly maxAgeMs: number;
  /** A master's status as the engine sees it changed (news, or aged out): re-decide its dependents. */
  readonly onChanged: (id: string) => void;
  /** Statuses that just aged out (for the log: the link to the core is gone). */
  readonly onAged?: (ids: readonly string[]) => void;
}

interface Entry {
  readonly status: ExternalStatus;
  readonly at: number;
  /** Aged out and announced as such. */
  expired: boolean;
}

export class MasterStatuses {
  readonly #o: MasterStatusesOptions;
  readonly #entries = new Map<string, Entry>();
  #timer: TimerHandle | undefined;
  #timerAt: number | undefined;
  #stopped = false;

  constructor(opts: MasterStatusesOptions) {
    this.#o = opts;
  }

  /** The master's status, or undefined when never heard of or older than maxAgeMs. */
  statusOf(id: string): ExternalStatus | undefined {
    const e = this.#entries.get(id);
    if (!e || this.#o.clock.now() - e.at >= this.#o.maxAgeMs) return undefined;
    return e.status;
  }

  /** Takes statuses from the core; tells onChanged about each that the engine sees differently now. */
  receive(masters: readonly MasterStatus[]): void {
    if (this.#stopped) return;
    const now = this.#o.clock.now();
    const changed: string[] = [];
    for (const m of masters) {
      const prev = this.#entries.get(m.id);
      const status: ExternalStatus = { state: m.state, ...(m.pauseReason !== undefined ? { pauseReason: m.pauseReason } : {}), ...(m.pausedBy !== undefined ? { pausedBy: m.pausedBy } : {}) };
      this.#entries.set(m.id, { status, at: now, expired: false });
      if (!prev || prev.expired || !same(prev.status, status)) changed.push(m.id);
    }
    this.#arm();
    for (const id of changed) this.#o.onChanged(id);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Arms one timer for the earliest expiry still to come. */
  #arm(): void {
    let next: number | undefined;
    for (const e of this.#entries.values()) if (!e.expired && (next === undefined || e.at + this.#o.maxAgeMs < next)) next = e.at + this.#o.maxAgeMs;
    if (next === this.#timerAt) return;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerAt = next;
    if (next === undefined || this.#stopped) return;
    this.#timer = this.#o.clock.setTimeout(() => this.#expire(), Math.max(0, next - this.#o.clock.now()));
  }

  #expire(): void {
    this.#timer = undefined;
    this.#timerAt = undefined;
    const now = this.#o.clock.now();
    const aged: string[] = [];
    for (const [id, e] of this.#entries) {
      if (e.expired || now - e.at < this.#o.maxAgeMs) continue;
      e.expired = true;
      aged.push(id);
    }
    this.#arm();
    if (aged.length > 0) this.#o.onAged?.(aged);
    for (const id of aged) this.#o.onChanged(id);
  }
}

function same(a: ExternalStatus, b: ExternalStatus): boolean {
  return a.state === b.state && a.pauseReason === b.pauseReason && a.pausedBy === b.pausedBy;
}
