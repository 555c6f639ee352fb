// Alerts through the API: the list (open first), one alert, acknowledgement by a signed-in user,
// and the signed acknowledgement link from an email or chat message: GET shows a small confirm
// page (a link preview or a mail scanner must not acknowledge anything), POST acknowledges.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ALERT_STATES, type AlertingService, type AlertSummary } from '../../alerting/service.ts';
import { requireLevel, sessionOf } from '../auth/index.ts';
import { ApiProblem, problem } from '../problem.ts';
import { audit, principalOf, visibility, type RouteContext } from './context.ts';
import { alertListSchema, alertSchema } from './schemas.ts';

const listQuery = z.strictObject({
  state: z.enum(ALERT_STATES).optional(),
  node: z.string().min(1).optional().describe('Alerts at or below this object'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.string().min(1).optional().describe('Cursor: alerts opened before this alert id'),
});
const alertParams = z.strictObject({ id: z.string().min(1) });
const ackBody = z.strictObject({ note: z.string().max(1000).optional() });
const linkQuery = z.strictObject({ token: z.string().min(1).max(4000) });
const linkBody = z.strictObject({ token: z.string().min(1).max(4000), note: z.string().max(1000).optional() });

const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><title>${escapeHtml(title)} — Wardwatch</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;background:#111;color:#eee}button{font-size:1.1rem;padding:.6rem 1.2rem}textarea{width:100%}</style></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
  return reply.code(status).header('content-security-policy', PAGE_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(html);
}

function describe(a: AlertSummary): string {
  const ack = a.acknowledged ? `<p>✔ Acknowledged by ${escapeHtml(a.acknowledged.by)} at ${new Date(a.acknowledged.at).toISOString()}.</p>` : '';
  return `<p><strong>${escapeHtml(a.title)}</strong></p><p>State: ${escapeHtml(a.state)} · severity ${escapeHtml(a.severity)} · opened ${new Date(a.openedAt).toISOString()}</p>${ack}`;
}

function needAlerting(svc: { alerting?: AlertingService }): AlertingService {
  if (!svc.alerting) throw new ApiProblem(problem('API_UNAVAILABLE', 'alerting is not running in this Wardwatch'));
  return svc.alerting;
}

export function alertRoutes(ctx: RouteContext): void {
  const { svc, routes, index } = ctx;

  routes.add({
    method: 'GET',
    url: '/api/alerts',
    tag: 'alerts',
    summary: 'Alerts, newest first (filter by state and subtree), paged by cursor',
    access: 'read on the alert’s object; only readable alerts are listed',
    query: listQuery,
    response: alertListSchema,
    handler: async (req, _reply, { query }) => {
      const alerting = needAlerting(svc);
      const tree = index.tree();
      if (query.node !== undefined) requireLevel(req, tree, query.node, 'read');
      const vis = visibility(req, tree, index);
      const list = await alerting.alerts({ ...(query.state ? { state: query.state } : {}), ...(query.node !== undefined ? { nodeId: query.node } : {}), limit: query.limit, ...(query.before !== undefined ? { before: query.before } : {}) });
      const items = list.filter((a) => vis.canRead(a.nodeId));
      return { items, next: list.length === query.limit ? (list.at(-1)?.id ?? null) : null };
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/alerts/:id',
    tag: 'alerts',
    summary: 'One alert',
    access: 'read on the alert’s object',
    params: alertParams,
    response: alertSchema,
    handler: async (req, _reply, { params }) => {
      const a = await needAlerting(svc).alert(params.id);
      if (!a || !visibility(req, index.tree(), index).shows(a.nodeId)) throw new ApiProblem(problem('NOT_FOUND', `no alert with id "${params.id}"`));
      requireLevel(req, index.tree(), a.nodeId, 'read');
      return a;
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/alerts/:id/acknowledge',
    tag: 'alerts',
    summary: 'Acknowledges an alert: escalation and reminders stop',
    access: 'acknowledge on the alert’s object',
    params: alertParams,
    body: ackBody.optional(),
    handler: async (req, _reply, { params, body }) => {
      const alerting = needAlerting(svc);
      const a = await alerting.alert(params.id);
      if (!a || !visibility(req, index.tree(), index).shows(a.nodeId)) throw new ApiProblem(problem('NOT_FOUND', `no alert with id "${params.id}"`));
      requireLevel(req, index.tree(), a.nodeId, 'acknowledge');
      const p = principalOf(req);
      const done = await alerting.acknowledge(a.id, p.name, body?.note, sessionOf(req) ? 'console' : 'api');
      await audit(ctx, req, { action: 'alert.acknowledge', target: `alert:${a.id}`, outcome: 'ok', before: { state: a.state }, after: { state: done.state }, ...(body?.note !== undefined ? { detail: body.note } : {}) });
      return done;
    },
  });

  const fromLink = async (req: FastifyRequest, reply: FastifyReply, token: string) => {
    const alerting = needAlerting(svc);
    const v = alerting.verifyAckToken(token);
    if (!v.ok) {
      await svc.auth.audit.record({ actor: 'anonymous', action: 'alert.acknowledge', target: 'link', ip: req.ip, outcome: 'denied', detail: v.reason });
      return { alerting, verified: undefined, refused: page(reply, 403, 'This link cannot be used', `<p>${escapeHtml(v.reason)}</p><p>Open the Wardwatch console to acknowledge the alert.</p>`) };
    }
    const a = await alerting.alert(v.alertId);
    if (!a) return { alerting, verified: undefined, refused: page(reply, 404, 'Alert not found', '<p>The alert no longer exists.</p>') };
    return { alerting, verified: { alert: a, recipient: v.recipient }, refused: undefined };
  };

  routes.add({
    method: 'GET',
    url: '/api/alerts/ack',
    tag: 'alerts',
    summary: 'Signed acknowledgement link: shows the alert and a confirm button (acknowledges nothing)',
    access: 'public (the signed token)',
    public: true,
    query: linkQuery,
    produces: ['text/html'],
    handler: async (req, reply, { query }) => {
      const r = await fromLink(req, reply, query.token);
      if (r.refused) return r.refused;
      const { alert } = r.verified;
      if (alert.acknowledged || alert.state !== 'open') return page(reply, 200, 'Nothing to acknowledge', describe(alert));
      const form = `<form method="post" action="/api/alerts/ack"><input type="hidden" name="token" value="${escapeHtml(query.token)}"><p><label>Note (optional)<br><textarea name="note" rows="3" maxlength="1000"></textarea></label></p><p><button type="submit">Acknowledge as ${escapeHtml(r.verified.recipient)}</button></p></form>`;
      return page(reply, 200, 'Acknowledge this alert?', describe(alert) + form);
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/alerts/ack',
    tag: 'alerts',
    summary: 'Acknowledges the alert of a signed link (form or JSON body)',
    access: 'public (the signed token)',
    public: true,
    body: linkBody,
    consumes: ['application/x-www-form-urlencoded'],
    produces: ['text/html'],
    handler: async (req, reply, { body }) => {
      const r = await fromLink(req, reply, body.token);
      if (r.refused) return r.refused;
      const { alert, recipient } = r.verified;
      const done = await r.alerting.acknowledge(alert.id, recipient, body.note === '' ? undefined : body.note, 'link');
      await svc.auth.audit.record({ actor: recipient, action: 'alert.acknowledge', target: `alert:${alert.id}`, ip: req.ip, outcome: 'ok', before: { state: alert.state }, after: { state: done.state }, detail: 'signed link' });
      return page(reply, 200, 'Acknowledged', describe(done));
    },
  });
}
