// The suite every AlertStore (the 'alerting' store module) must pass, on SQLite and PostgreSQL:
// alerts round-trip with and without optional fields, upsert by id, filter by state and node,
// page newest first, list what is still active for a restart, and purge old resolved alerts;
// tracked conditions (threshold starts, flapping history) upsert, delete and survive a reopen.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Pool } from 'pg';
import type { AlertStore, StoredAlert } from '../../alerting/engine/alert-store.ts';

/**
 * Kills the backend holding the alerting leader lock of `schema` (as an operator or a network cut
 * would) and waits up to 5 s until it is really gone, so that the lock is free; returns how many.
 */
export async function terminateLeaseHolder(pool: Pool, schema: string): Promise<number> {
  const res = await pool.query<{ pid: number; ok: boolean }>(
    `SELECT pid, pg_terminate_backend(pid, 5000) AS ok FROM pg_locks
     WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND objid::bigint = (hashtext($1)::bigint & 4294967295)`,
    [`wardwatch:alerting-leader:${schema}`],
  );
  return res.rows.filter((r) => r.ok).length;
}

const T0 = Date.UTC(2026, 5, 1, 8);
const MIN = 60_000;

export function storedAlert(id: string, extra: Partial<StoredAlert> = {}): StoredAlert {
  return {
    id,
    ruleName: 'pacs-down',
    nodeId: 'main/core/pacs/pacs-1/echo',
    title: 'PACS echo is Down',
    state: 'open',
    severity: 'critical',
    openedAt: T0,
    sensorIds: ['main/core/pacs/pacs-1/echo'],
    affectedDependents: 0,
    escalationStep: 0,
    reminders: 0,
    data: { trigger: 'state', told: [], vars: { title: 'PACS echo is Down' } },
    ...extra,
  };
}

export interface AlertStoreHandle {
  readonly store: AlertStore;
  /** Opens the module again on the same database (runs the migrations again). */
  reopen(): Promise<AlertStore>;
  close(): Promise<void>;
}

export function runAlertStoreContract(name: string, open: () => Promise<AlertStoreHandle>): void {
  describe(`AlertStore contract: ${name}`, () => {
    let h: AlertStoreHandle;
    beforeEach(async () => {
      h = await open();
    });
    afterEach(async () => {
      await h.close();
    });

    it('round-trips a full alert and a minimal one, and replaces by id', async () => {
      const full = storedAlert('a1', {
        state: 'acknowledged',
        resolvedAt: T0 + 9 * MIN,
        acknowledged: { by: 'dr.müller', at: T0 + MIN, note: 'on my way 🚑', via: 'link' },
        sensorIds: ['s/1', 's/2'],
        affectedDependents: 40,
        escalationStep: 2,
        nextDueAt: T0 + 30 * MIN,
        reminders: 3,
        data: {
          trigger: 'held',
          told: [{ recipient: 'alice', address: 'alice@hospital.example', channel: 'mail', fallbackChannel: 'pager' }, { recipient: 'ops-hook', channel: 'ops-hook' }],
          vars: { title: 't', members: [{ sensorId: 's/1', name: 'Echo', state: 'down' }], since: T0 },
          silenced: 'night-works',
        },
      });
      const min = storedAlert('a2', { openedAt: T0 + MIN });
      await h.store.saveAlerts([full, min]);
      await h.store.saveAlerts([]);
      expect(await h.store.alert('a1')).toEqual(full);
      expect(await h.store.alert('a2')).toEqual(min);
      expect(await h.store.alert('nope')).toBeUndefined();
      const changed = storedAlert('a2', { openedAt: T0 + MIN, state: 'resolved', resolvedAt: T0 + 5 * MIN, escalationStep: 1 });
      await h.store.saveAlerts([changed]);
      expect(await h.store.alert('a2')).toEqual(changed);
      expect(await h.store.alerts({})).toHaveLength(2);
    });

    it('lists newest first, filters by state and by node (at or below, or a member), and pages with before and limit', async () => {
      await h.store.saveAlerts([
        storedAlert('a1', { openedAt: T0, nodeId: 'site/net/switch-1', sensorIds: ['site/net/switch-1/ping', 'site/ward_3/x/ping'] }),
        storedAlert('a2', { openedAt: T0 + MIN, state: 'resolved', resolvedAt: T0 + 2 * MIN, nodeId: 'site/ward_3/x/ping', sensorIds: ['site/ward_3/x/ping'] }),
        storedAlert('a3', { openedAt: T0 + MIN, nodeId: 'site/ward-3/y/ping', sensorIds: ['site/ward-3/y/ping'] }),
        storedAlert('a4', { openedAt: T0 + 3 * MIN, nodeId: 'other/z', sensorIds: ['other/z'] }),
      ]);
      const ids = async (q: Parameters<AlertStore['alerts']>[0]) => (await h.store.alerts(q)).map((a) => a.id);
      expect(await ids({})).toEqual(['a4', 'a3', 'a2', 'a1']);
      expect(await ids({ state: 'resolved' })).toEqual(['a2']);
      expect(await ids({ state: 'open' })).toEqual(['a4', 'a3', 'a1']);
      // "_" is not a wildcard here: ward_3 does not match ward-3.
      expect(await ids({ nodeId: 'site/ward_3' })).toEqual(['a2']);
      expect(await ids({ nodeId: 'site/ward_3/x/ping' })).toEqual(['a2', 'a1']);
      expect(await ids({ nodeId: 'site' })).toEqual(['a3', 'a2', 'a1']);
      expect(await ids({ nodeId: 'sit' })).toEqual([]);
      expect(await ids({ limit: 2 })).toEqual(['a4', 'a3']);
      expect(await ids({ limit: 2, before: 'a3' })).toEqual(['a2', 'a1']);
      expect(await ids({ before: 'a2', state: 'open' })).toEqual(['a1']);
    });

    it('active() lists open and acknowledged alerts oldest first; deleteResolvedBefore purges only old resolved ones', async () => {
      await h.store.saveAlerts([
        storedAlert('b', { openedAt: T0 + 2 * MIN, state: 'acknowledged', acknowledged: { by: 'x', at: T0 + 3 * MIN, via: 'console' } }),
        storedAlert('a', { openedAt: T0 + MIN, nextDueAt: T0 + 11 * MIN }),
        storedAlert('old', { state: 'resolved', resolvedAt: T0 + MIN }),
        storedAlert('new', { state: 'resolved', resolvedAt: T0 + 10 * MIN }),
      ]);
      expect((await h.store.active()).map((a) => [a.id, a.nextDueAt])).toEqual([
        ['a', T0 + 11 * MIN],
        ['b', undefined],
      ]);
      expect(await h.store.deleteResolvedBefore(T0 + 5 * MIN)).toBe(1);
      expect((await h.store.alerts({})).map((a) => a.id).sort()).toEqual(['a', 'b', 'new']);
    });

    it('keeps its rows when the module is opened again on the same database (migrations run once)', async () => {
      await h.store.saveAlerts([storedAlert('kept')]);
      await h.store.saveConditions([{ key: 'flap:["s/1"]', value: { changes: [T0] } }], []);
      const again = await h.reopen();
      expect(await again.alert('kept')).toEqual(storedAlert('kept'));
      expect(await again.conditions()).toEqual([{ key: 'flap:["s/1"]', value: { changes: [T0] } }]);
    });

    it('tracked conditions: upsert by key, remove, list in key order, JSON values round-trip', async () => {
      expect(await h.store.conditions()).toEqual([]);
      const breach = { key: 'threshold:["rule-a","site/dev/ping"]', value: { start: T0, value: 812.5 } };
      const flap = { key: 'flap:["site/dev/ping"]', value: { changes: [T0, T0 + MIN], until: null, note: 'Größe 🚑' } };
      await h.store.saveConditions([breach, flap], []);
      await h.store.saveConditions([], []);
      expect(await h.store.conditions()).toEqual([flap, breach]);
      const later = { key: breach.key, value: { start: T0 + 5 * MIN, value: 1 } };
      await h.store.saveConditions([later], [flap.key, 'never-there']);
      expect(await h.store.conditions()).toEqual([later]);
      // A key removed and set in the same call is set (removals apply first).
      await h.store.saveConditions([flap], [flap.key]);
      expect((await h.store.conditions()).map((c) => c.key)).toEqual([flap.key, breach.key]);
    });
  });
}
