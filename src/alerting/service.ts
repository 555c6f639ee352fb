// What the rest of Wardwatch (the API, the console, the security part) asks of alerting. The
// implementation lives in ./engine; routes and other parts depend only on this interface.

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export interface AlertSummary {
  readonly id: string;
  readonly ruleName: string;
  /** The sensor, or for a grouped alert the common parent node (device, group, probe). */
  readonly nodeId: string;
  readonly title: string;
  readonly state: AlertState;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly openedAt: number;
  readonly resolvedAt?: number;
  readonly acknowledged?: { readonly by: string; readonly at: number; readonly note?: string; readonly via: 'console' | 'api' | 'link' };
  /** Sensors in the alert (1 unless grouped). */
  readonly sensorIds: readonly string[];
  /** Sensors paused by dependency behind this alert's sensors. */
  readonly affectedDependents: number;
  /** Escalation step reached (0 = first recipients). */
  readonly escalationStep: number;
}

/** What happened to an alert, as the console's live alerts page is told. */
export const ALERT_CHANGES = ['opened', 'acknowledged', 'escalated', 'resolved', 'updated'] as const;
export type AlertChangeKind = (typeof ALERT_CHANGES)[number];

/**
 * One change of an alert, after it was saved: `updated` is anything else the console shows (sensors
 * joining a grouped alert, the count of dependents); an alert told once and closed at once (a
 * change notice) arrives as `resolved`.
 */
export interface AlertChange {
  readonly change: AlertChangeKind;
  readonly alert: AlertSummary;
}

export interface AlertQuery {
  readonly state?: AlertState;
  /** Alerts at or below this node. */
  readonly nodeId?: string;
  readonly limit?: number;
  /** Paging: alerts opened before this one. */
  readonly before?: string;
}

/** A security finding handed to alerting (new KEV or critical finding). */
export interface SecurityFindingNotice {
  readonly findingId: string;
  readonly deviceId: string;
  readonly title: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly kev: boolean;
  readonly runbook: string;
}

export interface AlertingService {
  alerts(q: AlertQuery): Promise<AlertSummary[]>;
  alert(id: string): Promise<AlertSummary | undefined>;
  /** Stops escalation and reminders; records who, when, why and through what. Idempotent. */
  acknowledge(alertId: string, by: string, note: string | undefined, via: 'console' | 'api' | 'link'): Promise<AlertSummary>;
  /** Checks a signed acknowledgement link's token (from an email or chat message). */
  verifyAckToken(token: string): { readonly ok: true; readonly alertId: string; readonly recipient: string } | { readonly ok: false; readonly reason: string };
  /** A new security finding; notifies through the rules that have a security trigger. */
  securityFinding(f: SecurityFindingNotice): Promise<void>;
}
