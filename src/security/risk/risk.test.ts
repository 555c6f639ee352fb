import { describe, expect, it } from 'vitest';
import { cvss3BaseScore, severityOf } from './cvss3.ts';
import type { Tree, TreeNode } from '../../core/tree.ts';
import { exposureFrom, exposureReader } from './exposure.ts';
import { riskScore } from './risk.ts';
import { runbookFor } from './runbook.ts';

describe('CVSS v3 base score', () => {
  it.each([
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8], ['CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H', 7.2],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10], ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N', 7.5],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', 6.5], ['CVSS:3.0/AV:L/AC:H/PR:L/UI:R/S:C/C:L/I:L/A:N', 3.9],
    ['CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0],
  ])('%s → %s', (v, s) => {
    expect(cvss3BaseScore(v)).toBe(s);
  });
  it.each(['CVSS:2.0/AV:N', 'CVSS:3.1/AV:N/AC:L', 'CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'])('gives no score for %s', (v) => {
    expect(cvss3BaseScore(v)).toBeUndefined();
  });
  it('rates scores', () => {
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(severityOf)).toEqual(['none', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical']);
  });
});

describe('risk score', () => {
  it('lists every factor with its contribution and sums them', () => {
    const r = riskScore({ cvss: { version: '4.0', baseScore: 6.1 }, kev: { ransomware: true, dateAdded: '2021-12-10' }, clinicalSystem: 'modality', possible: true });
    expect(r).toEqual({
      score: 9.6, severity: 'critical',
      factors: [
        { factor: 'cvss', detail: 'CVSS v4.0 base score 6.1', contribution: 6.1 },
        { factor: 'kev', detail: 'in CISA KEV since 2021-12-10: exploited in the wild', contribution: 2 },
        { factor: 'ransomware', detail: 'known use in ransomware campaigns', contribution: 1 },
        { factor: 'clinical', detail: 'clinical system modality', contribution: 1.5 },
        { factor: 'uncertain', detail: 'the match is possible, not certain', contribution: -1 },
      ],
    });
  });
  it('says when a v4.0 score includes threat or environmental metrics', () => {
    const vector = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U';
    const bt = riskScore({ cvss: { version: '4.0', baseScore: 8.1, vector, source: 'OSV X', nomenclature: 'CVSS-BT' }, possible: false });
    expect(bt.factors[0]).toEqual({ factor: 'cvss', detail: 'CVSS v4.0 score 8.1 (CVSS-BT: threat/environmental metrics included) (OSV X)', contribution: 8.1 });
    // A source's own baseScore (NVD, CSAF) is CVSS-B even when its vector has threat metrics.
    const given = riskScore({ cvss: { version: '4.0', baseScore: 9.3, vector, source: 'nvd@nist.gov' }, possible: false });
    expect(given.factors[0]!.detail).toBe('CVSS v4.0 base score 9.3 (nvd@nist.gov)');
    const b = riskScore({ cvss: { version: '4.0', baseScore: 9.3, nomenclature: 'CVSS-B' }, possible: false });
    expect(b.factors[0]!.detail).toBe('CVSS v4.0 base score 9.3');
  });
  it('assumes a medium score when none is known, says so, and never goes below 0', () => {
    expect(riskScore({ possible: false, clinicalSystem: 'other' })).toEqual({ score: 5, severity: 'medium', factors: [{ factor: 'cvss', detail: 'no CVSS score known: 5 assumed', contribution: 5 }] });
    const low = riskScore({ cvss: { version: '3.1', baseScore: 0.5 }, exposure: { reachable: false, plaintext: false, evidence: [] }, possible: true });
    expect(low.score).toBe(0);
    expect(low.factors.at(-1)).toEqual({ factor: 'cap', detail: 'the score does not go below 0', contribution: 1.5 });
  });
});

describe('exposure from sensor states', () => {
  it('is left out when no exposure sensor watches the device', () => {
    expect(exposureFrom([{ sensorId: 's', kind: 'ping', state: 'down' }, { sensorId: 't', kind: 'tls-audit', state: 'paused' }])).toBeUndefined();
  });
  it('tells reachable from weak from unreachable', () => {
    expect(exposureFrom([{ sensorId: 's', kind: 'tls-audit', state: 'up', message: 'TLS 1.2/1.3 only' }])).toEqual({ reachable: true, plaintext: false, evidence: ['tls-audit s: TLS 1.2/1.3 only'] });
    expect(exposureFrom([{ sensorId: 's', kind: 'insecure-services', state: 'warning', error: 'EXPOSURE_TELNET', message: 'telnet answers on 23' }])).toEqual({ reachable: true, plaintext: true, evidence: ['insecure-services s: telnet answers on 23'] });
    expect(exposureFrom([{ sensorId: 'd', kind: 'dicom-exposure', state: 'down', error: 'EXPOSURE_DICOM_ANY_CALLED_AE', message: 'accepts any called AE' }])).toEqual({ reachable: true, plaintext: false, evidence: ['dicom-exposure d: accepts any called AE'] });
    expect(exposureFrom([{ sensorId: 's', kind: 'hl7-exposure', state: 'down', error: 'TIMEOUT' }])).toEqual({ reachable: false, plaintext: false, evidence: [] });
  });
});

describe('exposureReader', () => {
  it('reads the device\'s exposure sensors from the tree and the engine', () => {
    const nodes = new Map<string, TreeNode>([
      ['ct', { type: 'device', id: 'ct', name: 'CT', host: 'h', settings: {}, children: ['ct/tls', 'ct/ping', 'ct/new'] }],
      ['ct/tls', { type: 'sensor', id: 'ct/tls', name: 'TLS', parentId: 'ct', kind: 'tls-audit', kindSettings: {}, channels: {}, settings: {}, children: [] }],
      ['ct/ping', { type: 'sensor', id: 'ct/ping', name: 'Ping', parentId: 'ct', kind: 'ping', kindSettings: {}, channels: {}, settings: {}, children: [] }],
      ['ct/new', { type: 'sensor', id: 'ct/new', name: 'HL7', parentId: 'ct', kind: 'hl7-exposure', kindSettings: {}, channels: {}, settings: {}, children: [] }],
    ]);
    const tree: Tree = { nodes, roots: ['ct'], maintenance: new Map(), credentials: new Map(), defaults: {} };
    const r = exposureReader(() => tree, (id) => (id === 'ct/new' ? undefined : { state: 'warning', failures: 0, since: 0, error: 'EXPOSURE_TLS_OLD_PROTOCOL', message: 'TLS 1.0 offered' }));
    expect(r.observations('ct')).toEqual([{ sensorId: 'ct/tls', kind: 'tls-audit', state: 'warning', error: 'EXPOSURE_TLS_OLD_PROTOCOL', message: 'TLS 1.0 offered' }]);
    expect(r.observations('nope')).toEqual([]);
  });
});

describe('runbook', () => {
  const fix = { category: 'vendor_fix' as const, details: 'Update to 3.6.7', productIds: [] };
  it.each<[Parameters<typeof runbookFor>[0], string, string]>([
    [{ status: 'affected', remediations: [fix], endOfSupport: false, kev: { dueDate: '2026-02-05', requiredAction: 'Apply updates.' } }, 'kev', 'Isolate now'],
    [{ status: 'affected', remediations: [fix], endOfSupport: false, kev: { dueDate: '2026-02-05', requiredAction: 'Apply updates.' }, reachable: false }, 'kev', 'Keep the device off routed networks'],
    [{ status: 'affected', remediations: [fix], endOfSupport: false }, 'vendor-fix', 'Apply the vendor fix'],
    [{ status: 'affected', remediations: [], endOfSupport: true }, 'no-fix', 'Isolate now'],
    [{ status: 'affected', remediations: [{ category: 'no_fix_planned', details: 'EOL', productIds: [] }], endOfSupport: false }, 'no-fix', 'Isolate now'],
    [{ status: 'possible', remediations: [], endOfSupport: false }, 'possible', 'Confirm whether the device is affected'],
    [{ status: 'affected', remediations: [], endOfSupport: false }, 'standard', 'Contact the manufacturer'],
    [{ status: 'affected', remediations: [], endOfSupport: false, analysisState: 'not_affected' }, 'not-affected', 'No action'],
  ])('%#: %s', (input, type, first) => {
    const r = runbookFor(input);
    expect(r.type).toBe(type);
    expect(r.steps[0]).toMatch(new RegExp(`^${first}`));
  });
  it('quotes the manufacturer\'s remediations', () => {
    expect(runbookFor({ status: 'affected', remediations: [{ ...fix, url: 'https://x' }], endOfSupport: false }).steps).toContain('vendor fix (manufacturer): Update to 3.6.7 — https://x');
  });
});
