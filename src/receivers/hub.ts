// What every receiver shares between the socket and the rest of Wardwatch: a bounded queue that
// hands messages on in batches (to the store's sink and to the inbox, on `<topic>:<deviceId>` or
// `<topic>:*` for unknown senders). When the queue is full a message is dropped and counted:
// a flood costs messages, never unbounded memory.

import type { Inbox } from '../sensors/sensor.ts';
import type { ReceivedMessage } from '../store/store.ts';

export interface MessageHubOptions {
  /** Inbox topic prefix: 'syslog' or 'trap'. */
  readonly topic: string;
  /** Called for each message, in order. */
  readonly sink?: (m: ReceivedMessage) => void;
  /** Called for each batch; when it returns a promise the next batch waits for it (the store's pace). */
  readonly sinkBatch?: (batch: readonly ReceivedMessage[]) => void | Promise<void>;
  readonly inbox?: Inbox;
  /** Most messages waiting (default 10,000). */
  readonly maxQueue?: number;
  /** Most messages handed on in one batch (default 1,000). */
  readonly batchSize?: number;
  /** Told about each drop (the count so far), e.g. to log at most once a minute. */
  readonly onDrop?: (dropped: number) => void;
  /** Told when a sink throws or rejects; the hub goes on. */
  readonly onSinkError?: (err: unknown) => void;
}

export interface MessageHub {
  /** Queues a message; false when it was dropped because the queue is full. */
  offer(m: ReceivedMessage): boolean;
  readonly dropped: number;
  readonly delivered: number;
  readonly queued: number;
  /** The most messages ever waiting at once (never above maxQueue). */
  readonly highWater: number;
  /** Resolves when everything queued so far has been handed on. */
  flush(): Promise<void>;
}

/** The inbox topic a message goes to. */
export function topicOf(prefix: string, m: Pick<ReceivedMessage, 'deviceId'>): string {
  return `${prefix}:${m.deviceId ?? '*'}`;
}

export function createMessageHub(opts: MessageHubOptions): MessageHub {
  const maxQueue = Math.max(1, opts.maxQueue ?? 10_000);
  const batchSize = Math.max(1, opts.batchSize ?? 1_000);
  let queue: ReceivedMessage[] = [];
  let dropped = 0;
  let delivered = 0;
  let highWater = 0;
  let draining: Promise<void> | undefined;

  async function drain(): Promise<void> {
    // Yield first so that a burst arriving in one event-loop turn is batched together.
    await new Promise<void>((r) => setImmediate(r));
    while (queue.length > 0) {
      const batch = queue.length <= batchSize ? queue : queue.slice(0, batchSize);
      queue = queue.length <= batchSize ? [] : queue.slice(batchSize);
      try {
        for (const m of batch) opts.sink?.(m);
        await opts.sinkBatch?.(batch);
      } catch (err) {
        opts.onSinkError?.(err);
      }
      for (const m of batch) opts.inbox?.publish(topicOf(opts.topic, m), m);
      delivered += batch.length;
      if (queue.length > 0) await new Promise<void>((r) => setImmediate(r));
    }
    draining = undefined;
  }

  return {
    offer(m) {
      if (queue.length >= maxQueue) {
        dropped++;
        opts.onDrop?.(dropped);
        return false;
      }
      queue.push(m);
      if (queue.length > highWater) highWater = queue.length;
      draining ??= drain();
      return true;
    },
    get dropped() {
      return dropped;
    },
    get delivered() {
      return delivered;
    },
    get queued() {
      return queue.length;
    },
    get highWater() {
      return highWater;
    },
    async flush() {
      while (draining) await draining;
    },
  };
}

/** '::ffff:10.1.2.3' (IPv4 on a dual-stack socket) as '10.1.2.3'. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
