// Notifications of the durable delivery queue and their attempts (issue #5 "nothing dropped
// without a trace"): who was told what, through which channel, and what every attempt answered.
// A caller sees a notification when they may read its alert's object; the delivery-failed notices
// (about a channel that could not deliver) and notifications whose object is gone are the
// administrators' business only.

import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DELIVERY_STATUSES, type DeliveryStatus, type NotificationWithAttempts } from '../../alerting/delivery/types.ts';
import { ApiProblem, problem } from '../problem.ts';
import type { ApiServices } from '../services.ts';
import { principalOf, visibility, type RouteContext } from './context.ts';
import { notificationCountsSchema, notificationDetailSchema, notificationListSchema } from './schemas.ts';

const listQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES).optional(),
  alert: z.string().min(1).optional().describe('Only the notifications of this alert'),
  channel: z.string().min(1).optional().describe('Only those sent through this channel instance'),
  limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Most notifications to return'),
  before: z.coerce.number().int().min(1).optional().describe('Cursor: notifications queued before this id (the previous page’s `next`)'),
});
const keyParams = z.strictObject({ key: z.string().min(1).max(2000).describe('The notification’s deduplication key') });

/** Most rows a restricted caller's counts look through (administrators read the store's own counts). */
export const COUNTS_SCAN_MAX = 20_000;

type Svc = NonNullable<ApiServices['notifications']>;

function needDelivery(svc: ApiServices): Svc {
  if (!svc.notifications) throw new ApiProblem(problem('API_UNAVAILABLE', 'notification delivery is not running in this Wardwatch'));
  return svc.notifications;
}

function summary(n: NotificationWithAttempts, nodeId: string | undefined) {
  const x = n.notification;
  return {
    id: n.id,
    key: x.key,
    alertId: x.alertId,
    nodeId: nodeId ?? null,
    ruleName: x.ruleName,
    kind: x.kind,
    channel: x.channel,
    ...(x.fallbackChannel !== undefined ? { fallbackChannel: x.fallbackChannel } : {}),
    recipient: x.recipient.name,
    title: x.vars.title,
    status: n.status,
    attempts: n.attempts,
    createdAt: x.createdAt,
    enqueuedAt: n.enqueuedAt,
    dueAt: n.dueAt,
    ...(n.deliveredAt !== undefined ? { deliveredAt: n.deliveredAt } : {}),
    ...(n.failedAt !== undefined ? { failedAt: n.failedAt } : {}),
    ...(n.lastStatus !== undefined ? { lastStatus: n.lastStatus } : {}),
    ...(n.lastError !== undefined ? { lastError: n.lastError } : {}),
  };
}

function detail(n: NotificationWithAttempts, nodeId: string | undefined) {
  const x = n.notification;
  return {
    ...summary(n, nodeId),
    address: x.recipient.address ?? null,
    vars: x.vars,
    attemptLog: n.attemptLog.map((a) => ({
      attempt: a.attempt,
      startedAt: a.startedAt,
      durationMs: a.durationMs,
      ok: a.ok,
      status: a.status,
      response: a.response ?? null,
      error: a.error ?? null,
      retryable: a.retryable ?? null,
      owner: a.owner,
    })),
  };
}

export function notificationRoutes(ctx: RouteContext): void {
  const { svc, routes, index } = ctx;

  /** Who may see which notification, worked out once per request (alert lookups are cached). */
  const viewer = (req: FastifyRequest) => {
    const p = principalOf(req);
    const tree = index.tree();
    const vis = visibility(req, tree, index);
    const nodeOfAlert = new Map<string, Promise<string | undefined>>();
    const nodeOf = (n: NotificationWithAttempts): Promise<string | undefined> => {
      const alertId = n.notification.alertId;
      let found = nodeOfAlert.get(alertId);
      if (!found) {
        // The alert names its object; without alerting (or once the alert is gone) the sensor in the message does.
        const fallback = n.notification.vars.sensorId;
        found = (svc.alerting ? svc.alerting.alert(alertId).then((a) => a?.nodeId ?? fallback) : Promise.resolve(fallback)).catch(() => fallback);
        nodeOfAlert.set(alertId, found);
      }
      return found;
    };
    const sees = async (n: NotificationWithAttempts): Promise<{ ok: boolean; nodeId: string | undefined }> => {
      const nodeId = await nodeOf(n);
      if (p.admin) return { ok: true, nodeId };
      const ok = n.notification.kind !== 'delivery-failed' && nodeId !== undefined && tree.nodes.has(nodeId) && vis.canRead(nodeId);
      return { ok, nodeId };
    };
    return { admin: p.admin, sees };
  };

  routes.add({
    method: 'GET',
    url: '/api/notifications',
    tag: 'notifications',
    summary: 'Notifications of the delivery queue, newest first (filter by status, alert, channel), paged by cursor',
    access: 'read on the alert’s object; delivery-failed notices: administrator',
    query: listQuery,
    response: notificationListSchema,
    handler: async (req, _reply, { query }) => {
      const delivery = needDelivery(svc);
      const v = viewer(req);
      const raw = await delivery.list({
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(query.alert !== undefined ? { alertId: query.alert } : {}),
        ...(query.channel !== undefined ? { channel: query.channel } : {}),
        ...(query.before !== undefined ? { beforeId: query.before } : {}),
      });
      const items = [];
      for (const n of raw) {
        const s = await v.sees(n);
        if (s.ok) items.push(summary(n, s.nodeId));
      }
      // The cursor follows the rows read, not the rows shown: a page may be short, never skipped.
      return { items, next: raw.length === query.limit ? (raw.at(-1)?.id ?? null) : null };
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/notifications/counts',
    tag: 'notifications',
    summary: 'How many notifications are pending, sending, delivered and failed (of those the caller may see)',
    access: 'signed in; counts only the notifications the caller may see',
    response: notificationCountsSchema,
    handler: async (req) => {
      const delivery = needDelivery(svc);
      const v = viewer(req);
      if (v.admin) return { ...(await delivery.counts()), partial: false };
      const counts: Record<DeliveryStatus, number> = { pending: 0, sending: 0, delivered: 0, failed: 0 };
      let scanned = 0;
      let before: number | undefined;
      for (;;) {
        const rows = await delivery.list({ limit: 1000, ...(before !== undefined ? { beforeId: before } : {}) });
        for (const n of rows) if ((await v.sees(n)).ok) counts[n.status]++;
        scanned += rows.length;
        if (rows.length < 1000) return { ...counts, partial: false };
        // Bounded work per request: a restricted caller's counts cover the newest rows only.
        if (scanned >= COUNTS_SCAN_MAX) return { ...counts, partial: true };
        before = rows.at(-1)!.id;
      }
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/notifications/:key',
    tag: 'notifications',
    summary: 'One notification with every delivery attempt (status, response, error, duration)',
    access: 'read on the alert’s object; delivery-failed notices: administrator',
    params: keyParams,
    response: notificationDetailSchema,
    handler: async (req, _reply, { params }) => {
      const delivery = needDelivery(svc);
      const v = viewer(req);
      const n = await delivery.get(params.key);
      // One answer for unknown and unreadable, so that keys cannot be probed.
      const s = n ? await v.sees(n) : undefined;
      if (!n || !s?.ok) throw new ApiProblem(problem('NOT_FOUND', `no notification with key "${params.key}"`));
      return detail(n, s.nodeId);
    },
  });
}
