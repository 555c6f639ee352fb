import { afterEach, describe, expect, it } from 'vitest';
import type { SecurityFindingNotice } from '../alerting/service.ts';
import type { SensorStatus } from '../core/model.ts';
import type { Tree, TreeNode } from '../core/tree.ts';
import { ManualClock } from '../shared/clock.ts';
import { openSqliteStore, type SqliteStore } from '../store/sqlite/index.ts';
import { SecurityPart } from './part.ts';
import { FEEDS, demoTree } from './service/testing.ts';

const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe('SecurityPart', () => {
  it('rescans once, after the delay, when exposure sensors change state, and the new exposure raises the risk', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const store = openSqliteStore({ path: ':memory:', clock });
    stores.push(store);
    const base = demoTree();
    const sensor: TreeNode = { type: 'sensor', id: 'ct-1/dicom', name: 'DICOM exposure', parentId: 'ct-1', kind: 'dicom-exposure', kindSettings: {}, channels: {}, settings: {}, children: [] };
    const nodes = new Map(base.nodes);
    nodes.set('ct-1', { ...(nodes.get('ct-1') as TreeNode), children: ['ct-1/dicom'] });
    nodes.set('ct-1/dicom', sensor);
    const tree: Tree = { ...base, nodes };
    const statuses = new Map<string, SensorStatus>();
    const notices: SecurityFindingNotice[] = [];
    const part = await SecurityPart.open({ store, clock, tree: () => tree, status: (id) => statuses.get(id), notify: async (n) => void notices.push(n), log: () => undefined, rescanDelayMs: 30_000 });
    await part.service.importFeeds([FEEDS.nvd]);
    await part.service.setDevice({ deviceId: 'lab-1', components: [{ id: 'd', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS', dependsOn: [] }] });
    await part.service.setDevice({ deviceId: 'ct-1', components: [{ id: 'd', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS', dependsOn: [] }] });
    const before = (await part.store.findings({ subject: 'ct-1' })).find((f) => f.vulnId === 'CVE-2022-2121')!;
    expect(before.risk.score).toBe(8);
    statuses.set('ct-1/dicom', { state: 'down', failures: 1, since: clock.now(), error: 'EXPOSURE_DICOM_NO_TLS', message: 'no TLS on 2762' });
    part.onStateChange({ sensorId: 'ct-1/dicom' });
    part.onStateChange({ sensorId: 'ct-1/dicom' });
    part.onStateChange({ sensorId: 'lab-1' });
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(29_000);
    expect((await part.store.finding(before.id))!.risk.score).toBe(8);
    await clock.advance(1_000);
    await new Promise((r) => setImmediate(r));
    const after = (await part.store.finding(before.id))!;
    expect(after.risk.factors.map((f) => f.factor)).toEqual(['cvss', 'exposure', 'plaintext', 'clinical']);
    expect(after.risk.score).toBe(9.5);
    // New critical findings when ct-1 was added (PACS: 7.5 + 1.5), then CVE-2022-2121 newly critical.
    expect(notices.map((n) => n.title)).toEqual(['CVE-2022-2119 in DCMTK 3.6.6: risk 9 critical', 'CVE-2022-2120 in DCMTK 3.6.6: risk 9 critical', 'CVE-2022-2121 in DCMTK 3.6.6: risk 9.5 critical']);
    await part.close();
    part.onStateChange({ sensorId: 'ct-1/dicom' });
    expect(clock.pendingTimers).toBe(0);
  });
});
