import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CDX, FEEDS, fixture, harness } from '../service/testing.ts';
import type { Harness } from '../service/testing.ts';
import { importVex } from './import.ts';
import { exportVex, refOf } from './vex.ts';

let h: Harness;
beforeEach(async () => {
  h = harness();
  await h.service.importFeeds([FEEDS.nvd, FEEDS.kev, FEEDS.osv, FEEDS.csaf]);
  await h.service.importSbom(CDX, { model: 'CT Console' });
  await h.service.setDevice({ deviceId: 'ct-1', manufacturer: 'Acme Medical', model: 'CT Console', version: '5.2', components: [] });
});
afterEach(() => h.close());
const alice = { name: 'alice', id: 'u1', ip: '10.1.1.1' };
const find = async (vulnId: string, subject = 'ct-1') => (await h.store.findings({ subject })).find((f) => f.vulnId === vulnId)!;

describe('triage', () => {
  it('sets the analysis, closes a not-affected finding and audits who, when, why with before and after', async () => {
    const f = await find('CVE-2022-2121');
    await h.clock.advance(60_000);
    const next = await h.triage.set(f.id, { state: 'not_affected', justification: 'code_not_reachable', detail: 'the SCP is not used on this console' }, alice);
    expect(next).toMatchObject({ open: false, analysis: { state: 'not_affected', justification: 'code_not_reachable', responses: [], by: 'alice', at: Date.UTC(2026, 5, 1) + 60_000 }, runbook: { type: 'not-affected' } });
    expect((await h.store.finding(f.id))!.analysis?.state).toBe('not_affected');
    expect(h.audit).toEqual([{
      actor: 'alice', actorId: 'u1', ip: '10.1.1.1', action: 'security.finding.triage', target: `finding:${f.id}`, outcome: 'ok',
      before: null, after: next.analysis, detail: 'CVE-2022-2121 in DCMTK on ct-1: not_affected — the SCP is not used on this console',
    }]);
    // The analysis survives a rescan; the finding stays closed.
    await h.service.scan();
    expect(await h.store.finding(f.id)).toMatchObject({ open: false, analysis: { state: 'not_affected' } });
  });
  it('counts resolved as resolved for the patch metrics, and reopening undoes it', async () => {
    const f = await find('CVE-2022-2119');
    await h.clock.advance(3 * 86_400_000);
    const r = await h.triage.set(f.id, { state: 'resolved', responses: ['update'] }, alice);
    expect([r.open, r.resolvedAt! - r.firstSeen]).toEqual([false, 3 * 86_400_000]);
    const back = await h.triage.set(f.id, { state: 'exploitable' }, alice);
    expect([back.open, back.resolvedAt]).toEqual([true, undefined]);
  });
  it.each<[unknown, string]>([
    [{ state: 'fixed' }, 'analysis: state: expected one of "in_triage", "exploitable", "false_positive", "not_affected", "resolved", "resolved_with_pedigree", got "fixed"'],
    [{ state: 'exploitable', justification: 'code_not_present' }, 'analysis: justification: a justification is only given with state not_affected'],
    [{ state: 'not_affected', justification: 'because' }, 'analysis: justification: expected one of "code_not_present", "code_not_reachable", "requires_configuration", "requires_dependency", "requires_environment", "protected_by_compiler", "protected_at_runtime", "protected_at_perimeter", "protected_by_mitigating_control", got "because"'],
    [{ state: 'resolved', responses: ['patch'] }, 'analysis: responses[0]: expected one of "can_not_fix", "will_not_fix", "update", "rollback", "workaround_available", got "patch"'],
    [{ state: 'resolved', by: 'mallory' }, 'analysis: (top level): Unrecognized key: "by"'],
  ])('rejects %j', async (input, error) => {
    const f = await find('CVE-2022-2119');
    await expect(h.triage.set(f.id, input, alice)).rejects.toThrow(error);
    expect(h.audit).toEqual([]);
  });
  it('says when the finding does not exist', async () => {
    await expect(h.triage.set('nope', { state: 'resolved' }, alice)).rejects.toThrow('finding nope does not exist');
  });
});

describe('VEX import', () => {
  it('applies a manufacturer\'s CSAF VEX: not affected with the mapped justification, affected with its fix', async () => {
    const r = await importVex(h.store, h.triage, fixture('vex/__fixtures__/acme-ct-console.csaf-vex.json'), 'acme-vex.json', { model: 'CT Console' }, { name: 'bob' });
    expect(r).toEqual({ format: 'csaf', document: 'ACME-VEX-2026-001', applied: 2, unmatched: [] });
    expect((await find('CVE-2022-2121')).analysis).toMatchObject({ state: 'not_affected', justification: 'code_not_reachable', detail: 'The console never runs the DCMTK tools that dereference the pointer.', by: 'vex:ACME-VEX-2026-001' });
    expect((await find('CVE-2022-2119')).analysis).toMatchObject({ state: 'exploitable', responses: ['update'], detail: 'Install CT Console 5.3, which ships DCMTK 3.6.7.' });
    expect((await find('CVE-2022-2120')).analysis).toBeUndefined();
    expect(h.audit.map((a) => [a.actor, a.action])).toEqual([['bob', 'security.finding.vex'], ['bob', 'security.finding.vex']]);
  });
  it('applies a CycloneDX VEX by bom-ref in a urn:cdx ref, and lists statements that match nothing', async () => {
    const r = await importVex(h.store, h.triage, fixture('vex/__fixtures__/acme-lodash.cdx-vex.json'), 'lodash-vex.json', {}, { name: 'bob' });
    expect(r).toEqual({ format: 'cyclonedx', document: 'urn:uuid:0b6e3a9a-7c1f-4a55-9d6e-1f2a3b4c5d6e', applied: 1, unmatched: ['CVE-2099-0001 @ zlib'] });
    expect(await find('CVE-2021-23337')).toMatchObject({ open: false, analysis: { state: 'not_affected', justification: 'code_not_reachable' } });
  });
  it('keeps to its scope', async () => {
    const r = await importVex(h.store, h.triage, fixture('vex/__fixtures__/acme-ct-console.csaf-vex.json'), 'acme-vex.json', { deviceId: 'ct-9' }, { name: 'bob' });
    expect(r.applied).toBe(0);
    expect(r.unmatched).toHaveLength(2);
  });
  it.each<[string, string]>([
    ['{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"fine"},"affects":[{"ref":"x"}]}]}', 'v.json: vulnerabilities[0].analysis.state: expected one of "in_triage", "exploitable", "false_positive", "not_affected", "resolved", "resolved_with_pedigree", got "fine"'],
    ['{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"CVE-1","affects":[]}]}', 'v.json: vulnerabilities[0].affects: Too small: expected array to have >=1 items'],
    ['{"a":1}', 'v.json: (top level): not a VEX document: expected CycloneDX (bomFormat) or CSAF (document)'],
  ])('rejects a malformed VEX %#', async (text, error) => {
    await expect(importVex(h.store, h.triage, text, 'v.json', {}, { name: 'bob' })).rejects.toThrow(error);
  });
});

describe('VEX export', () => {
  it('round-trips our analyses through CycloneDX VEX into a second Wardwatch', async () => {
    const a = await find('CVE-2022-2121');
    const b = await find('CVE-2021-23337');
    await h.triage.set(a.id, { state: 'not_affected', justification: 'requires_configuration', detail: 'TLS-only DICOM configured' }, alice);
    await h.triage.set(b.id, { state: 'exploitable', responses: ['workaround_available', 'update'] }, alice);
    const doc = exportVex(await h.store.findings({ subject: 'ct-1' }), { now: h.clock.now(), serial: 'urn:uuid:00000000-0000-4000-8000-000000000001' }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(doc).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', serialNumber: 'urn:uuid:00000000-0000-4000-8000-000000000001' });
    const v = (doc.vulnerabilities as Array<Record<string, any>>).find((x) => x.id === 'CVE-2022-2121')!; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(v).toMatchObject({ analysis: { state: 'not_affected', justification: 'requires_configuration', detail: 'TLS-only DICOM configured' }, affects: [{ ref: refOf(a) }], ratings: [{ score: 6.5, method: 'CVSSv31' }] });
    expect((doc.components as Array<Record<string, unknown>>).map((c) => c['bom-ref'])).toContain('urn:wardwatch:ct-1:dcmtk');

    const other = harness();
    try {
      await other.service.importFeeds([FEEDS.nvd, FEEDS.kev, FEEDS.osv, FEEDS.csaf]);
      await other.service.importSbom(CDX, { model: 'CT Console' });
      await other.service.setDevice({ deviceId: 'ct-1', manufacturer: 'Acme Medical', model: 'CT Console', version: '5.2', components: [] });
      const r = await importVex(other.store, other.triage, JSON.stringify(doc), 'ours.json', {}, { name: 'carol' });
      expect(r).toMatchObject({ applied: 2, unmatched: [] });
      const pick = (f: { analysis?: { state: string; justification?: string | undefined; responses: readonly string[]; detail?: string | undefined } | undefined }) =>
        f.analysis && { state: f.analysis.state, justification: f.analysis.justification, responses: f.analysis.responses, detail: f.analysis.detail };
      const mine = await h.store.findings({ subject: 'ct-1' });
      const theirs = await other.store.findings({ subject: 'ct-1' });
      expect(theirs.map((f) => [f.id, pick(f)])).toEqual(mine.map((f) => [f.id, pick(f)]));
    } finally {
      other.close();
    }
  });
});
