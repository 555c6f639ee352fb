// Which remote probes the core knows and whether an administrator approved them (PRTG's probe
// approval): a probe that says hello for the first time is "pending" and gets no work until it is
// approved. Also the log of readings messages already applied, so that a message JetStream
// redelivers after a core crash is not applied twice. Kept in the store's 'cluster' module tables.

import type { AnyStore } from '../store/open.ts';
import { forDialect } from '../store/open.ts';
import { migratePgModule } from '../store/postgres/modules.ts';
import { migrateSqliteModule, type ModuleMigration } from '../store/sqlite/modules.ts';
import { PgClusterTables } from './registry-pg.ts';
import { SqliteClusterTables } from './registry-sqlite.ts';

export const PROBE_APPROVALS = ['pending', 'approved', 'rejected'] as const;
export type ProbeApproval = (typeof PROBE_APPROVALS)[number];

export interface ProbeRecord {
  readonly name: string;
  readonly approval: ProbeApproval;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** Who approved or rejected it, and when. */
  readonly decidedBy?: string;
  readonly decidedAt?: number;
}

export interface ProbeRegistry {
  list(): Promise<ProbeRecord[]>;
  get(name: string): Promise<ProbeRecord | undefined>;
  /** Records a hello; a probe never seen before is added as pending. */
  seen(name: string, at: number): Promise<ProbeRecord>;
  /** Approves or rejects a known probe; throws naming the probe when it is unknown. */
  decide(name: string, approval: 'approved' | 'rejected', by: string, at: number): Promise<ProbeRecord>;
  /** Forgets a probe (it becomes pending again if it says hello). */
  remove(name: string): Promise<boolean>;
}

export interface AppliedLog {
  /** The ids among these that were already applied. */
  applied(ids: readonly string[]): Promise<Set<string>>;
  markApplied(ids: readonly string[], at: number): Promise<void>;
  /** Forgets ids applied before `before` (redeliveries come within minutes, not days). */
  prune(before: number): Promise<number>;
}

export type ClusterTables = ProbeRegistry & AppliedLog;

export class UnknownProbeError extends Error {}

export const CLUSTER_MIGRATIONS: readonly ModuleMigration[] = [
  {
    version: 1,
    name: 'probes and applied messages',
    sql: `CREATE TABLE cluster_probe (name TEXT PRIMARY KEY, approval TEXT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, decided_by TEXT, decided_at BIGINT);
CREATE TABLE cluster_applied (msg_id TEXT PRIMARY KEY, applied_at BIGINT NOT NULL);
CREATE INDEX cluster_applied_at ON cluster_applied (applied_at);`,
  },
];

/** Opens (and migrates) the cluster tables in the store the core runs on. */
export function openClusterTables(store: AnyStore): Promise<ClusterTables> {
  return forDialect<ClusterTables>(store, {
    sqlite: (db) => {
      migrateSqliteModule(db, 'cluster', CLUSTER_MIGRATIONS);
      return new SqliteClusterTables(db);
    },
    postgres: async (pool, schema) => {
      await migratePgModule(pool, schema, 'cluster', CLUSTER_MIGRATIONS);
      return new PgClusterTables(pool);
    },
  });
}

export interface ProbeRow {
  name: string;
  approval: string;
  first_seen: number | string;
  last_seen: number | string;
  decided_by: string | null;
  decided_at: number | string | null;
}

export function probeFromRow(r: ProbeRow): ProbeRecord {
  const approval = (PROBE_APPROVALS as readonly string[]).includes(r.approval) ? (r.approval as ProbeApproval) : 'pending';
  return {
    name: r.name,
    approval,
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    ...(r.decided_by !== null ? { decidedBy: r.decided_by } : {}),
    ...(r.decided_at !== null ? { decidedAt: Number(r.decided_at) } : {}),
  };
}
