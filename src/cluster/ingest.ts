// The core's side of the readings stream: a durable pull consumer shared by every core process
// (horizontal ingest). Messages are applied to the store in micro-batches and acknowledged only
// after the store committed, so a core killed mid-batch loses nothing: JetStream redelivers what was
// not acknowledged, and the applied-message log keeps a redelivery from adding its events twice.
// Between the commit and the acknowledgement the applied messages are handed to `publish` (the
// fanout to every core's live parts, fanout.ts), so that a crash in between loses none of them.

import type { JsMsg, NatsConnection, ConsumerMessages } from 'nats';
import type { Clock } from '../core/clock.ts';
import type { MessageLog, StateStore, ValueWriter } from '../store/store.ts';
import type { AppliedLog } from './registry.ts';
import { INGEST_CONSUMER, probeOfSubject, READINGS_STREAM } from './subjects.ts';
import { decodeEnvelope, type DecodedEnvelope } from './wire.ts';
import type { AppliedItem } from './fanout.ts';

export interface IngestOptions {
  readonly nc: NatsConnection;
  readonly store: ValueWriter & StateStore & MessageLog;
  readonly applied: AppliedLog;
  readonly clock: Clock;
  /** Does this sensor belong to that probe? Rows for sensors of other probes are dropped. */
  readonly owns: (probe: string, sensorId: string) => boolean;
  /** Is this device under that probe? A received message naming another device keeps only its sender address. */
  readonly ownsDevice?: (probe: string, deviceId: string) => boolean;
  /**
   * Called before a batch with the probes it comes from: lets a core that did not see a probe's
   * approval (another core answered its hello) learn it from the store before judging its rows.
   */
  readonly refreshProbes?: (probes: ReadonlySet<string>) => Promise<void>;
  /**
   * After commit, before the acknowledgement, in stream order: hands the applied messages on to the
   * live parts of every core (publishApplied). Resolves once they are safely on their way; a
   * rejection makes JetStream redeliver the batch, which is then handed on again (not re-applied).
   */
  readonly publish: (items: readonly AppliedItem[]) => Promise<void>;
  readonly log: (line: string) => void;
  /** Messages applied in one store transaction at most (default 256). */
  readonly batch?: number;
  /** Bytes of messages applied in one go at most (default 8 MiB): bounds how long a batch takes. */
  readonly batchBytes?: number;
  /** Redelivery delay after a failed store write (default 2 s). */
  readonly retryMs?: number;
}

export interface IngestStats {
  readonly messages: number;
  readonly values: number;
  readonly checks: number;
  readonly events: number;
  /** Redeliveries that had already been applied (acknowledged without applying). */
  readonly redelivered: number;
  /** Malformed or foreign messages, terminated. */
  readonly rejected: number;
  /** Rows naming a sensor that is not the sending probe's. */
  readonly foreignRows: number;
  readonly storeErrors: number;
  /** Applied messages handed on to the fanout (redeliveries included). */
  readonly published: number;
  /** Batches whose hand-on failed after the commit (redelivered, handed on again). */
  readonly publishErrors: number;
}

const LAG_SAMPLES = 20_000;

export class Ingest {
  readonly #o: IngestOptions;
  #iter: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #wakeWorker: () => void = () => undefined;
  #stats = { messages: 0, values: 0, checks: 0, events: 0, redelivered: 0, rejected: 0, foreignRows: 0, storeErrors: 0, published: 0, publishErrors: 0 };
  /** Check-to-stored lag of value rows (reservoir sample), ms. */
  readonly lags: number[] = [];
  #lagSeen = 0;

  constructor(opts: IngestOptions) {
    this.#o = opts;
  }

  get stats(): IngestStats {
    return { ...this.#stats };
  }

  async start(): Promise<void> {
    const consumer = await this.#o.nc.jetstream().consumers.get(READINGS_STREAM, INGEST_CONSUMER);
    const batch = this.#o.batch ?? 256;
    const iter = await consumer.consume({ max_messages: batch * 2 });
    this.#iter = iter;
    // The iterator only collects; one worker applies what has arrived in batches, so that a burst
    // becomes a few large transactions. The consumer's max_ack_pending bounds what can pile up.
    const buf: JsMsg[] = [];
    let wake: (() => void) | undefined;
    const reading = (async () => {
      for await (const m of iter) {
        buf.push(m);
        wake?.();
      }
    })();
    const working = (async () => {
      while (!this.#stopping) {
        if (buf.length === 0) {
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
          continue;
        }
        await this.#process(this.#take(buf, batch, this.#o.batchBytes ?? 8 * 1024 * 1024));
      }
    })();
    this.#wakeWorker = () => wake?.();
    this.#loop = Promise.all([reading, working])
      .then(() => undefined)
      .catch((err: unknown) => this.#o.log(`ingest stopped: ${(err as Error).message}`));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#iter?.close();
    this.#wakeWorker();
    await this.#loop;
  }

  /** The next batch: at most `max` messages and about `maxBytes` (always at least one). */
  #take(buf: JsMsg[], max: number, maxBytes: number): JsMsg[] {
    let n = 0;
    let bytes = 0;
    while (n < buf.length && n < max && (n === 0 || bytes + buf[n]!.data.byteLength <= maxBytes)) bytes += buf[n++]!.data.byteLength;
    return buf.splice(0, n);
  }

  async #process(msgs: readonly JsMsg[]): Promise<void> {
    // A batch that takes long (a loaded store) tells JetStream it is still being worked on, so that
    // the messages are not redelivered to another core meanwhile.
    const working = setInterval(() => {
      for (const m of msgs) m.working();
    }, 5000);
    try {
      await this.#apply(msgs);
    } finally {
      clearInterval(working);
    }
  }

  async #apply(msgs: readonly JsMsg[]): Promise<void> {
    if (this.#o.refreshProbes) {
      const probes = new Set(msgs.map((m) => probeOfSubject(m.subject)).filter((p): p is string => p !== undefined));
      try {
        await this.#o.refreshProbes(probes);
      } catch (err) {
        this.#stats.storeErrors++;
        this.#o.log(`reading the probes of ${msgs.length} readings messages failed, JetStream redelivers them: ${(err as Error).message}`);
        for (const m of msgs) m.nak(this.#o.retryMs ?? 2000);
        return;
      }
    }
    const items: { m: JsMsg; id: string; env: DecodedEnvelope }[] = [];
    for (const m of msgs) {
      const id = m.headers?.get('Nats-Msg-Id') || `${m.info.stream}:${m.seq}`;
      // A redelivery that overtook the batch still applying the first delivery: only one applies.
      if (items.some((i) => i.id === id)) continue;
      const probe = probeOfSubject(m.subject);
      try {
        if (!probe) throw new Error(`subject ${m.subject} is not a probe's readings subject`);
        const env = decodeEnvelope(m.data);
        if (env.probe !== probe) throw new Error(`says it comes from probe "${env.probe}" but was published on ${m.subject}`);
        items.push({ m, id, env: this.#ownRows(probe, env) });
      } catch (err) {
        this.#stats.rejected++;
        this.#o.log(`rejected readings message ${id} (stream sequence ${m.seq}): ${(err as Error).message}`);
        m.term();
      }
    }
    if (items.length === 0) return;
    let done: ReadonlySet<string>;
    try {
      done = await this.#o.applied.applied(items.map((i) => i.id));
      const fresh = items.filter((i) => !done.has(i.id));
      const values = fresh.flatMap((i) => i.env.values);
      const checks = fresh.flatMap((i) => i.env.checks);
      const events = fresh.flatMap((i) => i.env.events.map((e) => e.e));
      const states = fresh.flatMap((i) => i.env.states);
      if (values.length > 0 || checks.length > 0) await this.#o.store.writeBatch(values, checks);
      if (events.length > 0) await this.#o.store.appendEvents(events);
      // Two cores may commit one probe's messages out of order: a state never goes back in time.
      if (states.length > 0) await this.#o.store.saveStates(states, { keepNewer: true });
      const messages = fresh.flatMap((i) => i.env.messages);
      if (messages.length > 0) await this.#o.store.appendMessages(messages);
      const now = this.#o.clock.now();
      await this.#o.applied.markApplied(fresh.map((i) => i.id), now);
      this.#stats.messages += fresh.length;
      this.#stats.redelivered += items.length - fresh.length;
      this.#stats.values += values.length;
      this.#stats.checks += checks.length;
      this.#stats.events += events.length;
      for (const v of values) this.#sampleLag(now - v.ts);
    } catch (err) {
      // Not committed: let JetStream redeliver after a pause (a store restarting, a full disk).
      this.#stats.storeErrors++;
      this.#o.log(`store write of ${items.length} readings messages failed, JetStream redelivers them: ${(err as Error).message}`);
      for (const i of items) i.m.nak(this.#o.retryMs ?? 2000);
      return;
    }
    // A redelivery of a message already applied is handed on again: the core that applied it may
    // have died before doing so (the fanout's msgID drops the copy if not). A first delivery of an
    // id applied long ago (a probe resending after the duplicate window) is not: it would replay
    // statuses and events that have since been overtaken.
    const handOn = items.filter((i) => !done.has(i.id) || i.m.redelivered);
    try {
      if (handOn.length > 0) await this.#o.publish(handOn.map((i) => ({ id: i.id, env: i.env })));
    } catch (err) {
      this.#stats.publishErrors++;
      this.#o.log(`handing on ${handOn.length} applied readings messages failed (they are stored), JetStream redelivers them: ${(err as Error).message}`);
      for (const i of items) i.m.nak(this.#o.retryMs ?? 2000);
      return;
    }
    this.#stats.published += handOn.length;
    for (const i of items) i.m.ack();
  }

  #ownRows(probe: string, env: DecodedEnvelope): DecodedEnvelope {
    const own = (id: string) => this.#o.owns(probe, id);
    const values = env.values.filter((v) => own(v.sensorId));
    const checks = env.checks.filter((c) => own(c.sensorId));
    const events = env.events.filter((e) => own(e.e.sensorId));
    const states = env.states.filter((s) => own(s.sensorId));
    const readings = env.readings.filter((r) => own(r.r.sensorId));
    const ownsDevice = this.#o.ownsDevice;
    let foreignDevices = 0;
    const messages = env.messages.map((m) => {
      if (m.deviceId === undefined || !ownsDevice || ownsDevice(probe, m.deviceId)) return m;
      foreignDevices++;
      const { deviceId: _dropped, ...rest } = m;
      return rest;
    });
    if (foreignDevices > 0) {
      this.#stats.foreignRows += foreignDevices;
      this.#o.log(`probe ${probe} sent ${foreignDevices} received messages naming devices that are not under it: kept without the device`);
    }
    const foreign = env.values.length - values.length + env.checks.length - checks.length + env.events.length - events.length + env.states.length - states.length;
    if (foreign > 0) {
      this.#stats.foreignRows += foreign;
      this.#o.log(`probe ${probe} sent ${foreign} rows for sensors that are not assigned to it: dropped`);
    }
    return { ...env, values, checks, events, states, readings, messages };
  }

  #sampleLag(ms: number): void {
    this.#lagSeen++;
    if (this.lags.length < LAG_SAMPLES) this.lags.push(ms);
    else {
      const j = Math.floor(Math.random() * this.#lagSeen);
      if (j < LAG_SAMPLES) this.lags[j] = ms;
    }
  }
}
