// The exposure catalogue (every finding names a standard, has a runbook and is an error code) and
// how findings become a Reading (order by severity, Warning vs Down, passed and not-tested parts).

import { describe, expect, it } from 'vitest';
import { isKnownError, lookupError } from '../../core/errors.ts';
import { outcomeOf } from '../../core/state.ts';
import { EXPOSURE_FINDINGS, exposureFinding, isExposureCode } from './catalogue.ts';
import { exposureReading } from './reading.ts';

describe('exposure catalogue', () => {
  it('gives every finding a title, a standard it names, a severity and a runbook, and registers it as an error code', () => {
    expect(EXPOSURE_FINDINGS.size).toBe(17);
    for (const f of EXPOSURE_FINDINGS.values()) {
      expect(f.id).toMatch(/^EXPOSURE_[A-Z0-9_]+$/);
      expect(f.standard, f.id).toMatch(/PS3\.15|BCP 195|NIST SP 800-131A|MDS2/);
      expect(f.runbook.length, f.id).toBeGreaterThan(80);
      expect(isKnownError(f.id)).toBe(true);
      expect(lookupError(f.id)).toEqual({ message: `${f.title} (${f.standard})`, http: 200 });
    }
  });

  it('tells finding codes from other codes', () => {
    expect(isExposureCode('EXPOSURE_TELNET')).toBe(true);
    expect(isExposureCode('TLS_KEY_WEAK')).toBe(false);
    expect(exposureFinding('EXPOSURE_DICOM_UNAUTH_QUERY').severity).toBe('critical');
  });
});

describe('exposureReading', () => {
  const channels = [{ key: 'telnetOpen', value: 1 }];

  it('lists the most severe finding first, takes its code, and is Down for high severity', () => {
    const r = exposureReading({
      found: [
        { code: 'EXPOSURE_FTP', detail: 'FTP open' },
        { code: 'EXPOSURE_TELNET', detail: 'Telnet open' },
      ],
      channels,
      passed: ['no SNMP'],
      notTested: ['HTTP (no ports)'],
    });
    expect(r.error).toBe('EXPOSURE_TELNET');
    expect(r.status).toBeUndefined();
    expect(r.message).toBe(
      'Telnet open [MDS2 SAHD (system and application hardening), MDS2 TXCF]; FTP open [MDS2 SAHD (system and application hardening), MDS2 TXCF]; passed: no SNMP; not tested: HTTP (no ports)',
    );
    expect(r.channels).toEqual([...channels, { key: 'findings', value: 2 }]);
    expect(outcomeOf(r, []).kind).toBe('failure');
    expect(outcomeOf(r, []).message).toBe(`Telnet is open (administrative access in plaintext) (MDS2 SAHD (system and application hardening), MDS2 TXCF): ${r.message ?? ''}`);
  });

  it('is a Warning when the worst finding is medium', () => {
    const r = exposureReading({ found: [{ code: 'EXPOSURE_TLS_OLD_PROTOCOL', detail: 'offers TLS 1.0' }], channels: [], passed: [], notTested: [] });
    expect(r.status).toBe('warning');
    expect(outcomeOf(r, []).kind).toBe('warning');
  });

  it('has no error without findings, and keeps the phases', () => {
    const r = exposureReading({ found: [], channels: [], passed: ['a', 'b'], notTested: [], phases: { total: 12 } });
    expect(r).toEqual({ channels: [{ key: 'findings', value: 0 }], message: 'passed: a, b', phases: { total: 12 } });
  });
});
