// The state tracker: every sensor's current SensorStatus, the state-change events waiting to be
// stored, and which statuses changed since they were last saved (so that a restart resumes where
// the engine stopped without rewriting 100,000 unchanged rows every few seconds).

import type { SensorStatus, StateEvent } from '../core/model.ts';
import type { Transition } from '../core/state.ts';
import type { StoredSensorState } from '../store/store.ts';

export function toStored(sensorId: string, s: SensorStatus): StoredSensorState {
  return {
    sensorId,
    state: s.state,
    since: s.since,
    failures: s.failures,
    ...(s.pauseReason !== undefined ? { pauseReason: s.pauseReason } : {}),
    ...(s.message !== undefined ? { message: s.message } : {}),
    ...(s.error !== undefined ? { error: s.error } : {}),
    ...(s.lastCheck !== undefined ? { lastCheck: s.lastCheck } : {}),
    ...(s.acknowledged ? { acknowledgedBy: s.acknowledged.by, acknowledgedAt: s.acknowledged.at } : {}),
    ...(s.acknowledged?.note !== undefined ? { acknowledgedNote: s.acknowledged.note } : {}),
    ...(s.lastValues !== undefined ? { lastValues: s.lastValues } : {}),
  };
}

export function fromStored(s: StoredSensorState): SensorStatus {
  return {
    state: s.state,
    failures: s.failures,
    since: s.since,
    ...(s.pauseReason !== undefined ? { pauseReason: s.pauseReason } : {}),
    ...(s.message !== undefined ? { message: s.message } : {}),
    ...(s.error !== undefined ? { error: s.error } : {}),
    ...(s.lastCheck !== undefined ? { lastCheck: s.lastCheck } : {}),
    ...(s.acknowledgedBy !== undefined && s.acknowledgedAt !== undefined
      ? { acknowledged: { by: s.acknowledgedBy, at: s.acknowledgedAt, ...(s.acknowledgedNote !== undefined ? { note: s.acknowledgedNote } : {}) } }
      : {}),
    ...(s.lastValues !== undefined ? { lastValues: s.lastValues } : {}),
  };
}

/** Does the change matter enough to save soon (not just new values or a new message)? */
function significant(a: SensorStatus, b: SensorStatus): boolean {
  return a.state !== b.state || a.pauseReason !== b.pauseReason || a.failures !== b.failures || a.error !== b.error || a.acknowledged !== b.acknowledged;
}

export interface TrackerOptions {
  readonly onEvent?: (e: StateEvent, status: SensorStatus) => void;
}

export class StateTracker {
  readonly #statuses = new Map<string, SensorStatus>();
  /** Changed in a way worth saving at the next periodic save. */
  readonly #dirty = new Set<string>();
  /** Changed at all since the last save (saved on stop). */
  readonly #touched = new Set<string>();
  #events: StateEvent[] = [];
  readonly #onEvent: ((e: StateEvent, status: SensorStatus) => void) | undefined;

  constructor(opts: TrackerOptions = {}) {
    this.#onEvent = opts.onEvent;
  }

  get size(): number {
    return this.#statuses.size;
  }

  get(id: string): SensorStatus | undefined {
    return this.#statuses.get(id);
  }

  /** A live, read-only view. */
  all(): ReadonlyMap<string, SensorStatus> {
    return this.#statuses;
  }

  /** Sets a status without an event (a new sensor, or one restored from the store). */
  init(id: string, status: SensorStatus): void {
    this.#statuses.set(id, status);
  }

  remove(id: string): void {
    this.#statuses.delete(id);
    this.#dirty.delete(id);
    this.#touched.delete(id);
  }

  /** Applies a transition; returns its event if the state changed. */
  apply(id: string, t: Transition): StateEvent | undefined {
    this.set(id, t.status);
    if (t.event) {
      this.#events.push(t.event);
      this.#onEvent?.(t.event, t.status);
    }
    return t.event;
  }

  set(id: string, status: SensorStatus): void {
    const prev = this.#statuses.get(id);
    this.#statuses.set(id, status);
    this.#touched.add(id);
    if (!prev || significant(prev, status)) this.#dirty.add(id);
  }

  /** Records an event that is not a state change (an acknowledgement) for the store only. */
  note(e: StateEvent): void {
    this.#events.push(e);
  }

  takeEvents(): StateEvent[] {
    const out = this.#events;
    this.#events = [];
    return out;
  }

  /** Statuses to save: the significant changes, or on `all` every touched one. Clears what it returns. */
  takeChanged(all: boolean): StoredSensorState[] {
    const ids = all ? this.#touched : this.#dirty;
    const out: StoredSensorState[] = [];
    for (const id of ids) {
      const s = this.#statuses.get(id);
      if (s) out.push(toStored(id, s));
      if (all) this.#dirty.delete(id);
      else this.#touched.delete(id);
    }
    ids.clear();
    return out;
  }
}
