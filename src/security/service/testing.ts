// Shared by the security tests: a service on an in-memory SQLite store with a manual clock, a
// recorded audit trail and notifications, a small tree (a PACS group with a CT), and the fixtures.

import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { AuditEntry, AuditSink } from '../../api/access.ts';
import type { SecurityFindingNotice } from '../../alerting/service.ts';
import type { Tree, TreeNode } from '../../core/tree.ts';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteSecurityStore } from '../../store/sqlite/security.ts';
import type { ExposureObservation } from '../risk/exposure.ts';
import type { SecurityStore } from '../store.ts';
import { Triage } from '../vex/triage.ts';
import { SecurityService } from './service.ts';

export const fixture = (rel: string): string => readFileSync(new URL(`../${rel}`, import.meta.url), 'utf8');

export const FEEDS = {
  nvd: { name: 'nvd-dcmtk.json', text: fixture('feeds/nvd/__fixtures__/dcmtk-2022.json') },
  kev: { name: 'kev.json', text: fixture('feeds/kev/__fixtures__/kev.json') },
  osv: { name: 'GHSA-35jh-r3h4-6jhm.json', text: fixture('feeds/osv/__fixtures__/GHSA-35jh-r3h4-6jhm.json') },
  csaf: { name: 'icsma-22-174-01.json', text: fixture('feeds/csaf/__fixtures__/icsma-22-174-01.json') },
};
export const CDX = fixture('sbom/__fixtures__/ct-console.cdx.json');
export const SPDX = fixture('sbom/__fixtures__/ct-console.spdx.json');

export function demoTree(): Tree {
  const nodes: TreeNode[] = [
    { type: 'site', id: 'site', name: 'Hospital', timezone: 'UTC', settings: {}, children: ['radiology', 'lab'] },
    { type: 'group', id: 'radiology', name: 'Radiology', parentId: 'site', system: 'PACS', settings: {}, children: ['ct-1', 'ct-2'] },
    { type: 'group', id: 'lab', name: 'Lab', parentId: 'site', system: 'LIMS', settings: {}, children: ['lab-1'] },
    { type: 'device', id: 'ct-1', name: 'CT 1', parentId: 'radiology', host: '10.0.0.1', settings: {}, children: [] },
    { type: 'device', id: 'ct-2', name: 'CT 2', parentId: 'radiology', host: '10.0.0.2', settings: {}, children: [] },
    { type: 'device', id: 'lab-1', name: 'Analyser', parentId: 'lab', host: '10.0.1.1', settings: {}, children: [] },
  ];
  return { nodes: new Map(nodes.map((n) => [n.id, n])), roots: ['site'], maintenance: new Map(), credentials: new Map(), defaults: {} };
}

export interface Harness {
  readonly db: Database.Database;
  readonly store: SecurityStore;
  readonly clock: ManualClock;
  readonly service: SecurityService;
  readonly triage: Triage;
  readonly audit: AuditEntry[];
  readonly notices: SecurityFindingNotice[];
  readonly exposure: Map<string, ExposureObservation[]>;
  close(): void;
}

export function harness(): Harness {
  const db = new Database(':memory:');
  const store = openSqliteSecurityStore(db);
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const audit: AuditEntry[] = [];
  const sink: AuditSink = { record: async (e) => void audit.push(e) };
  const notices: SecurityFindingNotice[] = [];
  const exposure = new Map<string, ExposureObservation[]>();
  const tree = demoTree();
  const service = new SecurityService({
    store, clock, tree: () => tree,
    exposure: { observations: (id) => exposure.get(id) ?? [] },
    notify: async (n) => void notices.push(n),
  });
  return { db, store, clock, service, triage: new Triage(store, clock, sink), audit, notices, exposure, close: () => db.close() };
}
