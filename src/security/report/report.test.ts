import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CDX, FEEDS, demoTree, harness } from '../service/testing.ts';
import type { Harness } from '../service/testing.ts';
import { buildReport, reportCsv } from './report.ts';

let h: Harness;
const DAY = 86_400_000;
beforeEach(async () => {
  h = harness();
  await h.service.importFeeds([FEEDS.nvd, FEEDS.kev, FEEDS.osv, FEEDS.csaf]);
  await h.service.importSbom(CDX, { model: 'CT Console' });
  await h.service.setDevice({ deviceId: 'ct-1', manufacturer: 'Acme Medical', model: 'CT Console', version: '5.2', components: [] });
  await h.service.setDevice({ deviceId: 'lab-1', components: [{ id: 'dcmtk', name: 'DCMTK', version: '3.6.6', supplier: 'OFFIS', dependsOn: [] }] });
});
afterEach(() => h.close());

const report = async () => buildReport({ findings: await h.store.findings(), devices: await h.store.devices(), models: await h.store.models(), tree: demoTree(), now: h.clock.now() });

describe('security report', () => {
  it('counts open findings by severity and KEV, end-of-support components and patch metrics per device and clinical system', async () => {
    // lab-1 updates DCMTK after 4 days (3 resolved); one ct-1 finding is triaged resolved after 2 days.
    await h.clock.advance(2 * DAY);
    const f = (await h.store.findings({ subject: 'ct-1' })).find((x) => x.vulnId === 'CVE-2021-23337')!;
    await h.triage.set(f.id, { state: 'resolved', responses: ['update'] }, { name: 'alice' });
    await h.clock.advance(2 * DAY);
    await h.service.setDevice({ deviceId: 'lab-1', components: [{ id: 'dcmtk', name: 'DCMTK', version: '3.6.7', supplier: 'OFFIS', dependsOn: [] }] });
    const rows = await report();
    const ct = rows.find((r) => r.scope === 'device' && r.key === 'ct-1')!;
    expect(ct).toEqual({
      scope: 'device', key: 'ct-1', open: 3, openBySeverity: { critical: 2, high: 1, medium: 0, low: 0, none: 0 }, openKev: 1,
      endOfSupport: ['OpenSSL 1.0.2k'], findings: 4, resolved: 1, resolvedShare: 0.25, medianDaysToResolve: 2,
    });
    expect(rows.find((r) => r.scope === 'device' && r.key === 'lab-1')).toMatchObject({ open: 0, findings: 3, resolved: 3, resolvedShare: 1, medianDaysToResolve: 4 });
    expect(rows.filter((r) => r.scope === 'clinical-system').map((r) => [r.key, r.open, r.findings, r.resolved, r.medianDaysToResolve, r.endOfSupport])).toEqual([
      ['LIMS', 0, 3, 3, 4, []],
      ['PACS', 3, 4, 1, 2, ['ct-1: OpenSSL 1.0.2k']],
      ['unassigned', 0, 4, 4, 0, []],
    ]);
  });
  it('renders CSV with a header, quoting, and no formula injection', async () => {
    const rows = await report();
    const csv = reportCsv([...rows, { ...rows[0]!, key: '=HYPERLINK("x")', endOfSupport: ['a, b'] }]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('scope,key,open,critical,high,medium,low,none,open_kev,end_of_support_count,end_of_support,findings,resolved,resolved_share,median_days_to_resolve');
    expect(lines).toContain('device,ct-1,4,2,2,0,0,0,1,1,OpenSSL 1.0.2k,4,0,0,');
    expect(lines.at(-2)).toContain('"\'=HYPERLINK(""x"")"');
    expect(lines.at(-2)).toContain(',"a, b",');
    expect(lines.at(-1)).toBe('');
  });
});
