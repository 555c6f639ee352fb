// The JetStream side of the core: the readings stream (a work queue the probes publish into) with
// the durable consumer every core shares, and the applied stream every core follows (fanout.ts).

import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, nanos, type NatsConnection } from 'nats';
import { ensureAppliedStream } from './fanout.ts';
import { INGEST_CONSUMER, READINGS_STREAM, subjects } from './subjects.ts';

export interface StreamOptions {
  readonly streamMaxAgeMs?: number;
  readonly duplicateWindowMs?: number;
  readonly ackWaitMs?: number;
  readonly appliedMaxAgeMs?: number;
}

/**
 * Creates the readings stream and the shared durable consumer, and the applied stream, or updates
 * their limits; returns where this core follows the applied stream from.
 */
export async function ensureStreams(nc: NatsConnection, opts: StreamOptions): Promise<number> {
  const jsm = await nc.jetstreamManager();
  const stream = {
    name: READINGS_STREAM,
    subjects: [subjects.readingsWildcard],
    // Work queue: a reading leaves the stream once a core acknowledged it (stored).
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    max_age: nanos(opts.streamMaxAgeMs ?? 7 * 86_400_000),
    duplicate_window: nanos(opts.duplicateWindowMs ?? 3_600_000),
  };
  try {
    await jsm.streams.info(READINGS_STREAM);
    await jsm.streams.update(READINGS_STREAM, stream);
  } catch (err) {
    if ((err as { code?: string }).code !== '404') throw err;
    await jsm.streams.add(stream);
  }
  // Long enough for a large batch on a loaded store; the ingest also signals progress while it works.
  const ackWait = nanos(opts.ackWaitMs ?? 60_000);
  try {
    const ci = await jsm.consumers.info(READINGS_STREAM, INGEST_CONSUMER);
    if (ci.config.ack_wait !== ackWait) await jsm.consumers.update(READINGS_STREAM, INGEST_CONSUMER, { ack_wait: ackWait });
  } catch (err) {
    if ((err as { code?: string }).code !== '404') throw err;
    await jsm.consumers.add(READINGS_STREAM, {
      durable_name: INGEST_CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ackWait,
      max_ack_pending: 20_000,
    });
  }
  return ensureAppliedStream(jsm, { ...(opts.appliedMaxAgeMs !== undefined ? { maxAgeMs: opts.appliedMaxAgeMs } : {}) });
}
