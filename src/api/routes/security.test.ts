// The security routes behind the real auth layer: findings filtered by the caller's rights, triage
// audited with the caller and address, SBOM and feed imports with readable 422s, VEX, reports.

import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { SecurityService } from '../../security/service/service.ts';
import { CDX, FEEDS, SPDX, demoTree } from '../../security/service/testing.ts';
import { openSecurityStore } from '../../security/store-open.ts';
import type { SecurityStore, StoredFinding } from '../../security/store.ts';
import { Triage } from '../../security/vex/triage.ts';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteStore, type SqliteStore } from '../../store/sqlite/index.ts';
import type { AuthServices } from '../auth/services.ts';
import { buildTestAuthApp, createTestAuthServices, createTestRole, createTestUser, sessionFor } from '../auth/testing.ts';
import { RouteTable } from './define.ts';
import * as S from './security-schemas.ts';
import { securityRoutes } from './security.ts';
import { z } from 'zod';

interface Ctx { app: FastifyInstance; store: SqliteStore; sec: SecurityStore; svc: AuthServices; admin: Record<string, string>; radiology: Record<string, string>; lab: Record<string, string> }
const open: Ctx[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) {
    await c.app.close();
    await c.store.close();
  }
});

async function setup(): Promise<Ctx> {
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const store = openSqliteStore({ path: ':memory:', clock });
  const svc = await createTestAuthServices({ store, clock });
  const sec = await openSecurityStore(store);
  const tree = demoTree();
  const service = new SecurityService({ store: sec, clock, tree: () => tree });
  const triage = new Triage(sec, clock, svc.audit);
  let n = 0;
  const { app } = await buildTestAuthApp(svc, (a) => securityRoutes(new RouteTable(a), { service, store: sec, triage, tree: () => tree, clock, uuid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}` }));
  const admin = (await sessionFor(svc, (await createTestUser(svc, { login: 'admin', roles: ['administrator'] })).user)).headers;
  const writer = await createTestRole(svc, [{ nodeId: 'radiology', level: 'write' }], { name: 'radiology engineer' });
  const radiology = (await sessionFor(svc, (await createTestUser(svc, { login: 'rad', roles: [writer.id] })).user)).headers;
  const lab = (await sessionFor(svc, (await createTestUser(svc, { login: 'labtech', roles: [{ roleId: 'read-only', nodeId: 'lab' }] })).user)).headers;
  await service.importFeeds([FEEDS.nvd, FEEDS.kev, FEEDS.osv, FEEDS.csaf]);
  const c = { app, store, sec, svc, admin, radiology, lab };
  open.push(c);
  return c;
}

const json = { 'content-type': 'application/json' };

describe('security routes', () => {
  it('imports an SBOM for a device and shows its findings only to callers who may read the device', async () => {
    const c = await setup();
    const r = await c.app.inject({ method: 'POST', url: '/api/security/devices/ct-1/sbom', headers: { ...c.radiology, ...json }, payload: CDX });
    expect(r.statusCode).toBe(200);
    expect(r.json<{ components: number }>().components).toBe(5);
    const mine = (await c.app.inject({ url: '/api/security/findings', headers: c.radiology })).json<StoredFinding[]>();
    expect(mine.map((f) => f.vulnId)).toEqual(['CVE-2022-2119', 'CVE-2022-2120', 'CVE-2021-23337', 'CVE-2022-2121']);
    expect((await c.app.inject({ url: '/api/security/findings', headers: c.lab })).json()).toEqual([]);
    expect((await c.app.inject({ url: '/api/security/findings?device=ct-1', headers: c.lab })).statusCode).toBe(403);
    expect((await c.app.inject({ url: '/api/security/findings?kev=true', headers: c.admin })).json<StoredFinding[]>().map((f) => f.vulnId)).toEqual(['CVE-2022-2119']);
    expect((await c.app.inject({ url: `/api/security/findings/${mine[0]!.id}`, headers: c.lab })).statusCode).toBe(404);
    expect((await c.app.inject({ url: `/api/security/findings/${mine[0]!.id}`, headers: c.radiology })).json<StoredFinding>().risk.factors[0]).toEqual({ factor: 'cvss', detail: 'CVSS v3.1 base score 7.5 (nvd@nist.gov)', contribution: 7.5 });
  });
  it('rejects a malformed SBOM with a 422 naming the JSON path, and a lab user cannot even see radiology devices (404, as for an unknown one)', async () => {
    const c = await setup();
    const bad = await c.app.inject({ method: 'POST', url: '/api/security/devices/ct-1/sbom', headers: { ...c.admin, ...json }, payload: { bomFormat: 'CycloneDX', specVersion: '1.5', components: [{ type: 'library' }] } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ detail: string }>().detail).toBe('body: components[0].name: expected a string, got nothing');
    expect(await c.sec.devices()).toEqual([]);
    expect((await c.app.inject({ method: 'POST', url: '/api/security/devices/ct-1/sbom', headers: { ...c.lab, ...json }, payload: CDX })).statusCode).toBe(404);
    expect((await c.app.inject({ method: 'POST', url: '/api/security/devices/nope/sbom', headers: { ...c.admin, ...json }, payload: CDX })).statusCode).toBe(404);
  });
  it('sets an inventory by hand with field errors, triages with audit, and checks the analysis', async () => {
    const c = await setup();
    const badInv = await c.app.inject({ method: 'PUT', url: '/api/security/devices/ct-2/inventory', headers: { ...c.radiology, ...json }, payload: { components: [{ id: 'd', name: 'DCMTK', endOfSupport: 'soon' }] } });
    expect(badInv.statusCode).toBe(400);
    expect(badInv.json<{ detail: string }>().detail).toBe('body.components[0].endOfSupport: expected a date like 2027-12-31');
    const inv = await c.app.inject({ method: 'PUT', url: '/api/security/devices/ct-2/inventory', headers: { ...c.radiology, ...json }, payload: { components: [{ id: 'd', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS' }] } });
    expect(inv.json<{ scan: { open: number } }>().scan.open).toBe(3);
    const f = (await c.sec.findings({ subject: 'ct-2' })).find((x) => x.vulnId === 'CVE-2022-2121')!;
    const bad = await c.app.inject({ method: 'PUT', url: `/api/security/findings/${f.id}/analysis`, headers: { ...c.radiology, ...json }, payload: { state: 'not_affected', justification: 'nope' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ detail: string }>().detail).toMatch(/^body\.justification: Invalid option: expected one of "code_not_present"/);
    const ok = await c.app.inject({ method: 'PUT', url: `/api/security/findings/${f.id}/analysis`, headers: { ...c.radiology, ...json }, payload: { state: 'not_affected', justification: 'code_not_reachable', detail: 'no SCU use' } });
    expect(ok.json<StoredFinding>()).toMatchObject({ open: false, analysis: { state: 'not_affected', by: 'rad' } });
    const audit = (await c.app.inject({ url: '/api/audit?action=security.', headers: c.admin })).json<{ entries: Array<Record<string, unknown>> }>().entries;
    expect(audit[0]).toMatchObject({ actor: 'rad', action: 'security.finding.triage', target: `finding:${f.id}`, ip: '127.0.0.1', after: { state: 'not_affected', justification: 'code_not_reachable' } });
    expect((await c.app.inject({ method: 'PUT', url: `/api/security/findings/${f.id}/analysis`, headers: { ...c.lab, ...json }, payload: { state: 'resolved' } })).statusCode).toBe(404);
    // Deleting an inventory needs full rights; its findings close.
    expect((await c.app.inject({ method: 'DELETE', url: '/api/security/devices/ct-2/inventory', headers: c.radiology })).statusCode).toBe(403);
    expect((await c.app.inject({ method: 'DELETE', url: '/api/security/devices/ct-2/inventory', headers: c.admin })).statusCode).toBe(204);
    expect(await c.sec.findings({ subject: 'ct-2', open: true })).toEqual([]);
  });
  it('keeps a model inventory by hand (administrators) and applies it to the devices of the model', async () => {
    const c = await setup();
    const payload = { manufacturer: 'Acme Medical', components: [{ id: 'l', name: 'lodash', purl: 'pkg:npm/lodash@4.17.20' }] };
    expect((await c.app.inject({ method: 'PUT', url: '/api/security/models/CT%20Console/inventory', headers: { ...c.radiology, ...json }, payload })).statusCode).toBe(403);
    const r = await c.app.inject({ method: 'PUT', url: '/api/security/models/CT%20Console/inventory', headers: { ...c.admin, ...json }, payload });
    expect(r.json<{ inventory: { name: string } }>().inventory.name).toBe('CT Console');
    await c.app.inject({ method: 'PUT', url: '/api/security/devices/ct-1/inventory', headers: { ...c.radiology, ...json }, payload: { model: 'CT Console' } });
    expect((await c.sec.findings({ subject: 'ct-1' })).map((f) => f.vulnId)).toEqual(['CVE-2021-23337']);
    expect((await c.app.inject({ url: '/api/security/models', headers: c.admin })).json<unknown[]>()).toHaveLength(1);
  });
  it('imports feeds as an administrator only, rejects a malformed one, and exports VEX and reports', async () => {
    const c = await setup();
    expect((await c.app.inject({ method: 'POST', url: '/api/security/feeds', headers: { ...c.radiology, ...json }, payload: FEEDS.kev.text })).statusCode).toBe(403);
    const again = await c.app.inject({ method: 'POST', url: '/api/security/feeds', headers: { ...c.admin, ...json }, payload: FEEDS.kev.text });
    expect(again.json<{ kev: unknown }>().kev).toEqual({ inserted: 0, updated: 0, unchanged: 2 });
    const bad = await c.app.inject({ method: 'POST', url: '/api/security/feeds', headers: { ...c.admin, ...json }, payload: { vulnerabilities: [{ cveID: 'x' }] } });
    expect([bad.statusCode, bad.json<{ detail: string }>().detail]).toEqual([422, 'body: vulnerabilities[0].cveID: expected a CVE id like CVE-2022-2119, got "x" (and 5 more problems)']);
    expect((await c.app.inject({ url: '/api/security/feeds/import', headers: c.admin })).json()).toMatchObject({ running: null, last: { kev: { unchanged: 2 } } });
    await c.app.inject({ method: 'POST', url: '/api/security/devices/ct-1/sbom', headers: { ...c.admin, ...json }, payload: CDX });
    const vex = (await c.app.inject({ url: '/api/security/vex?device=ct-1', headers: c.radiology })).json<{ serialNumber: string; vulnerabilities: unknown[] }>();
    expect([vex.serialNumber, vex.vulnerabilities.length]).toEqual(['urn:uuid:00000000-0000-4000-8000-000000000001', 4]);
    const csv = await c.app.inject({ url: '/api/security/report?format=csv', headers: c.radiology });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.split('\r\n').slice(1, -1)).toEqual(['device,ct-1,4,2,2,0,0,0,1,1,OpenSSL 1.0.2k,4,0,0,', 'clinical-system,PACS,4,2,2,0,0,0,1,1,ct-1: OpenSSL 1.0.2k,4,0,0,']);
    expect((await c.app.inject({ url: '/api/security/report', headers: c.lab })).json()).toEqual([]);
  });
  it('takes documents as sent under their own media types, refuses an empty one, and answers what the reference documents', async () => {
    const c = await setup();
    // Raw text, whatever the type: CycloneDX and SPDX under their media types, an SBOM as text/plain.
    const cdx = await c.app.inject({ method: 'POST', url: '/api/security/devices/ct-1/sbom', headers: { ...c.admin, 'content-type': 'application/vnd.cyclonedx+json' }, payload: CDX });
    expect(cdx.statusCode).toBe(200);
    const spdx = await c.app.inject({ method: 'POST', url: '/api/security/models/CT%20Console/sbom', headers: { ...c.admin, 'content-type': 'application/spdx+json' }, payload: SPDX });
    expect(spdx.statusCode).toBe(200);
    const empty = await c.app.inject({ method: 'POST', url: '/api/security/feeds', headers: { ...c.admin, 'content-type': 'text/plain' }, payload: '' });
    expect([empty.statusCode, empty.json<{ detail: string }>().detail]).toEqual([400, 'body: expected an NVD, KEV, OSV or CSAF JSON document, got an empty body']);
    const notJson = await c.app.inject({ method: 'POST', url: '/api/security/devices/ct-1/sbom', headers: { ...c.admin, ...json }, payload: '{"bomFormat": ' });
    expect([notJson.statusCode, notJson.json<{ detail: string }>().detail]).toEqual([422, expect.stringMatching(/^body is not valid JSON: /)]);
    // An SBOM over the server's default body limit (1 MiB here) is within the route's own.
    const big = JSON.stringify({ ...(JSON.parse(CDX) as object), padding: 'x'.repeat(2 * 1024 * 1024) });
    expect((await c.app.inject({ method: 'POST', url: '/api/security/devices/ct-2/sbom', headers: { ...c.admin, ...json }, payload: big })).statusCode).toBe(200);
    await c.app.inject({ method: 'PUT', url: '/api/security/devices/ct-1/inventory', headers: { ...c.admin, ...json }, payload: { model: 'CT Console', components: [{ id: 'd', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS' }] } });
    const findings = (await c.app.inject({ url: '/api/security/findings', headers: c.admin })).json<StoredFinding[]>();
    const triaged = await c.app.inject({ method: 'PUT', url: `/api/security/findings/${findings[0]!.id}/analysis`, headers: { ...c.admin, ...json }, payload: { state: 'in_triage' } });
    await c.app.inject({ method: 'POST', url: '/api/security/feeds', headers: { ...c.admin, ...json }, payload: FEEDS.kev.text });
    const answers: [string, unknown, z.ZodType][] = [
      ['sbom', cdx.json(), S.sbomImportSchema],
      ['findings', findings, z.array(S.findingSchema)],
      ['analysis', triaged.json(), S.findingSchema],
      ['inventory', (await c.app.inject({ url: '/api/security/devices/ct-1/inventory', headers: c.admin })).json(), S.deviceInventorySchema],
      ['models', (await c.app.inject({ url: '/api/security/models', headers: c.admin })).json(), z.array(S.modelInventorySchema)],
      ['feeds/import', (await c.app.inject({ url: '/api/security/feeds/import', headers: c.admin })).json(), S.feedImportStatusSchema],
      ['report', (await c.app.inject({ url: '/api/security/report', headers: c.admin })).json(), z.array(S.reportRowSchema)],
    ];
    expect(findings.some((f) => f.why.length > 0 && f.kev !== undefined && f.cvss !== undefined)).toBe(true);
    for (const [what, body, schema] of answers) {
      const parsed = schema.safeParse(body);
      expect(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`), what).toEqual([]);
      // Objects strip what they do not declare: equal means nothing undocumented came back.
      expect(parsed.data, what).toEqual(body);
    }
  });
});
