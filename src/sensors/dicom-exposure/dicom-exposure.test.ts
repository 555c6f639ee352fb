// dicom-exposure against our DICOM simulator with a promiscuous (accept-any) and a strict
// (accept-listed) AE policy, with DICOM TLS served by a second simulator; plus the contract.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeOf } from '../../core/state.ts';
import { startDicomSimulator, type DicomSimulator } from '../../sim/dicom/index.ts';
import { makeCertificate } from '../testing/certs.ts';
import { makeContext, runSensorContract } from '../testing/contract.ts';
import { closedPort, startHangingServer } from '../testing/peers.ts';
import { dicomExposureKind } from './index.ts';

let open: DicomSimulator;
let strict: DicomSimulator;
let tlsSim: DicomSimulator;
let noTls: number;
/** One fixed instant for the simulator's synthetic studies and the sensor's "today". */
const NOW = Date.UTC(2026, 0, 15, 12);

beforeAll(async () => {
  const cert = await makeCertificate({ commonName: 'pacs.example', altNames: ['127.0.0.1'] });
  open = await startDicomSimulator({ host: '127.0.0.1', policy: 'accept-any', wallNow: () => NOW });
  strict = await startDicomSimulator({ host: '127.0.0.1', policy: 'accept-listed', calledAeTitles: ['PACS'], callingAeTitles: ['WARDWATCH'] });
  tlsSim = await startDicomSimulator({ host: '127.0.0.1', tls: { key: cert.keyPem, cert: cert.certPem, minVersion: 'TLSv1.2' } });
  noTls = await closedPort();
});
afterAll(async () => {
  await Promise.all([open.close(), strict.close(), tlsSim.close()]);
});

const check = (over: Record<string, unknown>) => dicomExposureKind.check(dicomExposureKind.settings.parse({ host: '127.0.0.1', unknownAe: 'STRANGER', timeZone: 'UTC', ...over }), makeContext({ wallNow: () => NOW }));
const value = (r: { channels: readonly { key: string; value: number }[] }, key: string) => r.channels.find((c) => c.key === key)?.value;

runSensorContract(dicomExposureKind, {
  good: () => Promise.resolve({ host: '127.0.0.1', port: strict.port, calledAe: 'PACS', tlsPort: tlsSim.port, query: true }),
  refused: async () => ({ host: '127.0.0.1', port: await closedPort() }),
  refusedError: 'ECONNREFUSED',
  hang: async () => {
    const srv = await startHangingServer();
    return { settings: { host: '127.0.0.1', port: srv.port }, accepted: srv.nextRequest() };
  },
});

describe('dicom-exposure against the simulator', () => {
  it('finds everything on a promiscuous SCP without DICOM TLS (Down: unauthenticated query is critical)', async () => {
    const r = await check({ port: open.port, query: true, tlsPort: noTls });
    expect(r.error).toBe('EXPOSURE_DICOM_UNAUTH_QUERY');
    expect(r.status).toBeUndefined();
    expect(r.message).toBe(
      [
        'answered a C-FIND from the unknown AE "STRANGER" (2 studies today, counted only) [DICOM PS3.15 (node authentication, access control), MDS2 NAUT / AUTH]',
        'accepted an association from the unknown calling AE title "STRANGER" [DICOM PS3.15 (node authentication), MDS2 NAUT]',
        'accepted an association to the unknown called AE title "STRANGER" [DICOM PS3.15 (node authentication), MDS2 NAUT]',
        `no DICOM TLS on port ${noTls} (cannot connect to 127.0.0.1:${noTls}: connect ECONNREFUSED 127.0.0.1:${noTls}) [DICOM PS3.15 Annex B (secure transport connection profiles), MDS2 TXCF]`,
      ].join('; '),
    );
    expect(value(r, 'findings')).toBe(4);
    expect(value(r, 'anyCalledAe')).toBe(1);
    expect(value(r, 'anyCallingAe')).toBe(1);
    expect(value(r, 'unauthenticatedQuery')).toBe(1);
    expect(value(r, 'tlsVersion')).toBe(0);
    expect(outcomeOf(r, dicomExposureKind.channels).kind).toBe('failure');
  });

  it('passes a strict SCP with DICOM TLS 1.2+', async () => {
    const r = await check({ port: strict.port, calledAe: 'PACS', query: true, tlsPort: tlsSim.port });
    expect(r.error, r.message).toBeUndefined();
    expect(r.message).toBe(
      `passed: unknown called AE "STRANGER" rejected (called AE title not recognized), unknown calling AE "STRANGER" rejected (calling AE title not recognized), C-FIND from unknown AE: association rejected (calling AE title not recognized), DICOM TLS on port ${tlsSim.port} with TLS 1.2, TLS 1.3`,
    );
    expect(value(r, 'anyCalledAe')).toBe(0);
    expect(value(r, 'unauthenticatedQuery')).toBe(0);
    expect(value(r, 'tlsVersion')).toBe(1.3);
    expect(value(r, 'findings')).toBe(0);
  });

  it('does not query unless the device is opted in, and says so', async () => {
    const r = await check({ port: open.port, tlsPort: tlsSim.port });
    expect(r.error).toBe('EXPOSURE_DICOM_ANY_CALLING_AE');
    expect(r.message).toMatch(/; not tested: C-FIND from unknown AE \(query not enabled for this device\)$/);
    expect(value(r, 'unauthenticatedQuery')).toBeUndefined();
    expect(open.stats().finds).toBe(1);
  });

  it('uses a fresh random AE title when none is configured', async () => {
    const r = await dicomExposureKind.check(dicomExposureKind.settings.parse({ host: '127.0.0.1', port: open.port, checkTls: false }), makeContext());
    expect(r.message).toMatch(/^accepted an association from the unknown calling AE title "WW[0-9A-F]{8}"/);
  });

  it('refuses to judge a device that rejects the configured AE titles', async () => {
    const r = await check({ port: strict.port, calledAe: 'WRONG' });
    expect(r.error).toBe('DICOM_ASSOC_REJECTED');
    expect(r.message).toBe(`127.0.0.1:${strict.port} rejected (called AE title not recognized) for the configured AE titles (called "WRONG", calling "WARDWATCH"): fix them first, exposure cannot be judged`);
  });

  it('reports a node that does not answer the association as such, not as secure', async () => {
    const sim = await startDicomSimulator({ host: '127.0.0.1', fault: { kind: 'hang', when: 'associate' } });
    try {
      const r = await check({ port: sim.port, associateTimeout: '100ms' });
      expect(r.error).toBe('DICOM_TIMEOUT_ASSOCIATE');
      expect(r.message).toBe(`127.0.0.1:${sim.port}: no answer to the association request for the configured AE titles (called "ANY-SCP", calling "WARDWATCH"): exposure cannot be judged`);
    } finally {
      await sim.close();
    }
  });

  it('counts an A-ABORT answer to the configured AE titles as a rejection', async () => {
    const sim = await startDicomSimulator({ host: '127.0.0.1', fault: { kind: 'abort', when: 'associate' } });
    try {
      const r = await check({ port: sim.port });
      expect(r.error).toBe('DICOM_ASSOC_REJECTED');
      expect(r.message).toBe(`127.0.0.1:${sim.port} aborted the association for the configured AE titles (called "ANY-SCP", calling "WARDWATCH"): fix them first, exposure cannot be judged`);
    } finally {
      await sim.close();
    }
  });

  it('flags DICOM TLS that still accepts TLS 1.0', async () => {
    const cert = await makeCertificate({ commonName: 'old-pacs', altNames: ['127.0.0.1'] });
    const old = await startDicomSimulator({ host: '127.0.0.1', tls: { key: cert.keyPem, cert: cert.certPem, minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } });
    try {
      const r = await check({ port: strict.port, calledAe: 'PACS', tlsPort: old.port });
      expect(r.error).toBe('EXPOSURE_DICOM_TLS_WEAK');
      expect(r.message).toMatch(new RegExp(`^DICOM TLS on port ${old.port} accepts TLS 1.0, TLS 1.1, TLS 1.2, TLS 1.3 \\[DICOM PS3.15 Annex B.9`));
    } finally {
      await old.close();
    }
  });
});
