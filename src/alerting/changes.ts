// Tells of every alert the engine saves, named by what changed (opened, acknowledged, escalated,
// resolved, updated), so that the API's live stream can follow alerts without polling. Watching the
// store's writes catches every path an alert changes by (decisions, timers, acknowledgements) at
// the one place they all pass, after the change is durable.

import type { AlertStore, StoredAlert } from './engine/alert-store.ts';
import type { AlertChange, AlertChangeKind, AlertSummary } from './service.ts';

/** Most alerts remembered to name a change; beyond it the oldest are forgotten (changes then arrive coarser). */
export const MAX_REMEMBERED_ALERTS = 50_000;

export interface ObservedStoreOptions {
  readonly summary: (a: StoredAlert) => AlertSummary;
  readonly onChange: (c: AlertChange) => void;
  readonly log: (level: 'warn', msg: string) => void;
}

/** What a save did to an alert, from the alert as last seen; undefined when nothing shown changed (a reminder). */
export function changeOf(prev: AlertSummary | undefined, next: AlertSummary): AlertChangeKind | undefined {
  if (prev === undefined || prev.state !== next.state) return next.state === 'open' ? 'opened' : next.state;
  if (next.escalationStep > prev.escalationStep) return 'escalated';
  return JSON.stringify(prev) === JSON.stringify(next) ? undefined : 'updated';
}

/** The store, with every saved alert reported to `onChange` once the save succeeded. */
export function observeAlertStore(store: AlertStore, o: ObservedStoreOptions): AlertStore {
  // Open and acknowledged alerts as last seen (saved, or loaded at the start of a leader's term).
  const seen = new Map<string, AlertSummary>();
  const remember = (a: AlertSummary) => {
    seen.delete(a.id);
    if (a.state === 'resolved') return;
    seen.set(a.id, a);
    // A standby records acknowledgements but never the resolution: keep the map bounded.
    if (seen.size > MAX_REMEMBERED_ALERTS) seen.delete(seen.keys().next().value!);
  };
  return {
    async saveAlerts(alerts) {
      await store.saveAlerts(alerts);
      for (const a of alerts) {
        const next = o.summary(a);
        const change = changeOf(seen.get(a.id), next);
        remember(next);
        if (change === undefined) continue;
        try {
          o.onChange({ change, alert: next });
        } catch (err) {
          o.log('warn', `alerting: telling of the change of alert ${a.id} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
    },
    async active() {
      const list = await store.active();
      for (const a of list) remember(o.summary(a));
      return list;
    },
    alert: (id) => store.alert(id),
    alerts: (q) => store.alerts(q),
    deleteResolvedBefore: (before) => store.deleteResolvedBefore(before),
    saveConditions: (set, remove) => store.saveConditions(set, remove),
    conditions: () => store.conditions(),
    lease: () => store.lease(),
  };
}
