// What the API needs from the rest of Wardwatch, as narrow service interfaces: the API never
// reaches into the engine's internals or the store's SQL. app.ts provides the implementations.

import type { SensorStatus } from '../core/model.ts';
import type { Tree } from '../core/tree.ts';
import type { AnySensorKind, Inbox } from '../sensors/sensor.ts';
import type { HistoryReader, MessageLog, StateStore } from '../store/store.ts';

export interface MonitorService {
  tree(): Tree;
  status(sensorId: string): SensorStatus | undefined;
  kindOf(kind: string): AnySensorKind | undefined;
  /** The probe's own health figures (checks/s, lateness...). */
  health(): Readonly<Record<string, unknown>>;
}

export interface ApiServices {
  readonly monitor: MonitorService;
  readonly history: HistoryReader;
  readonly events: Pick<StateStore, 'events'>;
  /** Syslog lines, traps and audit records, for search. */
  readonly messages: Pick<MessageLog, 'messages'>;
  readonly version: string;
  readonly clock: { now(): number };
  /** Where the push receiver hands reports to the listening push sensors (the engine's inbox). */
  readonly inbox: Inbox;
}
