// The store, split by role: the engine writes values and states, the API queries history and
// events, the config service keeps the running configuration. SQLite (embedded default) and
// PostgreSQL implement the same roles and pass the same contract suite (testing/contract.ts).

import type { PauseReason, State, StateEvent } from '../core/model.ts';

/** Resolutions history is kept at. 'raw' is every reading. */
export const RESOLUTIONS = ['raw', '1m', '1h', '1d'] as const;
export type Resolution = (typeof RESOLUTIONS)[number];

export const RESOLUTION_MS: Readonly<Record<Resolution, number>> = { raw: 0, '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };

/** Retention per resolution in days; null keeps forever. */
export type Retention = Readonly<Record<Resolution, number | null>>;
export const DEFAULT_RETENTION: Retention = { raw: 7, '1m': 30, '1h': 730, '1d': null };

/** One channel value of one sensor at one time. */
export interface ValueRow {
  readonly sensorId: string;
  readonly channel: string;
  readonly ts: number;
  readonly value: number;
}

/** One check's outcome for availability rollups: did the sensor count as up at that time? */
export interface CheckRow {
  readonly sensorId: string;
  readonly ts: number;
  /** true when the reading was Up or Warning; paused sensors write no CheckRow. */
  readonly ok: boolean;
}

export interface ValueWriter {
  /** Writes a batch atomically (one transaction) and updates every rollup it touches. Late rows are fine. */
  writeBatch(values: readonly ValueRow[], checks: readonly CheckRow[]): Promise<void>;
}

export interface HistoryPoint {
  readonly ts: number;
  readonly min: number;
  readonly avg: number;
  readonly max: number;
  readonly count: number;
}

export interface HistoryQuery {
  readonly sensorId: string;
  readonly channel: string;
  readonly from: number;
  readonly to: number;
  /** Most points wanted; the store picks the finest resolution that fits (and is retained). */
  readonly maxPoints?: number;
  /** Force a resolution. */
  readonly resolution?: Resolution;
}

export interface HistoryResult {
  readonly resolution: Resolution;
  readonly points: readonly HistoryPoint[];
}

export interface AvailabilityResult {
  readonly resolution: Resolution;
  /** Share of checks that were OK, 0..1; null when there was no check in the range. */
  readonly availability: number | null;
  readonly checks: number;
}

export interface HistoryReader {
  history(q: HistoryQuery): Promise<HistoryResult>;
  availability(sensorId: string, from: number, to: number): Promise<AvailabilityResult>;
  /** The channels that have history for a sensor. */
  channelsOf(sensorId: string): Promise<string[]>;
}

/** Persisted tracked state of one sensor, so that a restart resumes where it stopped. */
export interface StoredSensorState {
  readonly sensorId: string;
  readonly state: State;
  readonly pauseReason?: PauseReason;
  readonly since: number;
  readonly failures: number;
  readonly message?: string;
  readonly error?: string;
  readonly lastCheck?: number;
  readonly acknowledgedBy?: string;
  readonly acknowledgedAt?: number;
  readonly acknowledgedNote?: string;
  readonly lastValues?: Readonly<Record<string, number>>;
}

export interface EventQuery {
  readonly sensorId?: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
  /** Events older than this id (paging backwards). */
  readonly beforeId?: number;
}

export interface StoredEvent extends StateEvent {
  readonly id: number;
}

export interface SaveStatesOptions {
  /**
   * Keep a stored state whose last check is newer than the one given (states arriving out of order:
   * remote probes' readings committed by several cores). The engine's own saves, always in order,
   * do not ask for it, so that a corrected clock can never freeze a sensor's stored state.
   */
  readonly keepNewer?: boolean;
}

export interface StateStore {
  saveStates(states: readonly StoredSensorState[], options?: SaveStatesOptions): Promise<void>;
  loadStates(): Promise<StoredSensorState[]>;
  appendEvents(events: readonly StateEvent[]): Promise<void>;
  events(q: EventQuery): Promise<StoredEvent[]>;
}

export interface ConfigVersion {
  readonly version: number;
  readonly savedAt: number;
  readonly source: string;
  /** The validated configuration document, as JSON-compatible data. */
  readonly document: unknown;
}

export interface ConfigStore {
  /** Keeps every accepted configuration; returns the new version number. */
  saveConfig(document: unknown, source: string, at: number): Promise<number>;
  latestConfig(): Promise<ConfigVersion | undefined>;
}

export interface Maintenance {
  /** Deletes what is past retention at each resolution; returns the rows removed. */
  applyRetention(now: number, retention?: Retention): Promise<number>;
}

/** A message that arrived on its own (syslog line, SNMP trap, ATNA audit record), kept searchable. */
export interface ReceivedMessage {
  /** Which receiver: 'syslog', 'snmp-trap', ... */
  readonly receiver: string;
  readonly ts: number;
  /** Sender address as seen on the wire. */
  readonly source: string;
  /** Device the sender maps to; absent for unknown senders (recorded, never dropped). */
  readonly deviceId?: string;
  readonly severity: 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical';
  /** One-line text for lists and search ("link down on port 12", the syslog MSG). */
  readonly text: string;
  /** Structured fields: facility, app, hostname, msgid, structured data, trap OID, varbinds... */
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface StoredMessage extends ReceivedMessage {
  readonly id: number;
}

export interface MessageQuery {
  readonly receiver?: string;
  readonly deviceId?: string;
  readonly source?: string;
  /** Case-insensitive substring over the text (and the data as JSON). */
  readonly text?: string;
  readonly from?: number;
  readonly to?: number;
  readonly limit?: number;
  readonly beforeId?: number;
}

export interface MessageLog {
  appendMessages(messages: readonly ReceivedMessage[]): Promise<void>;
  /** Newest first. */
  messages(q: MessageQuery): Promise<StoredMessage[]>;
}

/** Everything a store is; parts of the program receive only the roles they need. */
export interface Store extends ValueWriter, HistoryReader, StateStore, ConfigStore, Maintenance, MessageLog {
  readonly dialect: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

/** Picks the finest retained resolution whose number of buckets over the range fits maxPoints. */
export function pickResolution(from: number, to: number, maxPoints: number, now: number, retention: Retention = DEFAULT_RETENTION): Resolution {
  const span = Math.max(1, to - from);
  for (const r of RESOLUTIONS) {
    const keptDays = retention[r];
    if (keptDays !== null && from < now - keptDays * 86_400_000) continue;
    if (r === 'raw') {
      // Raw points come at the check interval; assume one a minute at most for sizing.
      if (span / 60_000 <= maxPoints) return r;
      continue;
    }
    if (span / RESOLUTION_MS[r] <= maxPoints) return r;
  }
  return '1d';
}
