// The hand-off between deciding (rules, escalation, grouping: ./engine) and delivering (the durable
// queue and the channels: ./delivery, ./channels). A Notification is everything a channel needs to
// render and send one message to one recipient; nothing is sent that did not pass through the queue.

export const NOTIFICATION_KINDS = [
  'alert', // a rule's trigger fired (state change, state held, threshold held, change)
  'grouped', // several sensors behind one parent went Down together: one message lists them
  'escalation', // an unacknowledged alert reached the next escalation step
  'reminder', // repeat while unacknowledged
  'recovery', // the alert's sensors are back Up: told to everyone who was told of the alert
  'flapping', // a sensor started (or stopped) flapping
  'security', // a new security finding (KEV, critical)
  'delivery-failed', // a notification finally failed; sent through the fallback channel
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Who receives it, resolved to an address for the channel's kind ("oncall@hospital.example", a webhook has none). */
export interface Recipient {
  /** Contact name from the config ("dr-night-oncall"), or the channel name when the channel has no per-person address. */
  readonly name: string;
  readonly address?: string;
}

/** The values message templates may use ({{device}}, {{sensor}}, {{state}}, ...). */
export interface TemplateVars {
  readonly title: string;
  readonly state?: string;
  readonly previousState?: string;
  readonly site?: string;
  readonly group?: string;
  readonly clinicalSystem?: string;
  readonly device?: string;
  readonly host?: string;
  readonly sensor?: string;
  readonly sensorId?: string;
  readonly message?: string;
  readonly value?: string;
  /** Epoch ms the state began. */
  readonly since?: number;
  readonly consoleUrl?: string;
  /** A signed link that acknowledges the alert without logging in (expires). */
  readonly ackUrl?: string;
  /** For grouped notifications and a master's alert: the members and how many dependents are affected. */
  readonly members?: readonly { readonly sensorId: string; readonly name: string; readonly state: string; readonly message?: string }[];
  readonly affectedDependents?: number;
  /** What the operator should do now (security findings, delivery failures). */
  readonly runbook?: string;
  readonly severity?: 'info' | 'warning' | 'critical';
}

export interface Notification {
  /**
   * Deduplication key: the queue never accepts two notifications with the same key, so the same
   * alert is never sent twice to the same recipient on the same channel (alert id + kind + step +
   * recipient + channel).
   */
  readonly key: string;
  /** The alert (episode) this belongs to; acknowledgement and recovery refer to it. */
  readonly alertId: string;
  readonly ruleName: string;
  readonly kind: NotificationKind;
  /** Name of a configured channel instance (alerting.channels[].name). */
  readonly channel: string;
  /** Channel instance to use when this one finally fails. */
  readonly fallbackChannel?: string;
  readonly recipient: Recipient;
  readonly createdAt: number;
  readonly vars: TemplateVars;
}

export interface DeliveryQueue {
  /** Persists the notifications (one transaction); returns how many were new (not already queued by key). */
  enqueue(list: readonly Notification[]): Promise<number>;
}
