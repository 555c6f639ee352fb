// The probe engine's "store": instead of a database it appends what the engine hands over (values,
// availability rows, state events with their status, changed states) plus the readings of the last
// flush to the on-disk FileQueue, from where the sender delivers them to JetStream. The engine's
// own states are also kept in a local file, so that a probe restarted without its core resumes.

import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../core/clock.ts';
import type { SensorStatus, StateEvent, TimedReading } from '../core/model.ts';
import type { CheckRow, EventQuery, MessageLog, MessageQuery, ReceivedMessage, StateStore, StoredEvent, StoredMessage, StoredSensorState, ValueRow, ValueWriter } from '../store/store.ts';
import type { FileQueue } from './file-queue.ts';
import { splitEnvelope, WIRE_VERSION, type CheckTuple, type Envelope, type ValueTuple } from './wire.ts';

export interface OutboxOptions {
  readonly probe: string;
  readonly queue: FileQueue;
  readonly clock: Clock;
  /** Where the probe's own states are kept between runs. */
  readonly dataDir: string;
  /** Largest message (JetStream's max_payload is 1 MiB by default). */
  readonly maxMessageBytes?: number;
  /** Called after each append, so the sender can go at once. */
  readonly onAppend?: () => void;
}

export class Outbox implements ValueWriter, StateStore, MessageLog {
  readonly #o: OutboxOptions;
  readonly #statusOfEvent = new WeakMap<StateEvent, SensorStatus>();
  #readings: { r: TimedReading; s?: SensorStatus }[] = [];
  readonly #states = new Map<string, StoredSensorState>();
  readonly #statesFile: string;

  constructor(opts: OutboxOptions) {
    this.#o = opts;
    this.#statesFile = join(opts.dataDir, 'states.json');
  }

  /** The engine's onStateChange: remembers the status an event led to, to send with the event. */
  noteEvent(e: StateEvent, s: SensorStatus): void {
    this.#statusOfEvent.set(e, s);
  }

  /** The engine's onReading: the reading goes out with the next flush, for the live view on the core. */
  noteReading(r: TimedReading, s: SensorStatus | undefined): void {
    this.#readings.push(s ? { r, s } : { r });
  }

  writeBatch(values: readonly ValueRow[], checks: readonly CheckRow[]): Promise<void> {
    const readings = this.#readings;
    this.#readings = [];
    this.#append({
      values: values.map((v): ValueTuple => [v.sensorId, v.channel, v.ts, v.value]),
      checks: checks.map((c): CheckTuple => [c.sensorId, c.ts, c.ok ? 1 : 0]),
      ...(readings.length > 0 ? { readings } : {}),
    });
    return Promise.resolve();
  }

  appendEvents(events: readonly StateEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    this.#append({
      events: events.map((e) => {
        const s = this.#statusOfEvent.get(e);
        return s ? { e, s } : { e };
      }),
    });
    return Promise.resolve();
  }

  saveStates(states: readonly StoredSensorState[]): Promise<void> {
    if (states.length === 0) return Promise.resolve();
    for (const s of states) this.#states.set(s.sensorId, s);
    const tmp = `${this.#statesFile}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.#states.values()]));
    renameSync(tmp, this.#statesFile);
    this.#append({ states: [...states] });
    return Promise.resolve();
  }

  loadStates(): Promise<StoredSensorState[]> {
    if (!existsSync(this.#statesFile)) return Promise.resolve([]);
    try {
      const list = JSON.parse(readFileSync(this.#statesFile, 'utf8')) as StoredSensorState[];
      for (const s of list) this.#states.set(s.sensorId, s);
      return Promise.resolve(list);
    } catch (err) {
      // A damaged state file costs the states (sensors start Unknown), never the probe.
      return Promise.reject(new Error(`${this.#statesFile}: ${(err as Error).message}`));
    }
  }

  /** History lives on the core. */
  events(_q: EventQuery): Promise<StoredEvent[]> {
    return Promise.resolve([]);
  }

  /** The probe's receivers' batches: to the core's message log, in order with the readings. */
  appendMessages(messages: readonly ReceivedMessage[]): Promise<void> {
    if (messages.length > 0) this.#append({ messages: [...messages] });
    return Promise.resolve();
  }

  /** The message log lives on the core. */
  messages(_q: MessageQuery): Promise<StoredMessage[]> {
    return Promise.resolve([]);
  }

  #append(body: Omit<Envelope, 'v' | 'probe' | 'at'>): void {
    const env: Envelope = { v: WIRE_VERSION, probe: this.#o.probe, at: this.#o.clock.now(), ...body };
    for (const payload of splitEnvelope(env, this.#o.maxMessageBytes ?? 512 * 1024)) this.#o.queue.append(payload);
    this.#o.onAppend?.();
  }
}
