// The alert state the alerting engine keeps in the store (module 'alerting'): one row per alert
// episode, with the due time of its next escalation step or reminder, so that a restart re-arms
// every timer from the store instead of forgetting who still has to be paged.

import type { TemplateVars } from '../notification.ts';
import type { AlertQuery, AlertState } from '../service.ts';

export type Severity = 'info' | 'warning' | 'critical';

/** One (recipient, channel) pair that received a notification of the alert: recovery goes to each. */
export interface ToldEntry {
  readonly recipient: string;
  readonly address?: string;
  readonly channel: string;
  readonly fallbackChannel?: string;
}

/** What the engine needs to carry an episode on after a restart; kept as JSON. */
export interface AlertData {
  readonly trigger: 'state' | 'held' | 'threshold' | 'change' | 'security' | 'flapping' | 'unusual';
  readonly told: readonly ToldEntry[];
  readonly vars: TemplateVars;
  /** The alert was opened while a maintenance window of the rule was active: recorded, not sent. */
  readonly silenced?: string;
}

export interface StoredAlert {
  readonly id: string;
  readonly ruleName: string;
  readonly nodeId: string;
  readonly title: string;
  readonly state: AlertState;
  readonly severity: Severity;
  readonly openedAt: number;
  readonly resolvedAt?: number;
  readonly acknowledged?: { readonly by: string; readonly at: number; readonly note?: string; readonly via: 'console' | 'api' | 'link' };
  readonly sensorIds: readonly string[];
  readonly affectedDependents: number;
  readonly escalationStep: number;
  /** Epoch ms the next escalation step or reminder is due; absent when nothing more is due. */
  readonly nextDueAt?: number;
  /** Reminders sent so far. */
  readonly reminders: number;
  readonly data: AlertData;
}

/**
 * A condition the engine tracks between alerts (when a threshold breach began, a sensor's recent
 * state changes for flapping), kept so that a restart neither resets a "for 10 min" timer nor
 * forgets flapping. The value is JSON-compatible data.
 */
export interface StoredCondition {
  readonly key: string;
  readonly value: unknown;
}

/**
 * The leader lease: of several core processes on one database, only the holder decides and sends.
 * SQLite is single-process, so its lease is always held.
 */
export interface LeaderLease {
  /** Tries to take (or keep) the lease; true while this process holds it. Never throws. */
  acquire(): Promise<boolean>;
  /** `fn` runs once each time a held lease is lost (its connection died). */
  onLost(fn: (reason: string) => void): void;
  /** Gives the lease up (close). */
  release(): Promise<void>;
}

export interface AlertStore {
  /** Inserts or replaces the alerts (by id) in one transaction. */
  saveAlerts(alerts: readonly StoredAlert[]): Promise<void>;
  alert(id: string): Promise<StoredAlert | undefined>;
  /** Newest first (opened_at, then id), filtered and paged as AlertQuery says; limit defaults to 100. */
  alerts(q: AlertQuery): Promise<StoredAlert[]>;
  /** Every alert that is open or acknowledged, oldest first: what a restart carries on. */
  active(): Promise<StoredAlert[]>;
  /** Deletes resolved alerts resolved before `before` (epoch ms); returns how many. */
  deleteResolvedBefore(before: number): Promise<number>;
  /** Upserts `set` and deletes the keys in `remove`, in one transaction. */
  saveConditions(set: readonly StoredCondition[], remove: readonly string[]): Promise<void>;
  /** Every stored condition, by key order. */
  conditions(): Promise<StoredCondition[]>;
  /** A new lease object for this process (each call is a separate contender). */
  lease(): LeaderLease;
}

export const ALERT_QUERY_DEFAULT_LIMIT = 100;
export const ALERT_QUERY_MAX_LIMIT = 1000;

export function alertLimit(q: AlertQuery): number {
  const l = q.limit ?? ALERT_QUERY_DEFAULT_LIMIT;
  return Math.max(1, Math.min(ALERT_QUERY_MAX_LIMIT, Math.floor(l)));
}

/** The row both dialects store (times as numbers, lists and data as JSON text). */
export interface AlertRow {
  id: string;
  rule_name: string;
  node_id: string;
  title: string;
  state: string;
  severity: string;
  opened_at: number | string;
  resolved_at: number | string | null;
  ack_by: string | null;
  ack_at: number | string | null;
  ack_note: string | null;
  ack_via: string | null;
  sensor_ids: string;
  affected_dependents: number;
  escalation_step: number;
  next_due_at: number | string | null;
  reminders: number;
  data: string;
}

export function toAlertRow(a: StoredAlert): AlertRow {
  return {
    id: a.id,
    rule_name: a.ruleName,
    node_id: a.nodeId,
    title: a.title,
    state: a.state,
    severity: a.severity,
    opened_at: a.openedAt,
    resolved_at: a.resolvedAt ?? null,
    ack_by: a.acknowledged?.by ?? null,
    ack_at: a.acknowledged?.at ?? null,
    ack_note: a.acknowledged?.note ?? null,
    ack_via: a.acknowledged?.via ?? null,
    sensor_ids: JSON.stringify(a.sensorIds),
    affected_dependents: a.affectedDependents,
    escalation_step: a.escalationStep,
    next_due_at: a.nextDueAt ?? null,
    reminders: a.reminders,
    data: JSON.stringify(a.data),
  };
}

// PostgreSQL returns bigint columns as text, so every time goes through Number().
const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));

export function fromAlertRow(r: AlertRow): StoredAlert {
  const ack =
    r.ack_by !== null && r.ack_at !== null
      ? { acknowledged: { by: r.ack_by, at: num(r.ack_at), ...(r.ack_note !== null ? { note: r.ack_note } : {}), via: r.ack_via as 'console' | 'api' | 'link' } }
      : {};
  return {
    id: r.id,
    ruleName: r.rule_name,
    nodeId: r.node_id,
    title: r.title,
    state: r.state as AlertState,
    severity: r.severity as Severity,
    openedAt: num(r.opened_at),
    ...(r.resolved_at !== null ? { resolvedAt: num(r.resolved_at) } : {}),
    ...ack,
    sensorIds: JSON.parse(r.sensor_ids) as string[],
    affectedDependents: r.affected_dependents,
    escalationStep: r.escalation_step,
    ...(r.next_due_at !== null ? { nextDueAt: num(r.next_due_at) } : {}),
    reminders: r.reminders,
    data: JSON.parse(r.data) as AlertData,
  };
}
