// Schema of the parts that keep tables of their own next to the monitoring history (alerting queue,
// users and audit, security inventory, cluster): each part owns an ordered list of migrations under
// its own name, so parts evolve independently of each other and of the core schema (user_version).

import type Database from 'better-sqlite3';

export interface ModuleMigration {
  /** 1, 2, 3... in order within the module. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * Brings one module's tables up to date in one transaction; refuses a database whose module schema
 * is newer than this release knows. Returns the version the module ends at.
 */
export function migrateSqliteModule(db: Database.Database, module: string, migrations: readonly ModuleMigration[]): number {
  checkOrder(module, migrations);
  const latest = migrations.length;
  db.exec('CREATE TABLE IF NOT EXISTS module_schema (module TEXT PRIMARY KEY, version INTEGER NOT NULL, updated_at INTEGER NOT NULL)');
  const tx = db.transaction(() => {
    const row = db.prepare<[string], { version: number }>('SELECT version FROM module_schema WHERE module = ?').get(module);
    const current = row?.version ?? 0;
    if (current > latest) {
      throw new Error(`the ${module} tables are at schema version ${current}, newer than this Wardwatch supports (${latest}): upgrade Wardwatch`);
    }
    for (const m of migrations.slice(current)) db.exec(m.sql);
    if (current !== latest) {
      db.prepare('INSERT INTO module_schema (module, version, updated_at) VALUES (?, ?, ?) ON CONFLICT (module) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at').run(
        module,
        latest,
        Date.now(),
      );
    }
  });
  tx.immediate();
  return latest;
}

export function checkOrder(module: string, migrations: readonly ModuleMigration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`${module} migrations out of order: entry ${i} has version ${m.version}, expected ${i + 1}`);
  });
}
