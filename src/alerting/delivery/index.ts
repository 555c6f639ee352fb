// The durable delivery queue as the composition root starts it: the 'delivery' store module on the
// deployment's store, a dispatcher sending through the configured channel instances, and the
// queries the API lists notifications and their attempts with.

import type { Clock } from '../../core/clock.ts';
import { forDialect, type AnyStore } from '../../store/open.ts';
import { SqliteDeliveryStore } from '../../store/sqlite/delivery.ts';
import { PostgresDeliveryStore } from '../../store/postgres/delivery.ts';
import type { DeliveryQueue, Notification } from '../notification.ts';
import type { ChannelInstance } from '../channels/registry.ts';
import type { BackoffOptions } from './backoff.ts';
import { Dispatcher } from './dispatcher.ts';
import type { FailedDelivery } from './failure.ts';
import type { DeliveryQuery, DeliveryStatus, DeliveryStore, NotificationWithAttempts } from './types.ts';

export type { FailedDelivery } from './failure.ts';
export { deliveryFailedMessage } from './failure.ts';
export type { DeliveryQuery, DeliveryStatus, DeliveryStore, NotificationWithAttempts, AttemptRecord, QueuedNotification } from './types.ts';
export { DELIVERY_STATUSES } from './types.ts';

export interface DeliveryOptions {
  /** The deployment's store (the 'delivery' tables are migrated on it), or a DeliveryStore directly. */
  readonly store: AnyStore | DeliveryStore;
  /** Parsed `alerting.channels` entries. */
  readonly channels: readonly ChannelInstance[];
  /** Secrets named by channel settings (SMTP password, HMAC key, routing key, webhook URLs). */
  readonly secret?: (name: string) => string | undefined;
  readonly clock: Clock;
  readonly log?: (line: string) => void;
  /** Attempts in flight at once (default 8). */
  readonly concurrency?: number;
  /** Called once per notification that finally failed (after its fallback notice is queued). */
  readonly onDeliveryFailed?: (failure: FailedDelivery) => void | Promise<void>;
  readonly backoff?: BackoffOptions;
  readonly random?: () => number;
  readonly owner?: string;
  readonly leaseMarginMs?: number;
  readonly pollMs?: number;
  /** Base environment for command hooks (PATH, LANG...): the composition root passes what it allows. */
  readonly hookEnv?: Readonly<Record<string, string>>;
}

export interface Delivery extends DeliveryQueue {
  /** This process's name in leases and the attempt log. */
  readonly owner: string;
  readonly store: DeliveryStore;
  list(q: DeliveryQuery): Promise<NotificationWithAttempts[]>;
  get(key: string): Promise<NotificationWithAttempts | undefined>;
  counts(): Promise<Record<DeliveryStatus, number>>;
  /** Config reload: the new channel instances apply from the next attempt on. */
  setChannels(channels: readonly ChannelInstance[]): void;
  /** Resolves when nothing is due and nothing is in flight. */
  idle(): Promise<void>;
  /** Stops sending; unfinished rows go back to the queue for the next start. */
  close(): Promise<void>;
}

function isDeliveryStore(s: AnyStore | DeliveryStore): s is DeliveryStore {
  return typeof (s as Partial<DeliveryStore>).claim === 'function';
}

export async function openDeliveryStore(store: AnyStore): Promise<DeliveryStore> {
  return forDialect<DeliveryStore>(store, {
    sqlite: (db) => new SqliteDeliveryStore(db),
    postgres: (pool, schema) => PostgresDeliveryStore.open(pool, schema),
  });
}

export async function startDelivery(o: DeliveryOptions): Promise<Delivery> {
  const store = isDeliveryStore(o.store) ? o.store : await openDeliveryStore(o.store);
  const dispatcher = new Dispatcher({ ...o, store });
  // Rows left by the previous run (pending, or claimed by a process that died) are picked up now.
  dispatcher.kick();
  return {
    owner: dispatcher.owner,
    store,
    async enqueue(list: readonly Notification[]): Promise<number> {
      const added = await store.enqueue(list, o.clock.now());
      if (added > 0) dispatcher.kick();
      return added;
    },
    list: (q) => store.list(q),
    get: (key) => store.get(key),
    counts: () => store.counts(),
    setChannels: (channels) => {
      dispatcher.setChannels(channels);
      dispatcher.kick();
    },
    idle: () => dispatcher.idle(),
    close: () => dispatcher.close(),
  };
}
