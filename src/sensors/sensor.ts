// The sensor interface: a kind is a function of (settings, context) to a Reading, plus what the
// config schema, the docs and the console need to know about it. Kinds never touch the store,
// alerting or globals, and never throw because a device is down: they return a Reading with an
// error code from the catalogue (src/core/errors.ts).

import type { z } from 'zod';
import type { ChannelSpec, Reading } from '../core/model.ts';

/** Secret material resolved from a credential name by the runner; never part of settings. */
export interface Credential {
  readonly name: string;
  readonly type: string;
  readonly values: Readonly<Record<string, string>>;
}

export interface CheckContext {
  /** Aborted by the runner when the timeout expires or the engine stops. */
  readonly signal: AbortSignal;
  /** The timeout the runner enforces, ms (kinds may split it across phases). */
  readonly timeoutMs: number;
  /** Monotonic milliseconds (performance.now in production, a fake in tests). */
  readonly now: () => number;
  /** Wall-clock epoch milliseconds. */
  readonly wallNow: () => number;
  /** The credential the sensor names (inherited), if any. */
  readonly credential?: Credential;
  /** Per-sensor memory between runs (counters for rates, previous uptime). Owned by the runner. */
  readonly memory: Map<string, unknown>;
  /** Stable id of the sensor being checked (for logs and per-sensor state in receivers). */
  readonly sensorId: string;
  /** The engine's own health figures; filled by the runner for the probe-health kind, absent elsewhere (CLI). */
  readonly probe?: { stats(): ProbeStats };
}

/** The probe's own health as the engine measures it over a sliding window (PRTG's Probe Health). */
export interface ProbeStats {
  /** Checks started per second. */
  readonly checksPerS: number;
  /** How late checks started (actual start minus due time). */
  readonly latenessMs: { readonly p50: number; readonly p99: number; readonly max: number };
  /** Checks waiting for a concurrency slot or a batch. */
  readonly queueLength: number;
  readonly inFlight: number;
  /** Runs skipped in the window because the previous run of the same sensor was still going. */
  readonly skippedOverlaps: number;
  /** p99 event-loop delay, ms. */
  readonly eventLoopLagMs: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  /** Sensors configured on this probe. */
  readonly sensors: number;
}

/** Where receivers (syslog, SNMP traps, push, HL7 feeds) publish what arrives; listening kinds subscribe. */
export interface Inbox {
  /** Topics are `<receiver>:<key>`, e.g. `syslog:10.1.2.3`, `trap:10.1.2.3`, `push:<token>`. Returns an unsubscribe function. */
  subscribe(topic: string, fn: (message: unknown) => void): () => void;
  publish(topic: string, message: unknown): number;
}

/** A message worth keeping for a sensor (a syslog line, a trap, a NACKed HL7 message): stored as an event. */
export interface SensorMessage {
  readonly severity: 'info' | 'warning' | 'error';
  readonly text: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface ListenContext {
  readonly sensorId: string;
  /** The same per-sensor memory the check sees: the listener counts, the check reports. */
  readonly memory: Map<string, unknown>;
  readonly inbox: Inbox;
  readonly credential?: Credential;
  readonly now: () => number;
  readonly wallNow: () => number;
  /** Records a message as an event of the sensor; never throws. */
  record(message: SensorMessage): void;
  /** Asks the engine to run the check now (e.g. a trap rule fired). */
  checkNow(): void;
}

export interface Listener {
  /** Where it listens, for logs and the console ("mllp://127.0.0.1:2575"). */
  readonly address?: string;
  close(): Promise<void>;
}

export interface SensorKind<S extends z.ZodType = z.ZodType> {
  /** Registry key, used in YAML (`kind: tcp`), the API and the CLI (`wardwatch check tcp`). */
  readonly kind: string;
  readonly title: string;
  /** One paragraph for the docs and the console. */
  readonly description: string;
  /** Settings schema; `host` (filled from the device when absent) is part of it where it applies. */
  readonly settings: S;
  /** Default channels with units and default limits. */
  readonly channels: readonly ChannelSpec[];
  /** Most checks of this kind allowed in flight at once on one probe. */
  readonly concurrency: number;
  /** Default interval for sensors of this kind, when the tree sets none. */
  readonly defaultIntervalS?: number;
  /** Does the kind use the device's host? (false for receivers such as push or hl7-feed) */
  readonly usesHost: boolean;
  /** Channels appear at run time beyond the declared ones (plugin perfdata, message types, JSON paths). */
  readonly dynamicChannels?: boolean;
  check(settings: z.infer<S>, ctx: CheckContext): Promise<Reading>;
  /**
   * Optional: kinds that receive (hl7-feed, mqtt, push, syslog, snmp-trap) start a listener or a
   * subscription when the sensor is configured and close it when the sensor goes away; the check
   * then reads what the listener accumulated in `memory`.
   */
  listen?(settings: z.infer<S>, ctx: ListenContext): Promise<Listener>;
  /**
   * Optional: many sensors checked in one go (ping: one fping process for many targets).
   * The engine collects due checks of the kind for up to `batch.windowMs` and calls this once.
   */
  readonly batch?: {
    readonly maxSize: number;
    readonly windowMs: number;
    check(items: readonly { readonly settings: z.infer<S>; readonly ctx: CheckContext }[], signal: AbortSignal): Promise<Reading[]>;
  };
}

/** Erases the settings type for use in heterogeneous lists. */
export type AnySensorKind = SensorKind<z.ZodType>;

export function defineSensorKind<S extends z.ZodType>(kind: SensorKind<S>): SensorKind<S> {
  return kind;
}

/** Helper for kinds: a failed Reading with a catalogue code. */
export function failed(error: string, message: string, channels: Reading['channels'] = [], phases?: Reading['phases']): Reading {
  return { channels, error, message, ...(phases ? { phases } : {}) };
}
