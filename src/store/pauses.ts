// Timed pauses ("pause for 2h") kept in the store (module 'pauses'), so that a restart neither
// forgets to resume a paused node nor resumes it early: the API re-arms every row at start.

import { forDialect, type AnyStore } from './open.ts';
import { SqlitePauseStore } from './sqlite/pauses.ts';
import { PostgresPauseStore } from './postgres/pauses.ts';

export interface TimedPause {
  /** Full id of the paused node. */
  readonly nodeId: string;
  /** Epoch ms at which the node resumes by itself. */
  readonly until: number;
  /** Who paused it (login name or token name). */
  readonly by: string;
  readonly note?: string;
}

export interface PauseStore {
  /** Records (or replaces) the timed pause of a node. */
  put(p: TimedPause): Promise<void>;
  /** Forgets a node's timed pause; true when there was one. */
  remove(nodeId: string): Promise<boolean>;
  /** Every timed pause, soonest first. */
  list(): Promise<TimedPause[]>;
}

export async function openPauseStore(store: AnyStore): Promise<PauseStore> {
  return forDialect<PauseStore>(store, {
    sqlite: (db) => new SqlitePauseStore(db),
    postgres: (pool, schema) => PostgresPauseStore.open(pool, schema),
  });
}
