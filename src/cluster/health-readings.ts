// A remote probe's `probe-health` sensors are the core's to write: only the core can say whether the
// probe is connected, and the heartbeat already carries the figures (buffer, drops, interval delay,
// checks/s, CPU, memory). Each reading is published into the probe's readings subject, so it is
// stored by the same ingest as the probe's own readings (history, rollups, live view, states);
// the message id is made from the probe's heartbeat time, so several cores publishing the same
// reading store it once (JetStream's duplicate window).

import type { Clock } from '../core/clock.ts';
import type { ChannelSpec, ChannelValue, SensorStatus, TimedReading } from '../core/model.ts';
import { applyOutcome, outcomeOf } from '../core/state.ts';
import { toStored } from '../engine/tracker.ts';
import type { ProbeHeartbeat } from './protocol.ts';
import { WIRE_VERSION, type Envelope } from './wire.ts';

/** One probe-health sensor of a remote probe, as the core's tree has it. */
export interface HealthSensor {
  readonly id: string;
  readonly specs: readonly ChannelSpec[];
  readonly intervalMs: number;
  readonly retries: number;
  /** Paused in the configuration: the core writes nothing for it. */
  readonly paused: boolean;
}

export interface HealthWriterOptions {
  readonly clock: Clock;
  readonly sensorsOf: (probe: string) => readonly HealthSensor[];
  /** The status the core last knew for a sensor (saved or reported), the start of the state machine. */
  readonly statusOf: (sensorId: string) => SensorStatus | undefined;
  /** Puts the envelope into the probe's readings subject with that message id. */
  readonly publish: (probe: string, msgId: string, env: Envelope) => Promise<void>;
  /**
   * Saved statuses, asked once for sensors this core knows nothing of yet (it learnt of the probe
   * late, another core wrote its readings): without it, it would announce Unknown → Up again.
   */
  readonly loadStatuses?: (ids: readonly string[]) => Promise<ReadonlyMap<string, SensorStatus>>;
  readonly log: (line: string) => void;
}

type Mutable<T> = { -readonly [K in keyof T]-?: NonNullable<T[K]> extends readonly (infer X)[] ? X[] : never };
type Rows = Mutable<Pick<Envelope, 'values' | 'checks' | 'events' | 'states' | 'readings'>>;

const MB = 1024 * 1024;
const mb = (b: number) => Math.round((b / MB) * 10) / 10;

/** The channels of a heartbeat; keys shared with the probe-health kind take its limits. */
export function heartbeatChannels(hb: ProbeHeartbeat): ChannelValue[] {
  const st = hb.stats;
  const out: ChannelValue[] = [
    { key: 'connected', value: 1, unit: 'bool', name: 'Connected to the core' },
    { key: 'bufferDepth', value: hb.bufferDepth, unit: 'count', name: 'Buffered messages' },
    { key: 'bufferBytes', value: hb.bufferBytes, unit: 'bytes', name: 'Buffer size' },
    { key: 'bufferDropped', value: hb.bufferDropped, unit: 'count', name: 'Dropped (buffer full, since start)' },
    { key: 'cpuPct', value: hb.cpuPct, unit: '%', name: 'CPU' },
  ];
  // stats comes from the network: only finite numbers become values.
  const add = (key: string, v: unknown) => {
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ key, value: v });
  };
  add('intervalDelayP99Ms', st.latenessMs?.p99);
  add('intervalDelayP50Ms', st.latenessMs?.p50);
  add('intervalDelayMaxMs', st.latenessMs?.max);
  add('checksPerS', st.checksPerS);
  add('queueLength', st.queueLength);
  add('inFlight', st.inFlight);
  add('skippedOverlaps', st.skippedOverlaps);
  add('eventLoopLagMs', st.eventLoopLagMs);
  if (typeof st.rssBytes === 'number' && Number.isFinite(st.rssBytes)) out.push({ key: 'memoryMB', value: mb(st.rssBytes) });
  if (typeof st.heapUsedBytes === 'number' && Number.isFinite(st.heapUsedBytes)) out.push({ key: 'heapUsedMB', value: mb(st.heapUsedBytes) });
  add('sensors', st.sensors);
  return out;
}

export class ProbeHealthWriter {
  readonly #o: HealthWriterOptions;
  /** Status this core last computed per sensor (readings may still be on their way through ingest). */
  readonly #last = new Map<string, SensorStatus>();
  /** Interval bucket of the last reading written per sensor: one reading per interval (the probe's shortest health interval). */
  readonly #bucket = new Map<string, number>();
  /** The last heartbeat per probe: the disconnected reading's message id is made from it. */
  readonly #lastBeat = new Map<string, number>();
  /** Sensors whose saved status was asked for, and probes with a question on its way. */
  readonly #asked = new Set<string>();
  readonly #asking = new Set<string>();

  constructor(opts: HealthWriterOptions) {
    this.#o = opts;
  }

  /** A heartbeat arrived (after the watch counted the probe alive): write a reading per due sensor. */
  heartbeat(probe: string, hb: ProbeHeartbeat): void {
    this.#lastBeat.set(probe, hb.at);
    const values = heartbeatChannels(hb);
    const v = (key: string) => values.find((c) => c.key === key)?.value ?? '?';
    const message = `connected, ${hb.bufferDepth} buffered, ${v('checksPerS')} checks/s, CPU ${hb.cpuPct}%, ${v('memoryMB')} MB`;
    const env: Rows = { values: [], checks: [], events: [], states: [], readings: [] };
    const sensors = this.#o.sensorsOf(probe);
    const unknown = sensors.filter((s) => !this.#asked.has(s.id) && !this.#last.has(s.id) && this.#o.statusOf(s.id) === undefined).map((s) => s.id);
    if (unknown.length > 0 && this.#o.loadStatuses) {
      // This heartbeat waits for the answer; the next one writes (within the same interval, usually).
      if (!this.#asking.has(probe)) {
        this.#asking.add(probe);
        this.#o
          .loadStatuses(unknown)
          .then((saved) => {
            for (const id of unknown) {
              this.#asked.add(id);
              const st = saved.get(id);
              if (st && !this.#last.has(id)) this.#last.set(id, st);
            }
          })
          .catch((err: unknown) => this.#o.log(`cluster: loading the saved health states of probe ${probe} failed, asking again: ${(err as Error).message}`))
          .finally(() => this.#asking.delete(probe));
      }
      return;
    }
    const minInterval = Math.min(...sensors.map((s) => s.intervalMs));
    for (const s of sensors) {
      if (s.paused) continue;
      const bucket = Math.floor(hb.at / Math.max(1, minInterval));
      if (this.#bucket.get(s.id) === bucket) continue;
      this.#bucket.set(s.id, bucket);
      const r: TimedReading = { sensorId: s.id, ts: hb.at, durationMs: 0, channels: values, message };
      const prev = this.#last.get(s.id) ?? this.#o.statusOf(s.id) ?? { state: 'unknown' as const, failures: 0, since: hb.at };
      const lastValues = Object.fromEntries(values.map((c) => [c.key, c.value]));
      const t = applyOutcome(s.id, prev, outcomeOf(r, s.specs), hb.at, s.retries, lastValues);
      this.#last.set(s.id, t.status);
      for (const c of values) env.values.push([s.id, c.key, hb.at, c.value]);
      env.checks.push([s.id, hb.at, t.status.state === 'down' ? 0 : 1]);
      if (t.event) env.events.push({ e: t.event, s: t.status });
      env.states.push(toStored(s.id, t.status));
      env.readings.push({ r, s: t.status });
    }
    // Named by interval bucket, not heartbeat: a core that started listening a beat late still sends
    // the same id for that interval, and JetStream keeps one reading per interval.
    if (env.readings.length > 0) this.#send(probe, `health:${probe}:${Math.floor(hb.at / Math.max(1, minInterval))}`, hb.at, env);
  }

  /**
   * The watch found the probe silent. The Down state and its event are the watch's (an overlay that
   * also pauses the probe's other sensors); this records the gap: connected 0 and a failed check.
   */
  disconnected(probe: string, since: number): void {
    const now = this.#o.clock.now();
    const env: Rows = { values: [], checks: [], events: [], states: [], readings: [] };
    for (const s of this.#o.sensorsOf(probe)) {
      if (s.paused) continue;
      env.values.push([s.id, 'connected', now, 0]);
      env.checks.push([s.id, now, 0]);
      env.readings.push({ r: { sensorId: s.id, ts: now, durationMs: 0, channels: [{ key: 'connected', value: 0, unit: 'bool', name: 'Connected to the core' }], error: 'PROBE_DISCONNECTED', message: `probe ${probe} disconnected since ${new Date(since).toISOString()}` } });
    }
    // Every core sees the same last heartbeat: one disconnected reading per silence, whoever noticed.
    if (env.readings.length > 0) this.#send(probe, `health-gone:${probe}:${this.#lastBeat.get(probe) ?? since}`, now, env);
  }

  #send(probe: string, msgId: string, at: number, rows: Rows): void {
    const env: Envelope = { v: WIRE_VERSION, probe, at, values: rows.values, checks: rows.checks, readings: rows.readings, ...(rows.events.length > 0 ? { events: rows.events } : {}), ...(rows.states.length > 0 ? { states: rows.states } : {}) };
    this.#o.publish(probe, msgId, env).catch((err: unknown) => this.#o.log(`cluster: recording the health of probe ${probe} failed (${msgId}): ${(err as Error).message}`));
  }
}
