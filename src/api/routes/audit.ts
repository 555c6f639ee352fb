// The audit trail (administrators only): paged reading with filters, CSV/JSON export (which is
// itself audited), verification of the hash chain against its anchor outside the database, and
// resetting that anchor.

import { z } from 'zod';
import { requireAdmin } from '../auth/index.ts';
import { ProblemError, clientIp } from '../auth/http.ts';
import type { AuthServices } from '../auth/services.ts';
import type { AuditQuery, AuditRecord } from '../../audit/types.ts';
import { MAX_AUDIT_LIMIT } from '../../store/sqlite/audit.ts';
import { auditPageSchema, auditReanchorSchema, auditVerifySchema } from './auth-schemas.ts';
import type { RouteTable } from './define.ts';

const Time = z.union([z.coerce.number().int().nonnegative(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))]);
const Query = z.object({
  from: Time.optional().describe('Epoch ms or ISO 8601 time: entries from then'),
  to: Time.optional().describe('Epoch ms or ISO 8601 time: entries until then'),
  actor: z.string().min(1).max(256).optional().describe('Login name or token name'),
  action: z.string().min(1).max(128).optional().describe('An action, or a prefix ending in "." or "*" (user. for user.create, user.delete...)'),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIMIT).optional().describe('Most entries on a page (default 100)'),
  before: z.coerce.number().int().positive().optional().describe('Paging: entries older than this seq (the answer’s `next`)'),
  format: z.enum(['csv', 'json']).optional().describe('An export (a download of every matching entry, oldest first; audited) instead of a page'),
});

/** An export stops here: beyond it, narrow the time range. */
const EXPORT_MAX_ROWS = 200_000;

export interface AuditView extends Omit<AuditRecord, 'before' | 'after'> {
  readonly time: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

function view(r: AuditRecord): AuditView {
  const { before, after, ...rest } = r;
  return { ...rest, time: new Date(r.at).toISOString(), ...(before !== undefined ? { before: parseOr(before) } : {}), ...(after !== undefined ? { after: parseOr(after) } : {}) };
}

function parseOr(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s; // a cut-off long value stays text
  }
}

const CSV_COLUMNS = ['seq', 'time', 'actor', 'actorId', 'action', 'target', 'ip', 'outcome', 'before', 'after', 'detail', 'prevHash', 'hash'] as const;

export function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // A leading = + - @ would run as a formula in a spreadsheet.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function csvRow(r: AuditRecord): string {
  const vals: Partial<Record<(typeof CSV_COLUMNS)[number], unknown>> = { ...r, time: new Date(r.at).toISOString() };
  return CSV_COLUMNS.map((c) => csvCell(vals[c])).join(',');
}

const TAG = 'audit';

export function auditRoutes(routes: RouteTable, svc: AuthServices): void {
  routes.add({
    method: 'GET',
    url: '/api/audit',
    tag: TAG,
    summary: 'The audit trail, newest first and paged, or exported as CSV or JSON (the export is audited)',
    description: `With \`format\`, a download (Content-Disposition) of at most ${EXPORT_MAX_ROWS} entries, oldest first: JSON as a list of entries, or CSV.`,
    access: 'administrator',
    guard: requireAdmin,
    query: Query,
    response: auditPageSchema,
    produces: ['text/csv'],
    handler: async (req, reply, { query: q }) => {
      const actor = requireAdmin(req);
      const filter: AuditQuery = {
        ...(q.from !== undefined ? { from: q.from } : {}),
        ...(q.to !== undefined ? { to: q.to } : {}),
        ...(q.actor !== undefined ? { actor: q.actor } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        ...(q.before !== undefined ? { before: q.before } : {}),
      };
      if (q.format === undefined) {
        const entries = await svc.audit.query({ ...filter, limit: q.limit ?? 100 });
        const last = entries.at(-1);
        return { entries: entries.map(view), ...(last !== undefined && entries.length === (q.limit ?? 100) ? { next: last.seq } : {}) };
      }
      const rows: AuditRecord[] = [];
      let before = filter.before;
      while (rows.length < EXPORT_MAX_ROWS) {
        const page = await svc.audit.query({ ...filter, ...(before !== undefined ? { before } : {}), limit: MAX_AUDIT_LIMIT });
        rows.push(...page);
        const last = page.at(-1);
        if (page.length < MAX_AUDIT_LIMIT || last === undefined) break;
        before = last.seq;
      }
      rows.reverse();
      await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'audit.export', target: 'audit', ip: clientIp(req), outcome: 'ok', detail: `${rows.length} rows as ${q.format}; filter ${JSON.stringify(filter)}` });
      const stamp = new Date(svc.clock.now()).toISOString().replaceAll(':', '-');
      reply.header('Content-Disposition', `attachment; filename="wardwatch-audit-${stamp}.${q.format}"`);
      if (q.format === 'json') return reply.type('application/json').send(rows.map(view));
      return reply.type('text/csv; charset=utf-8').send([CSV_COLUMNS.join(','), ...rows.map(csvRow)].join('\r\n') + '\r\n');
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/audit/verify',
    tag: TAG,
    summary: 'Check the hash chain of the whole trail, and the anchor kept outside the database',
    access: 'administrator',
    guard: requireAdmin,
    response: auditVerifySchema,
    handler: async (req) => {
      requireAdmin(req);
      return svc.audit.verify();
    },
  });

  // After a reported truncation has been looked into (or a database backup restored): the trail
  // records who reset the anchor and what it said, then the anchor moves to the new head.
  routes.add({
    method: 'POST',
    url: '/api/audit/anchor',
    tag: TAG,
    summary: 'Reset the audit anchor to the trail’s current head, once a reported break has been looked into (audited)',
    access: 'administrator',
    guard: requireAdmin,
    response: auditReanchorSchema,
    handler: async (req) => {
      const actor = requireAdmin(req);
      const problem = await svc.audit.checkAnchor();
      const before = await svc.audit.verify();
      await svc.audit.record({ actor: actor.name, actorId: actor.id, action: 'audit.reanchor', target: 'audit', ip: clientIp(req), outcome: 'ok', before, detail: problem ?? 'the anchor agreed with the trail' });
      const reset = await svc.audit.reanchor();
      if (!reset) throw new ProblemError('BAD_REQUEST', 'the audit trail has no anchor configured (auditAnchor: false)');
      return reset;
    },
  });
}
