// The security posture through the API: findings (filtered to what the caller may read) and their
// triage, device inventories by hand or from an SBOM, model SBOMs, feed and VEX imports, VEX export
// and the posture report. Rights: read on a device to see its findings, write to change its
// inventory or triage them; models and feeds span devices and need an administrator.

import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Tree } from '../../core/tree.ts';
import { buildReport, reportCsv } from '../../security/report/report.ts';
import { SecurityInputError } from '../../security/service/service.ts';
import type { ImportProgress, SecurityService } from '../../security/service/service.ts';
import type { SecurityStore, StoredFinding } from '../../security/store.ts';
import { importVex } from '../../security/vex/import.ts';
import { analysisInput, type Triage } from '../../security/vex/triage.ts';
import { exportVex } from '../../security/vex/vex.ts';
import { atLeast, levelAt, type AccessLevel } from '../access.ts';
import { clientIp } from '../auth/http.ts';
import { requireAdmin, requireLevel, visibleFilter } from '../auth/index.ts';
import { ApiProblem, problem, sendProblem } from '../problem.ts';
import type { RouteTable } from './define.ts';
import * as S from './security-schemas.ts';

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

const deviceId = z.string().min(1).describe('Id of a device in the tree');
const findingsQuery = z.strictObject({
  device: deviceId.optional().describe('Only this device’s findings (needs read on it)'),
  open: z.enum(['true', 'false']).optional().describe('Only open (true) or closed (false) findings'),
  kev: z.enum(['true', 'false']).optional().describe('Only findings in CISA’s Known Exploited Vulnerabilities catalog (true), or not in it (false)'),
});
const findingParams = z.strictObject({ id: z.string().min(1).describe('Id of the finding') });
const deviceParams = z.strictObject({ id: deviceId });
const modelParams = z.strictObject({ name: z.string().min(1).describe('Name of the device model') });
const reportQuery = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });
const vexQuery = z.strictObject({ device: deviceId.optional().describe('Apply only to this device’s findings (needs write on it; otherwise administrators only)'), model: z.string().min(1).optional().describe('Apply only to this model’s findings') });

const component = z.strictObject({
  id: z.string().min(1), name: z.string().min(1), version: z.string().optional(), supplier: z.string().optional(), vendor: z.string().optional(),
  purl: z.string().optional(), cpe: z.string().optional(), hashes: z.array(z.string()).optional(), dependsOn: z.array(z.string()).default([]),
  endOfSupport: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date like 2027-12-31' }).optional(), levelOfSupport: z.string().optional(),
});
const inventoryBody = z.strictObject({
  manufacturer: z.string().optional(), model: z.string().optional(), version: z.string().optional(), components: z.array(component).default([]),
});

/** A document read as sent (rawBody): the service parses it and names what is wrong in it. */
const documentBody = (what: string) =>
  z.string({ error: `expected ${what}, got nothing` }).min(1, { error: `expected ${what}, got an empty body` }).describe(`${what[0]?.toUpperCase() ?? ''}${what.slice(1)}`);
/** What raw-body routes accept besides JSON: the same documents under their own media types. */
const DOCUMENT_TYPES = ['application/vnd.cyclonedx+json', 'application/spdx+json', 'text/plain'] as const;

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

const TAG = 'security';

export function securityRoutes(routes: RouteTable, deps: SecurityRouteDeps): void {
  const { service, store, triage } = deps;
  let importing: (ImportProgress & { readonly startedAt: number }) | undefined;
  let lastImport: unknown;

  const noDevice = (id: string) => new ApiProblem(problem('NOT_FOUND', `no device "${id}" in the tree`));
  const noInventory = (id: string) => new ApiProblem(problem('NOT_FOUND', `device "${id}" has no software inventory`));
  const noFinding = (id: string) => new ApiProblem(problem('NOT_FOUND', `no finding "${id}"`));
  const deviceNode = (id: string) => {
    const n = deps.tree().nodes.get(id);
    if (n?.type !== 'device') throw noDevice(id);
    return n;
  };
  /**
   * As the monitoring routes (requireOn): a device the caller may not read at all is answered with
   * `missing`, the words an unknown one gets, so that probing ids tells nothing about what exists
   * outside one's rights (the refusal is still audited); 403 only when they read it but lack `level`.
   */
  const onDevice = (req: FastifyRequest, id: string, level: AccessLevel, missing: ApiProblem): void => {
    const tree = deps.tree();
    const p = req.principal;
    if (p?.admin === true) return;
    if (tree.nodes.get(id)?.type !== 'device') throw missing;
    if (!p || !atLeast(levelAt(p, tree, id), 'read')) {
      try {
        requireLevel(req, tree, id, level);
      } catch {
        // audited as access.denied; the answer hides the device
      }
      throw missing;
    }
    requireLevel(req, tree, id, level);
  };

  routes.add({
    method: 'GET',
    url: '/api/security/findings',
    tag: TAG,
    summary: 'Vulnerability findings the caller may read, highest risk first',
    access: 'read on each device (findings of models without devices: administrator)',
    query: findingsQuery,
    response: z.array(S.findingSchema),
    handler: async (req, _reply, { query: q }) => {
      if (q.device !== undefined) requireLevel(req, deps.tree(), q.device, 'read');
      const visible = visibleFilter(req, deps.tree());
      const list = await store.findings({ ...(q.device !== undefined ? { subject: q.device } : {}), ...(q.open !== undefined ? { open: q.open === 'true' } : {}) });
      return list.filter((f) => canSee(req, visible, f) && (q.kev === undefined || (f.kev !== undefined) === (q.kev === 'true'))).sort((a, b) => b.risk.score - a.risk.score);
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/security/findings/:id',
    tag: TAG,
    summary: 'One finding: what matched, its risk score explained, its runbook and triage',
    access: 'read on its device (a model’s finding: administrator)',
    params: findingParams,
    response: S.findingSchema,
    handler: async (req, _reply, { params: { id } }) => {
      const f = await store.finding(id);
      if (f === undefined) throw noFinding(id);
      if (f.deviceId !== undefined) onDevice(req, f.deviceId, 'read', noFinding(id));
      else requireAdmin(req);
      return f;
    },
  });

  routes.add({
    method: 'PUT',
    url: '/api/security/findings/:id/analysis',
    tag: TAG,
    summary: 'Triage a finding (CycloneDX VEX analysis: state, justification, responses, detail); audited',
    access: 'write on its device (a model’s finding: administrator)',
    params: findingParams,
    body: analysisInput,
    response: S.findingSchema,
    handler: async (req, _reply, { params: { id }, body }) => {
      const f = await store.finding(id);
      if (f === undefined) throw noFinding(id);
      if (f.deviceId !== undefined) onDevice(req, f.deviceId, 'write', noFinding(id));
      else requireAdmin(req);
      return guarded(() => triage.set(id, body, actor(req)));
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/security/devices/:id/inventory',
    tag: TAG,
    summary: 'The software inventory of a device',
    access: 'read on the device',
    params: deviceParams,
    response: S.deviceInventorySchema,
    handler: async (req, _reply, { params: { id } }) => {
      onDevice(req, id, 'read', noInventory(id));
      const inv = await store.device(id);
      if (inv === undefined) throw noInventory(id);
      return inv;
    },
  });

  routes.add({
    method: 'PUT',
    url: '/api/security/devices/:id/inventory',
    tag: TAG,
    summary: 'Set a device’s software inventory by hand (or name its model), then rescan',
    access: 'write on the device',
    params: deviceParams,
    body: inventoryBody,
    response: z.object({ inventory: S.deviceInventorySchema, scan: S.scanSummarySchema }),
    handler: async (req, _reply, { params: { id }, body }) => {
      deviceNode(id);
      onDevice(req, id, 'write', noDevice(id));
      const scan = await guarded(() => service.setDevice({ deviceId: id, ...body }));
      return { inventory: await store.device(id), scan };
    },
  });

  routes.add({
    method: 'DELETE',
    url: '/api/security/devices/:id/inventory',
    tag: TAG,
    summary: 'Forget a device’s software inventory; its findings close',
    access: 'full on the device',
    params: deviceParams,
    status: 204,
    handler: async (req, reply, { params: { id } }) => {
      onDevice(req, id, 'full', noInventory(id));
      if (!(await store.deleteDevice(id))) throw noInventory(id);
      await service.scan();
      return reply.code(204).send();
    },
  });

  routes.add({
    method: 'PUT',
    url: '/api/security/models/:name/inventory',
    tag: TAG,
    summary: 'Set a device model’s software inventory by hand, for every device of the model; then rescan',
    access: 'administrator',
    params: modelParams,
    body: inventoryBody.omit({ model: true }),
    response: z.object({ inventory: S.modelInventorySchema, scan: S.scanSummarySchema }),
    handler: async (req, _reply, { params: { name }, body }) => {
      requireAdmin(req);
      const scan = await guarded(() => service.setModel({ name, ...body }));
      return { inventory: await store.model(name), scan };
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/security/devices/:id/sbom',
    tag: TAG,
    summary: 'Import a device’s SBOM (CycloneDX or SPDX JSON) as its inventory, then rescan',
    description: 'A malformed document is refused with 422 naming the JSON path at fault.',
    access: 'write on the device',
    params: deviceParams,
    body: documentBody('a CycloneDX or SPDX JSON document'),
    rawBody: true,
    bodyLimit: SBOM_LIMIT,
    consumes: DOCUMENT_TYPES,
    response: S.sbomImportSchema,
    handler: async (req, _reply, { params: { id }, body }) => {
      deviceNode(id);
      onDevice(req, id, 'write', noDevice(id));
      return guarded(() => service.importSbom(body, { deviceId: id }, 'body'));
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/security/models',
    tag: TAG,
    summary: 'Device models with a software inventory',
    access: 'administrator',
    response: z.array(S.modelInventorySchema),
    handler: async (req) => {
      requireAdmin(req);
      return store.models();
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/security/models/:name/sbom',
    tag: TAG,
    summary: 'Import a device model’s SBOM (CycloneDX or SPDX JSON), for every device of the model; then rescan',
    description: 'A malformed document is refused with 422 naming the JSON path at fault.',
    access: 'administrator',
    params: modelParams,
    body: documentBody('a CycloneDX or SPDX JSON document'),
    rawBody: true,
    bodyLimit: SBOM_LIMIT,
    consumes: DOCUMENT_TYPES,
    response: S.sbomImportSchema,
    handler: async (req, _reply, { params: { name }, body }) => {
      requireAdmin(req);
      return guarded(() => service.importSbom(body, { model: name }, 'body'));
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/security/feeds',
    tag: TAG,
    summary: 'Import a vulnerability feed (NVD CVE JSON 2.0, CISA KEV, OSV or CSAF 2.0), then rescan',
    description: 'One import at a time per server (409 while one runs; GET /api/security/feeds/import shows its progress). A malformed feed is refused with 422 naming the JSON path at fault.',
    access: 'administrator',
    body: documentBody('an NVD, KEV, OSV or CSAF JSON document'),
    rawBody: true,
    bodyLimit: FEED_LIMIT,
    consumes: ['text/plain'],
    response: S.feedImportSchema,
    handler: async (req, reply, { body }) => {
      requireAdmin(req);
      if (importing !== undefined) return sendProblem(reply, problem('API_CONFLICT', `a feed import is running (${importing.phase}, ${importing.records} records)`));
      const startedAt = deps.clock.now();
      importing = { phase: 'read', records: 0, elapsedMs: 0, startedAt };
      try {
        const r = await guarded(() => service.importFeeds([{ name: 'body', text: body }], (p) => {
          importing = { ...p, startedAt };
        }, () => deps.clock.now() - startedAt));
        lastImport = { ...r, finishedAt: deps.clock.now() };
        return r;
      } finally {
        importing = undefined;
      }
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/security/feeds/import',
    tag: TAG,
    summary: 'The feed import running on this server, and the last one',
    access: 'administrator',
    response: S.feedImportStatusSchema,
    handler: async (req) => {
      requireAdmin(req);
      return { running: importing ?? null, last: lastImport ?? null };
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/security/vex',
    tag: TAG,
    summary: 'Import a VEX document (CycloneDX VEX or CSAF VEX): its statements triage the matching findings; audited',
    access: 'write on the device given (without one: administrator)',
    query: vexQuery,
    body: documentBody('a CycloneDX VEX or CSAF VEX JSON document'),
    rawBody: true,
    bodyLimit: SBOM_LIMIT,
    consumes: ['application/vnd.cyclonedx+json', 'text/plain'],
    response: S.vexImportSchema,
    handler: async (req, _reply, { query: q, body }) => {
      if (q.device !== undefined) requireLevel(req, deps.tree(), q.device, 'write');
      else requireAdmin(req);
      return guarded(() => importVex(store, triage, body, 'body', { deviceId: q.device, model: q.model }, actor(req)));
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/security/vex',
    tag: TAG,
    summary: 'Export the triage of the findings the caller may read as a CycloneDX VEX document',
    access: 'read on each device (findings of models without devices: administrator)',
    query: vexQuery.pick({ device: true }),
    response: z.looseObject({ bomFormat: z.literal('CycloneDX'), specVersion: z.string(), serialNumber: z.string(), vulnerabilities: z.array(z.unknown()) }).describe('A CycloneDX VEX document'),
    handler: async (req, _reply, { query: q }) => {
      if (q.device !== undefined) requireLevel(req, deps.tree(), q.device, 'read');
      const visible = visibleFilter(req, deps.tree());
      const list = (await store.findings(q.device !== undefined ? { subject: q.device } : {})).filter((f) => canSee(req, visible, f));
      return exportVex(list, { now: deps.clock.now(), serial: `urn:uuid:${deps.uuid()}` });
    },
  });

  routes.add({
    method: 'GET',
    url: '/api/security/report',
    tag: TAG,
    summary: 'The security posture per device and per clinical system (open findings by severity, KEV, end of support, time to resolve)',
    access: 'read on each device (rows of models: administrator)',
    query: reportQuery,
    produces: ['text/csv'],
    response: z.array(S.reportRowSchema),
    handler: async (req, reply, { query: { format } }) => {
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
    },
  });
}
