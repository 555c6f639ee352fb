// What the core knows about its remote probes between readings: each probe's last heartbeat (its
// health figures), whether it counts as connected, and the last status of every remote sensor.
// A probe whose heartbeats stop is "disconnected": its probe-health sensors turn Down with
// PROBE_DISCONNECTED (so alerting can say so) and its other sensors are paused by dependency, so that
// a site's link going away raises one alert, not one per device.

import type { Clock, TimerHandle } from '../core/clock.ts';
import { registerErrors } from '../core/errors.ts';
import type { SensorStatus, StateEvent } from '../core/model.ts';
import type { ProbeHeartbeat } from './protocol.ts';

registerErrors({
  PROBE_DISCONNECTED: { message: 'The remote probe stopped reporting: its link to the core is down or the probe is not running', http: 503 },
});

export interface ProbeHealth {
  readonly name: string;
  readonly connected: boolean;
  /** When the last heartbeat arrived (core clock). */
  readonly lastSeen?: number;
  /** Since when it counts as disconnected. */
  readonly disconnectedSince?: number;
  readonly heartbeat?: ProbeHeartbeat;
}

export interface WatchOptions {
  readonly clock: Clock;
  /** The heartbeat interval probes use; a probe is disconnected after `missed` intervals without one. */
  readonly heartbeatMs: number;
  readonly missed?: number;
  /** The sensors of a probe, and which of them are its own health sensors. */
  readonly sensorsOf: (probe: string) => { readonly sensors: Iterable<string>; readonly healthSensors: ReadonlySet<string> };
  /** State changes the core makes up for remote sensors (disconnect, reconnect), one call per probe. */
  readonly onEvents: (events: readonly { readonly e: StateEvent; readonly s: SensorStatus }[]) => void;
  /** A probe has just been found silent (once per silence), to record the gap in its health history. */
  readonly onDisconnect?: (probe: string, since: number) => void;
}

interface Entry {
  lastSeen?: number;
  heartbeat?: ProbeHeartbeat;
  connected: boolean;
  disconnectedSince?: number;
}

export class ProbeWatch {
  readonly #o: WatchOptions;
  readonly #probes = new Map<string, Entry>();
  readonly #statuses = new Map<string, SensorStatus>();
  /** Remote sensor → probe, for the overlay. */
  readonly #probeOf = new Map<string, string>();
  #timer: TimerHandle | undefined;
  #running = false;

  constructor(opts: WatchOptions) {
    this.#o = opts;
  }

  start(): void {
    this.#running = true;
    this.#arm();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#o.clock.clearTimeout(this.#timer);
  }

  /** Any sign of life: a heartbeat, a hello, a readings message. */
  alive(probe: string, heartbeat?: ProbeHeartbeat): void {
    const e = this.#entry(probe);
    e.lastSeen = this.#o.clock.now();
    if (heartbeat) e.heartbeat = heartbeat;
    if (!e.connected) this.#reconnected(probe, e);
  }

  /** The status a remote sensor reported (from readings, events or saved states). */
  report(probe: string, sensorId: string, s: SensorStatus): void {
    // Several cores commit one probe's messages in any order: a status never goes back in time.
    const had = this.#statuses.get(sensorId);
    if (had?.lastCheck !== undefined && s.lastCheck !== undefined && s.lastCheck < had.lastCheck) return;
    this.#statuses.set(sensorId, s);
    this.#probeOf.set(sensorId, probe);
  }

  forget(sensorId: string): void {
    this.#statuses.delete(sensorId);
    this.#probeOf.delete(sensorId);
  }

  /** The status the core shows: the reported one, or the overlay while the probe is disconnected. */
  statusOf(sensorId: string): SensorStatus | undefined {
    const s = this.#statuses.get(sensorId);
    const probe = this.#probeOf.get(sensorId);
    const e = probe === undefined ? undefined : this.#probes.get(probe);
    if (!e || e.connected || !probe) return s;
    return this.#overlay(probe, sensorId, s, e.disconnectedSince ?? this.#o.clock.now());
  }

  health(probe: string): ProbeHealth | undefined {
    const e = this.#probes.get(probe);
    if (!e) return undefined;
    return {
      name: probe,
      connected: e.connected,
      ...(e.lastSeen !== undefined ? { lastSeen: e.lastSeen } : {}),
      ...(e.disconnectedSince !== undefined ? { disconnectedSince: e.disconnectedSince } : {}),
      ...(e.heartbeat ? { heartbeat: e.heartbeat } : {}),
    };
  }

  names(): string[] {
    return [...this.#probes.keys()];
  }

  /** Checks every probe's last sign of life now (the timer does this every heartbeat interval). */
  sweep(): void {
    const now = this.#o.clock.now();
    const limit = this.#o.heartbeatMs * (this.#o.missed ?? 3);
    for (const [probe, e] of this.#probes) {
      if (e.connected && (e.lastSeen === undefined || now - e.lastSeen > limit)) this.#disconnected(probe, e, now);
    }
  }

  #entry(probe: string): Entry {
    let e = this.#probes.get(probe);
    if (!e) {
      e = { connected: false };
      this.#probes.set(probe, e);
      // First sight: nothing to announce, the sensors have no status on the core yet.
      e.connected = true;
    }
    return e;
  }

  #disconnected(probe: string, e: Entry, now: number): void {
    e.connected = false;
    e.disconnectedSince = now;
    const { sensors } = this.#o.sensorsOf(probe);
    const out: { e: StateEvent; s: SensorStatus }[] = [];
    for (const id of sensors) {
      const prev = this.#statuses.get(id);
      const next = this.#overlay(probe, id, prev, now);
      if (prev?.state === next.state && prev.pauseReason === next.pauseReason) continue;
      out.push({
        e: { sensorId: id, ts: now, from: prev?.state ?? 'unknown', to: next.state, ...(next.pauseReason ? { pauseReason: next.pauseReason } : {}), reason: `probe ${probe} disconnected`, message: next.message! },
        s: next,
      });
    }
    if (out.length > 0) this.#o.onEvents(out);
    this.#o.onDisconnect?.(probe, now);
  }

  #reconnected(probe: string, e: Entry): void {
    const since = e.disconnectedSince ?? this.#o.clock.now();
    e.connected = true;
    delete e.disconnectedSince;
    const now = this.#o.clock.now();
    const out: { e: StateEvent; s: SensorStatus }[] = [];
    for (const id of this.#o.sensorsOf(probe).sensors) {
      const was = this.#overlay(probe, id, this.#statuses.get(id), since);
      const s = this.#statuses.get(id) ?? { state: 'unknown' as const, failures: 0, since: now };
      if (s.state === was.state && s.pauseReason === was.pauseReason) continue;
      out.push({ e: { sensorId: id, ts: now, from: was.state, to: s.state, ...(s.pauseReason ? { pauseReason: s.pauseReason } : {}), reason: `probe ${probe} reconnected` }, s });
    }
    if (out.length > 0) this.#o.onEvents(out);
  }

  #overlay(probe: string, sensorId: string, s: SensorStatus | undefined, since: number): SensorStatus {
    const message = `probe ${probe} disconnected since ${new Date(since).toISOString()}`;
    // sensorsOf is cached by the core per tree, so this is a lookup, not a walk.
    const base = { failures: s?.failures ?? 0, since, message, ...(s?.lastCheck !== undefined ? { lastCheck: s.lastCheck } : {}), ...(s?.lastValues ? { lastValues: s.lastValues } : {}) };
    if (this.#o.sensorsOf(probe).healthSensors.has(sensorId)) return { ...base, state: 'down', error: 'PROBE_DISCONNECTED' };
    return { ...base, state: 'paused', pauseReason: 'dependency' };
  }

  #arm(): void {
    if (!this.#running) return;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.sweep();
      this.#arm();
    }, this.#o.heartbeatMs);
  }
}
