// The monitoring model shared by every part: the tree of objects, channels with units and limits,
// the Reading a check produces, and the states a sensor can be in. Pure types and constants.

export const CLINICAL_SYSTEMS = ['HIS', 'LIMS', 'RIS', 'PACS', 'modality', 'interface-engine', 'network', 'other'] as const;
export type ClinicalSystem = (typeof CLINICAL_SYSTEMS)[number];

export const STATES = ['up', 'warning', 'down', 'paused', 'unknown'] as const;
export type State = (typeof STATES)[number];

export const PAUSE_REASONS = ['user', 'maintenance', 'dependency'] as const;
export type PauseReason = (typeof PAUSE_REASONS)[number];

export const NODE_TYPES = ['site', 'probe', 'group', 'device', 'sensor'] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export const UNITS = ['ms', 's', '%', 'count', 'bytes', 'bytes/s', 'bits/s', 'MB/s', 'days', 'bits', 'per min', 'per s', 'value', 'bool', 'dBm', '°C'] as const;
export type Unit = (typeof UNITS)[number];

/** Upper/lower warning and error limits of one channel, each with its own message. */
export interface Limits {
  readonly upperError?: number;
  readonly upperWarning?: number;
  readonly lowerWarning?: number;
  readonly lowerError?: number;
  readonly upperErrorMessage?: string;
  readonly upperWarningMessage?: string;
  readonly lowerWarningMessage?: string;
  readonly lowerErrorMessage?: string;
}

/** A channel a sensor kind produces by default. */
export interface ChannelSpec {
  /** Stable key, named with its unit (responseTimeMs, certDaysLeft). */
  readonly key: string;
  readonly name: string;
  readonly unit: Unit;
  readonly limits?: Limits;
  /** The channel shown first for this sensor (its "primary" value). */
  readonly primary?: boolean;
  readonly description?: string;
}

/** One measured value. */
export interface ChannelValue {
  readonly key: string;
  readonly value: number;
  /** Units for channels a check discovers at run time (exec perfdata, SNMP tables). */
  readonly unit?: Unit;
  readonly name?: string;
  /** Limits a check reports itself (Nagios perfdata warn/crit); configured limits win. */
  readonly limits?: Limits;
}

/** What one run of a check produced. A device being down is a Reading with an error, never a throw. */
export interface Reading {
  readonly channels: readonly ChannelValue[];
  /** Short human text: "200 OK in 12 ms", "certificate expires in 12 days". */
  readonly message?: string;
  /** Catalogue code when the check failed. */
  readonly error?: string;
  /** A check that decides its state itself (exec exit codes, lookup tables, ACK codes). */
  readonly status?: 'up' | 'warning' | 'down' | 'unknown';
  /** Phase timings in ms (dns, connect, tls, firstByte, associate, echo, release...). */
  readonly phases?: Readonly<Record<string, number>>;
}

/** A Reading as it reaches the engine and store: with its sensor and time. */
export interface TimedReading extends Reading {
  readonly sensorId: string;
  /** Epoch ms when the check started (the probe's clock). */
  readonly ts: number;
  /** How long the check took, ms. */
  readonly durationMs: number;
}

/** The tracked condition of one sensor. */
export interface SensorStatus {
  readonly state: State;
  readonly pauseReason?: PauseReason;
  /** Down and acknowledged by someone: still Down, but visibly taken care of. */
  readonly acknowledged?: { readonly by: string; readonly at: number; readonly note?: string };
  /** Consecutive failed runs (reset by a success). */
  readonly failures: number;
  /** Epoch ms of the last state change. */
  readonly since: number;
  readonly message?: string;
  readonly error?: string;
  readonly lastCheck?: number;
  readonly lastValues?: Readonly<Record<string, number>>;
}

export interface StateEvent {
  readonly sensorId: string;
  readonly ts: number;
  readonly from: State;
  readonly to: State;
  readonly pauseReason?: PauseReason;
  /** Why: the error code, the limit broken, "paused by user alice", "maintenance window X". */
  readonly reason: string;
  readonly message?: string;
}
