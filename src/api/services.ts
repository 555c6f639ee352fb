// What the API needs from the rest of Wardwatch, as narrow service interfaces: the API never
// reaches into the engine's internals or the store's SQL. app.ts provides the implementations.

import type { Delivery } from '../alerting/delivery/index.ts';
import type { AlertChangeKind, AlertingService, AlertSummary } from '../alerting/service.ts';
import type { Clock } from '../core/clock.ts';
import type { SensorStatus, StateEvent, TimedReading } from '../core/model.ts';
import type { Tree } from '../core/tree.ts';
import type { ConfigService } from '../config/edit/service.ts';
import type { AnySensorKind, Inbox } from '../sensors/sensor.ts';
import type { PauseStore } from '../store/pauses.ts';
import type { HistoryReader, MessageLog, StateStore } from '../store/store.ts';
import type { AuthServices } from './auth/index.ts';

export interface MonitorService {
  tree(): Tree;
  status(sensorId: string): SensorStatus | undefined;
  /** Every sensor's status (a live read-only view). */
  statuses(): ReadonlyMap<string, SensorStatus>;
  kindOf(kind: string): AnySensorKind | undefined;
  /** The probe's own health figures (checks/s, lateness...). */
  health(): Readonly<Record<string, unknown>>;
  /** Runs a sensor's check as soon as a slot is free; false when paused, running or unknown. */
  checkNow(sensorId: string): boolean;
  /** Acknowledges a Down sensor; undefined when it is not Down. */
  acknowledge(sensorId: string, by: string, note?: string): SensorStatus | undefined;
}

/** What the live stream is fed with (app.ts wires the engine's onStateChange/onReading and alerting's onChange into it). */
export type LiveEvent =
  | { readonly type: 'state'; readonly event: StateEvent; readonly status: SensorStatus }
  | { readonly type: 'reading'; readonly reading: TimedReading }
  | { readonly type: 'alert'; readonly change: AlertChangeKind; readonly alert: AlertSummary };

export interface LiveSource {
  /** Returns the unsubscribe function. */
  subscribe(fn: (e: LiveEvent) => void): () => void;
}

/** A LiveSource the composition root publishes into. */
export class LiveHub implements LiveSource {
  readonly #subs = new Set<(e: LiveEvent) => void>();
  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.#subs.add(fn);
    return () => this.#subs.delete(fn);
  }
  publish(e: LiveEvent): void {
    // One failing subscriber (a broken socket) must not keep the others from their update.
    for (const fn of this.#subs) {
      try {
        fn(e);
      } catch {
        this.#subs.delete(fn);
      }
    }
  }
  get subscribers(): number {
    return this.#subs.size;
  }
}

export interface ApiServices {
  readonly monitor: MonitorService;
  readonly history: HistoryReader;
  readonly events: Pick<StateStore, 'events'>;
  /** Syslog lines, traps and audit records, for search. */
  readonly messages: Pick<MessageLog, 'messages'>;
  readonly version: string;
  readonly clock: Clock;
  /** Where the push receiver hands reports to the listening push sensors (the engine's inbox). */
  readonly inbox: Inbox;
  /** The running configuration: edits, export and import. */
  readonly config: ConfigService;
  /** Users, sessions, tokens and the audit trail; every /api route except the public ones needs them. */
  readonly auth: AuthServices;
  readonly live: LiveSource;
  /** Alerts and their acknowledgement; absent while alerting is not configured. */
  readonly alerting?: AlertingService;
  /** The durable delivery queue's notifications and their attempts; absent while delivery is not running. */
  readonly notifications?: Pick<Delivery, 'list' | 'get' | 'counts'>;
  /** Timed pauses kept across restarts (re-armed when the API starts); without it they last until the process ends. */
  readonly pauses?: PauseStore;
}
