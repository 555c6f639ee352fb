// Every core sees every remote status, event and reading, whichever core applied the message (several
// cores share the readings consumer, and alerting runs only on the leader). After its batch commits,
// the ingesting core publishes per applied message a compact copy to WW_APPLIED; every core follows
// that stream from its start with its own ordered consumer and drives its live parts from it, its own
// applies included, so that there is one path and one order (the stream's) for all of them.

import { DiscardPolicy, RetentionPolicy, StorageType, nanos, type ConsumerMessages, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { APPLIED_STREAM, probeOfAppliedSubject, subjects } from './subjects.ts';
import { appliedEnvelope, decodeEnvelope, splitEnvelope, type DecodedEnvelope } from './wire.ts';

/** One applied readings message: its id (the readings message's msgID) and its rows as applied. */
export interface AppliedItem {
  readonly id: string;
  readonly env: DecodedEnvelope;
}

export interface AppliedStreamOptions {
  /** How long the stream keeps what was applied: how long a core may be cut off and still catch up (default 1 h). */
  readonly maxAgeMs?: number;
}

/**
 * Creates WW_APPLIED (or updates its limits) and returns the sequence a core starting now follows it
 * from. Read before the core loads the stored statuses, so that nothing applied in between is missed
 * (what is seen twice is only a status reported again).
 */
export async function ensureAppliedStream(jsm: JetStreamManager, opts: AppliedStreamOptions = {}): Promise<number> {
  const maxAge = opts.maxAgeMs ?? 3_600_000;
  const stream = {
    name: APPLIED_STREAM,
    subjects: [subjects.appliedWildcard],
    // Every core reads everything, so nothing is removed on acknowledgement; the age bounds it.
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    storage: StorageType.File,
    max_age: nanos(maxAge),
    // A republish after a crash or a redelivery is dropped by its msgID for as long as the copy is
    // kept (JetStream refuses a window longer than max_age).
    duplicate_window: nanos(maxAge),
  };
  try {
    await jsm.streams.info(APPLIED_STREAM);
    await jsm.streams.update(APPLIED_STREAM, stream);
  } catch (err) {
    if ((err as { code?: string }).code !== '404') throw err;
    await jsm.streams.add(stream);
  }
  return (await jsm.streams.info(APPLIED_STREAM)).state.last_seq + 1;
}

export interface PublishAppliedOptions {
  readonly js: JetStreamClient;
  /** Largest message the server takes (its max_payload); a larger copy is split like a probe's envelope. */
  readonly maxBytes: number;
  readonly timeoutMs?: number;
}

/**
 * Publishes the applied copies of these messages and resolves once JetStream stored every one (or
 * recognised it as a duplicate); rejects naming the first that failed. Published in the given
 * order on one connection, so the stream keeps the order in which the batch was applied.
 */
export async function publishApplied(items: readonly AppliedItem[], o: PublishAppliedOptions): Promise<void> {
  // Headers (the msgID) count against max_payload too.
  const limit = Math.max(1024, o.maxBytes - 1024);
  const acks: { id: string; ack: Promise<unknown> }[] = [];
  for (const { id, env } of items) {
    const parts = splitEnvelope(appliedEnvelope(env), limit);
    parts.forEach((data, i) => {
      // Derived from the readings message only: any core republishing it gives the same ids.
      const msgID = parts.length === 1 ? id : `${id}#${i}`;
      acks.push({ id: msgID, ack: o.js.publish(subjects.applied(env.probe), data, { msgID, timeout: o.timeoutMs ?? 5000 }) });
    });
  }
  const settled = await Promise.allSettled(acks.map((a) => a.ack));
  const failed = settled.findIndex((s) => s.status === 'rejected');
  if (failed >= 0) {
    const reason = (settled[failed] as PromiseRejectedResult).reason as Error;
    throw new Error(`publishing applied message ${acks[failed]!.id} to ${APPLIED_STREAM} failed: ${reason.message}`);
  }
}

export interface AppliedFeedOptions {
  readonly nc: NatsConnection;
  /** Stream sequence to start from (ensureAppliedStream's answer). */
  readonly from: number;
  /** In stream order, one call per applied message. */
  readonly onApplied: (env: DecodedEnvelope) => void;
  readonly log: (line: string) => void;
}

export interface AppliedFeedStats {
  /** Applied messages handed on. */
  readonly received: number;
  /** Malformed ones, skipped. */
  readonly rejected: number;
  /** Stream sequence of the last message read (from - 1 before the first). */
  readonly lastSeq: number;
}

/**
 * A core's reader of WW_APPLIED: an ordered consumer (ephemeral, no acknowledgements) that the
 * client recreates from the last sequence it saw after a disconnect or a gap, so a core whose link
 * dropped for a while catches up on everything the stream still holds.
 */
export class AppliedFeed {
  readonly #o: AppliedFeedOptions;
  #iter: ConsumerMessages | undefined;
  #loop: Promise<void> | undefined;
  #received = 0;
  #rejected = 0;
  #lastSeq: number;

  constructor(opts: AppliedFeedOptions) {
    this.#o = opts;
    this.#lastSeq = opts.from - 1;
  }

  get stats(): AppliedFeedStats {
    return { received: this.#received, rejected: this.#rejected, lastSeq: this.#lastSeq };
  }

  async start(): Promise<void> {
    const consumer = await this.#o.nc.jetstream().consumers.get(APPLIED_STREAM, { opt_start_seq: this.#o.from });
    // Short pulls: a pull lost with a dropped connection, or a consumer that has to be made again,
    // is noticed within seconds (the client's default waits up to 30 s, and as long between retries).
    const iter = await consumer.consume({ max_messages: 1000, expires: 5000 });
    this.#iter = iter;
    this.#loop = (async () => {
      for await (const m of iter) {
        this.#lastSeq = m.seq;
        const probe = probeOfAppliedSubject(m.subject);
        let env: DecodedEnvelope;
        try {
          if (!probe) throw new Error(`subject ${m.subject} is not an applied subject`);
          env = decodeEnvelope(m.data);
          if (env.probe !== probe) throw new Error(`says it comes from probe "${env.probe}" but was published on ${m.subject}`);
        } catch (err) {
          this.#rejected++;
          this.#o.log(`skipped applied message ${m.seq} of ${APPLIED_STREAM}: ${(err as Error).message}`);
          continue;
        }
        this.#received++;
        try {
          this.#o.onApplied(env);
        } catch (err) {
          this.#o.log(`forwarding probe ${env.probe}'s applied readings failed: ${(err as Error).message}`);
        }
      }
    })().catch((err: unknown) => this.#o.log(`reading ${APPLIED_STREAM} stopped: ${(err as Error).message}`));
  }

  async stop(): Promise<void> {
    await this.#iter?.close();
    await this.#loop;
  }
}
