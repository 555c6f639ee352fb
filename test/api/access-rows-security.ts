// The access matrix's rows for the security part (findings, inventories, SBOM, feeds, VEX, report)
// and the remote probes: read or write on the device for what concerns one device, administrator
// for what spans devices (models, feeds, VEX without a device) and for approving probes.

import { readFileSync } from 'node:fs';
import { CDX, FEEDS } from '../../src/security/service/testing.ts';
import { DEVICE, adminOk, admin, global, node, signedIn, type Row, type Where } from './access-kit.ts';
import { enc, type Harness } from './harness.ts';

const VEX = readFileSync(new URL('../../src/security/vex/__fixtures__/acme-lodash.cdx-vex.json', import.meta.url), 'utf8');
/** DCMTK 3.6.6 has findings in the fixture feeds (CVE-2022-2119 among them, on CISA's KEV list). */
const INVENTORY = { manufacturer: 'Acme Medical', components: [{ id: 'dcmtk', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS' }] };
const MODEL = 'Matrix Console';
/** A remote probe that said hello and waits for an administrator. */
export const PROBE = 'clinic-north';

/** Feeds, the same inventory on the device inside and outside (so each has findings), one pending probe. */
export async function prepareSecurity(h: Harness): Promise<void> {
  await h.security.service.importFeeds([FEEDS.nvd, FEEDS.kev, FEEDS.osv, FEEDS.csaf]);
  for (const deviceId of Object.values(DEVICE)) await h.security.service.setDevice({ deviceId, ...INVENTORY, components: INVENTORY.components.map((c) => ({ ...c, dependsOn: [] })) });
  // A model no device has: its findings belong to no device, so to administrators only.
  await h.security.service.setModel({ name: MODEL, manufacturer: 'Acme Medical', components: INVENTORY.components.map((c) => ({ ...c, dependsOn: [] })) });
  await h.probes.seen(PROBE, h.clock.now());
}

async function modelFinding(h: Harness): Promise<string> {
  const f = (await h.security.store.findings({ subject: `model:${MODEL}` }))[0];
  if (f === undefined) throw new Error(`setup: model ${MODEL} has no finding`);
  return enc(f.id);
}

/** A finding of the device on that side (looked up each time: rows before may have rescanned). */
async function finding(h: Harness, where: Where): Promise<string> {
  const f = (await h.security.store.findings({ subject: DEVICE[where] }))[0];
  if (f === undefined) throw new Error(`setup: device ${DEVICE[where]} has no finding`);
  return enc(f.id);
}

/** The security routes name a device (or finding) in their path: one the caller may not even see answers 404, as an unknown one. */
const SHOWS = { hides: true } as const;

const inventory = (w: Where) => `/api/security/devices/${enc(DEVICE[w])}/inventory`;

export const SECURITY_ROWS: Readonly<Record<string, Row>> = {
  'GET /api/security/findings': { need: node('read'), req: (w) => ({ method: 'GET', url: `/api/security/findings?device=${enc(DEVICE[w])}` }) },
  'GET /api/security/findings/{id}': { ...SHOWS, need: node('read'), req: async (w, _r, h) => ({ method: 'GET', url: `/api/security/findings/${await finding(h, w)}` }) },
  'PUT /api/security/findings/{id}/analysis': { ...SHOWS, need: node('write'), req: async (w, r, h) => ({ method: 'PUT', url: `/api/security/findings/${await finding(h, w)}/analysis`, body: { state: 'in_triage', detail: `looked at by ${r}` } }) },
  'GET /api/security/devices/{id}/inventory': { ...SHOWS, need: node('read'), req: (w) => ({ method: 'GET', url: inventory(w) }) },
  'PUT /api/security/devices/{id}/inventory': { ...SHOWS, need: node('write'), req: (w) => ({ method: 'PUT', url: inventory(w), body: INVENTORY }) },
  'DELETE /api/security/devices/{id}/inventory': {
    ...SHOWS,
    need: node('full'),
    req: async (w, _r, h) => {
      await adminOk(h, 'PUT', inventory(w), INVENTORY);
      return { method: 'DELETE', url: inventory(w) };
    },
  },
  'POST /api/security/devices/{id}/sbom': { ...SHOWS, need: node('write'), req: (w) => ({ method: 'POST', url: `/api/security/devices/${enc(DEVICE[w])}/sbom`, body: CDX }) },
  'GET /api/security/models': { need: admin, req: () => ({ method: 'GET', url: '/api/security/models' }) },
  'PUT /api/security/models/{name}/inventory': { need: admin, req: () => ({ method: 'PUT', url: `/api/security/models/${enc(MODEL)}/inventory`, body: { manufacturer: 'Acme Medical', components: INVENTORY.components } }) },
  'POST /api/security/models/{name}/sbom': { need: admin, req: () => ({ method: 'POST', url: `/api/security/models/${enc(MODEL)}/sbom`, body: CDX }) },
  'POST /api/security/feeds': { need: admin, req: () => ({ method: 'POST', url: '/api/security/feeds', body: FEEDS.kev.text }) },
  'GET /api/security/feeds/import': { need: admin, req: () => ({ method: 'GET', url: '/api/security/feeds/import' }) },
  'POST /api/security/vex': { need: node('write'), req: (w) => ({ method: 'POST', url: `/api/security/vex?device=${enc(DEVICE[w])}`, body: VEX }) },
  'GET /api/security/vex': { need: node('read'), req: (w) => ({ method: 'GET', url: `/api/security/vex?device=${enc(DEVICE[w])}` }) },
  // Filtered to the devices the caller may read: every signed-in caller gets an answer.
  'GET /api/security/report': { need: signedIn, req: () => ({ method: 'GET', url: '/api/security/report' }) },
  'GET /api/probes': { need: global('read'), req: () => ({ method: 'GET', url: '/api/probes' }) },
  'POST /api/probes/{name}/approve': { need: admin, req: () => ({ method: 'POST', url: `/api/probes/${PROBE}/approve` }) },
  'POST /api/probes/{name}/reject': { need: admin, req: () => ({ method: 'POST', url: `/api/probes/${PROBE}/reject` }) },
};

/** The same routes asked another way, with another rule. */
export const SECURITY_VARIANTS: Readonly<Record<string, Row>> = {
  'GET /api/security/findings without a device (filtered to what the caller may read)': { need: signedIn, req: () => ({ method: 'GET', url: '/api/security/findings' }) },
  'GET /api/security/vex without a device (filtered to what the caller may read)': { need: signedIn, req: () => ({ method: 'GET', url: '/api/security/vex' }) },
  // Statements without a device may touch any device's findings.
  'POST /api/security/vex without a device': { need: admin, req: () => ({ method: 'POST', url: '/api/security/vex', body: VEX }) },
  'GET /api/security/findings/{id} of a model without devices': { need: admin, req: async (_w, _r, h) => ({ method: 'GET', url: `/api/security/findings/${await modelFinding(h)}` }) },
  'PUT /api/security/findings/{id}/analysis of a model without devices': { need: admin, req: async (_w, r, h) => ({ method: 'PUT', url: `/api/security/findings/${await modelFinding(h)}/analysis`, body: { state: 'in_triage', detail: `looked at by ${r}` } }) },
};
