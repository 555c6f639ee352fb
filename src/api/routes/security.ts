// The security posture through the API: findings (filtered to what the caller may read) and their
// triage, device inventories by hand or from an SBOM, model SBOMs, feed and VEX imports, VEX export
// and the posture report. Rights: read on a device to see its findings, write to change its
// inventory or triage them; models and feeds span devices and need an administrator.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Tree } from '../../core/tree.ts';
import { buildReport, reportCsv } from '../../security/report/report.ts';
import { SecurityInputError } from '../../security/service/service.ts';
import type { ImportProgress, SecurityService } from '../../security/service/service.ts';
import type { SecurityStore, StoredFinding } from '../../security/store.ts';
import { importVex } from '../../security/vex/import.ts';
import type { Triage } from '../../security/vex/triage.ts';
import { exportVex } from '../../security/vex/vex.ts';
import { clientIp } from '../auth/http.ts';
import { requireAdmin, requireLevel, visibleFilter } from '../auth/index.ts';
import { ApiProblem, problem, sendProblem } from '../problem.ts';

export interface SecurityRouteDeps {
  readonly service: SecurityService;
  readonly store: SecurityStore;
  readonly triage: Triage;
  readonly tree: () => Tree;
  readonly clock: { now(): number };
  /** Fresh ids for exported documents. */
  readonly uuid: () => string;
}

const FEED_LIMIT = 512 * 1024 * 1024;
const SBOM_LIMIT = 32 * 1024 * 1024;

const findingsQuery = z.strictObject({
  device: z.string().min(1).optional(),
  open: z.enum(['true', 'false']).optional(),
  kev: z.enum(['true', 'false']).optional(),
});
const idParams = z.strictObject({ id: z.string().min(1) });
const nameParams = z.strictObject({ name: z.string().min(1) });
const reportQuery = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });
const vexQuery = z.strictObject({ device: z.string().min(1).optional(), model: z.string().min(1).optional() });

const component = z.strictObject({
  id: z.string().min(1), name: z.string().min(1), version: z.string().optional(), supplier: z.string().optional(), vendor: z.string().optional(),
  purl: z.string().optional(), cpe: z.string().optional(), hashes: z.array(z.string()).optional(), dependsOn: z.array(z.string()).default([]),
  endOfSupport: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date like 2027-12-31' }).optional(), levelOfSupport: z.string().optional(),
});
const inventoryBody = z.strictObject({
  manufacturer: z.string().optional(), model: z.string().optional(), version: z.string().optional(), components: z.array(component).default([]),
});

function parse<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const errors = r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new ApiProblem(problem('BAD_REQUEST', errors.map((e) => `${e.path}: ${e.message}`).join('; '), 400, errors));
}

/** Service input errors (malformed SBOM, feed, VEX, analysis) as 422 problems with their path. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SecurityInputError) throw new ApiProblem(problem('API_VALIDATION', e.message));
    throw e;
  }
}

/** Findings of a model (no device yet) are for administrators; device findings need read on the device. */
function canSee(req: FastifyRequest, visible: (id: string) => boolean, f: Pick<StoredFinding, 'deviceId'>): boolean {
  return f.deviceId !== undefined ? visible(f.deviceId) : req.principal?.admin === true;
}

function actor(req: FastifyRequest) {
  const p = req.principal;
  return { name: p?.name ?? 'anonymous', ...(p ? { id: p.id } : {}), ip: clientIp(req) };
}

function bodyText(req: FastifyRequest): string {
  return typeof req.body === 'string' ? req.body : JSON.stringify(req.body ?? null);
}

export function securityRoutes(app: FastifyInstance, deps: SecurityRouteDeps): void {
  const { service, store, triage } = deps;
  let importing: (ImportProgress & { readonly startedAt: number }) | undefined;
  let lastImport: unknown;

  const deviceNode = (id: string) => {
    const n = deps.tree().nodes.get(id);
    if (n?.type !== 'device') throw new ApiProblem(problem('NOT_FOUND', `no device "${id}" in the tree`));
    return n;
  };

  app.get('/api/security/findings', async (req) => {
    const q = parse(findingsQuery, req.query, 'query');
    if (q.device !== undefined) requireLevel(req, deps.tree(), q.device, 'read');
    const visible = visibleFilter(req, deps.tree());
    const list = await store.findings({ ...(q.device !== undefined ? { subject: q.device } : {}), ...(q.open !== undefined ? { open: q.open === 'true' } : {}) });
    return list.filter((f) => canSee(req, visible, f) && (q.kev === undefined || (f.kev !== undefined) === (q.kev === 'true'))).sort((a, b) => b.risk.score - a.risk.score);
  });

  app.get('/api/security/findings/:id', async (req) => {
    const { id } = parse(idParams, req.params, 'params');
    const f = await store.finding(id);
    if (f === undefined) throw new ApiProblem(problem('NOT_FOUND', `no finding "${id}"`));
    if (f.deviceId !== undefined) requireLevel(req, deps.tree(), f.deviceId, 'read');
    else requireAdmin(req);
    return f;
  });

  app.put('/api/security/findings/:id/analysis', async (req) => {
    const { id } = parse(idParams, req.params, 'params');
    const f = await store.finding(id);
    if (f === undefined) throw new ApiProblem(problem('NOT_FOUND', `no finding "${id}"`));
    if (f.deviceId !== undefined) requireLevel(req, deps.tree(), f.deviceId, 'write');
    else requireAdmin(req);
    return guarded(() => triage.set(id, req.body, actor(req)));
  });

  app.get('/api/security/devices/:id/inventory', async (req) => {
    const { id } = parse(idParams, req.params, 'params');
    requireLevel(req, deps.tree(), id, 'read');
    const inv = await store.device(id);
    if (inv === undefined) throw new ApiProblem(problem('NOT_FOUND', `device "${id}" has no software inventory`));
    return inv;
  });

  app.put('/api/security/devices/:id/inventory', async (req) => {
    const { id } = parse(idParams, req.params, 'params');
    deviceNode(id);
    requireLevel(req, deps.tree(), id, 'write');
    const body = parse(inventoryBody, req.body, 'body');
    const scan = await guarded(() => service.setDevice({ deviceId: id, ...body }));
    return { inventory: await store.device(id), scan };
  });

  app.delete('/api/security/devices/:id/inventory', async (req, reply) => {
    const { id } = parse(idParams, req.params, 'params');
    requireLevel(req, deps.tree(), id, 'full');
    if (!(await store.deleteDevice(id))) throw new ApiProblem(problem('NOT_FOUND', `device "${id}" has no software inventory`));
    await service.scan();
    return reply.code(204).send();
  });

  app.put('/api/security/models/:name/inventory', async (req) => {
    const { name } = parse(nameParams, req.params, 'params');
    requireAdmin(req);
    const body = parse(inventoryBody.omit({ model: true }), req.body, 'body');
    const scan = await guarded(() => service.setModel({ name, ...body }));
    return { inventory: await store.model(name), scan };
  });

  app.post('/api/security/devices/:id/sbom', { bodyLimit: SBOM_LIMIT }, async (req) => {
    const { id } = parse(idParams, req.params, 'params');
    deviceNode(id);
    requireLevel(req, deps.tree(), id, 'write');
    return guarded(() => service.importSbom(bodyText(req), { deviceId: id }, 'body'));
  });

  app.get('/api/security/models', async (req) => {
    requireAdmin(req);
    return store.models();
  });

  app.post('/api/security/models/:name/sbom', { bodyLimit: SBOM_LIMIT }, async (req) => {
    const { name } = parse(nameParams, req.params, 'params');
    requireAdmin(req);
    return guarded(() => service.importSbom(bodyText(req), { model: name }, 'body'));
  });

  app.post('/api/security/feeds', { bodyLimit: FEED_LIMIT }, async (req, reply: FastifyReply) => {
    requireAdmin(req);
    if (importing !== undefined) return sendProblem(reply, problem('API_CONFLICT', `a feed import is running (${importing.phase}, ${importing.records} records)`));
    const startedAt = deps.clock.now();
    importing = { phase: 'read', records: 0, elapsedMs: 0, startedAt };
    try {
      const r = await guarded(() => service.importFeeds([{ name: 'body', text: bodyText(req) }], (p) => {
        importing = { ...p, startedAt };
      }, () => deps.clock.now() - startedAt));
      lastImport = { ...r, finishedAt: deps.clock.now() };
      return r;
    } finally {
      importing = undefined;
    }
  });

  app.get('/api/security/feeds/import', async (req) => {
    requireAdmin(req);
    return { running: importing ?? null, last: lastImport ?? null };
  });

  app.post('/api/security/vex', { bodyLimit: SBOM_LIMIT }, async (req) => {
    const q = parse(vexQuery, req.query, 'query');
    if (q.device !== undefined) requireLevel(req, deps.tree(), q.device, 'write');
    else requireAdmin(req);
    return guarded(() => importVex(store, triage, bodyText(req), 'body', { deviceId: q.device, model: q.model }, actor(req)));
  });

  app.get('/api/security/vex', async (req) => {
    const q = parse(vexQuery.pick({ device: true }), req.query, 'query');
    if (q.device !== undefined) requireLevel(req, deps.tree(), q.device, 'read');
    const visible = visibleFilter(req, deps.tree());
    const list = (await store.findings(q.device !== undefined ? { subject: q.device } : {})).filter((f) => canSee(req, visible, f));
    return exportVex(list, { now: deps.clock.now(), serial: `urn:uuid:${deps.uuid()}` });
  });

  app.get('/api/security/report', async (req, reply) => {
    const { format } = parse(reportQuery, req.query, 'query');
    const tree = deps.tree();
    const visible = visibleFilter(req, tree);
    const admin = req.principal?.admin === true;
    // Models are needed for their devices' components; their own rows are for administrators.
    const rows = buildReport({
      findings: (await store.findings()).filter((f) => canSee(req, visible, f)),
      devices: (await store.devices()).filter((d) => visible(d.deviceId)),
      models: await store.models(),
      tree, now: deps.clock.now(),
    }).filter((r) => admin || !(r.scope === 'device' && r.key.startsWith('model:')));
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="security-report.csv"').send(reportCsv(rows));
    return rows;
  });
}
