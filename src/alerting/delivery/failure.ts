// What happens when a notification finally fails: the notice sent through the fallback channel (a
// 'delivery-failed' notification that itself never falls back again) and the record handed to the
// onDeliveryFailed hook, which the composition root turns into a visible event.

import type { ReceivedMessage } from '../../store/store.ts';
import type { Notification } from '../notification.ts';
import type { AttemptRecord } from './types.ts';

export interface FailedDelivery {
  readonly notification: Notification;
  readonly attempts: number;
  readonly lastAttempt: AttemptRecord;
  /** The channel the failure notice was queued for, or why none was. */
  readonly fallback: { readonly channel: string } | { readonly none: string };
}

/** Key of the failure notice: one per failed notification, so a retried failure path never doubles it. */
export function failureNoticeKey(n: Notification): string {
  return `${n.key}>delivery-failed`;
}

export function failureNotice(n: Notification, channel: string, attempts: number, last: AttemptRecord, now: number): Notification {
  const what = n.vars.title;
  return {
    key: failureNoticeKey(n),
    alertId: n.alertId,
    ruleName: n.ruleName,
    kind: 'delivery-failed',
    channel,
    recipient: n.recipient,
    createdAt: now,
    vars: {
      ...n.vars,
      title: `Could not deliver "${what}" to ${n.recipient.name} through ${n.channel}`,
      message: `${attempts} attempt${attempts === 1 ? '' : 's'} failed; the last one: ${last.error ?? last.status}`,
      runbook: `Check the "${n.channel}" channel (server reachable, credentials, address of ${n.recipient.name}), then look at the alert in Wardwatch: it was not delivered there.`,
      severity: 'critical',
    },
  };
}

/** Which fallback applies, or why none does (never a loop: a failure notice has no fallback). */
export function fallbackFor(n: Notification, instanceFallback: string | undefined, configured: (name: string) => boolean): { channel: string } | { none: string } {
  if (n.kind === 'delivery-failed') return { none: 'a delivery-failed notice is never passed on again' };
  const name = n.fallbackChannel ?? instanceFallback;
  if (name === undefined) return { none: `channel "${n.channel}" has no fallback` };
  if (name === n.channel) return { none: `the fallback of "${n.channel}" is the same channel` };
  if (!configured(name)) return { none: `fallback channel "${name}" is not configured` };
  return { channel: name };
}

/**
 * The visible trace of a final failure, as an entry of the message log (receiver "alerting"), so it
 * shows in the console and GET /api/messages next to syslog and traps: the composition root's
 * onDeliveryFailed can append it as is.
 */
export function deliveryFailedMessage(f: FailedDelivery, now: number): ReceivedMessage {
  const n = f.notification;
  const tail = 'channel' in f.fallback ? `; notice sent through "${f.fallback.channel}"` : `; ${f.fallback.none}`;
  return {
    receiver: 'alerting',
    ts: now,
    source: n.channel,
    severity: n.kind === 'delivery-failed' ? 'critical' : 'error',
    text: `delivery failed: ${n.kind} "${n.vars.title}" to ${n.recipient.name} through ${n.channel} after ${f.attempts} attempt${f.attempts === 1 ? '' : 's'}: ${f.lastAttempt.error ?? f.lastAttempt.status}${tail}`,
    data: { key: n.key, alertId: n.alertId, rule: n.ruleName, kind: n.kind, channel: n.channel, recipient: n.recipient.name, attempts: f.attempts, lastStatus: f.lastAttempt.status, fallback: f.fallback },
  };
}
