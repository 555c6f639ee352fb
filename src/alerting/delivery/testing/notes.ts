// Notifications for the queue tests: one per recipient of an alert, keyed like the deciding side keys them.

import type { Notification } from '../../notification.ts';

export function queuedNote(i: number, channel: string, extra: Partial<Notification> = {}): Notification {
  return {
    key: `alert-${i}:alert:0:person-${i}:${channel}`,
    alertId: `alert-${i}`,
    ruleName: 'Imaging down',
    kind: 'alert',
    channel,
    recipient: { name: `person-${i}`, address: `person-${i}@hospital.example` },
    createdAt: Date.UTC(2026, 10, 29, 2, 0, 0),
    vars: { title: `PACS ${i}`, state: 'Down', severity: 'critical' },
    ...extra,
  };
}
