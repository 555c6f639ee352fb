// The options an Engine is built with: its collaborators (clock, kinds, store roles, inbox), the
// callbacks through which it reports, and its tuning knobs with their defaults.

import type { Clock } from '../core/clock.ts';
import type { SensorStatus, StateEvent, TimedReading } from '../core/model.ts';
import type { AnySensorKind, Credential, Inbox } from '../sensors/sensor.ts';
import type { StateStore, ValueWriter } from '../store/store.ts';
import type { TimedMessage } from './listeners.ts';

export interface EngineOptions {
  readonly clock: Clock;
  readonly kindOf: (kind: string) => AnySensorKind | undefined;
  readonly writer: ValueWriter;
  readonly states: StateStore;
  readonly credentialOf?: (name: string) => Credential | undefined;
  readonly inbox: Inbox;
  readonly onStateChange?: (e: StateEvent, status: SensorStatus) => void;
  readonly onReading?: (r: TimedReading) => void;
  /** What listeners record (syslog lines, traps...); also kept in engine.messages(id). */
  readonly onMessage?: (m: TimedMessage) => void;
  /** Store failures and callback errors: monitoring carries on, the caller logs. */
  readonly onError?: (err: unknown, what: string) => void;
  readonly flushIntervalMs?: number;
  readonly maxBatchRows?: number;
  /** Rows kept for retry while the store fails (default 2,000,000); the oldest beyond are dropped and counted. */
  readonly maxBufferedRows?: number;
  /** How often changed states are saved (default 10 s; always on stop). */
  readonly saveIntervalMs?: number;
  /** Sliding window of engine.stats(), seconds (default 60). */
  readonly statsWindowS?: number;
  /** Measure event-loop lag (default true). */
  readonly measureEventLoop?: boolean;
  /** Messages kept per listening sensor (default 200). */
  readonly messageRingSize?: number;
  readonly probeId?: string;
}
