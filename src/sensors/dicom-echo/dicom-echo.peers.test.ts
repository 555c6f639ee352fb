// dicom-echo against real DICOM software (DCMTK storescp, with and without DICOM TLS; Orthanc),
// and DCMTK's echoscu against our simulator: both directions speak real DICOM.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dicomEchoKind } from './index.ts';
import { checkContext } from './testing.ts';
import { startDicomSimulator, type DicomSimulator } from '../../sim/dicom/index.ts';
import { dcmtk, makeTestPki, startOrthanc, startStorescp, type DicomPeer, type OrthancPeer, type TestPki } from '../../../test/peers/dicom.ts';
import { rm } from 'node:fs/promises';

const echo = (over: Record<string, unknown>) => dicomEchoKind.check(dicomEchoKind.settings.parse({ host: '127.0.0.1', ...over }), checkContext());

describe('dicom-echo against DCMTK storescp', () => {
  let peer: DicomPeer;
  beforeAll(async () => {
    peer = await startStorescp();
  });
  afterAll(async () => {
    await peer.stop();
  });

  it('gets a C-ECHO answer', async () => {
    const r = await echo({ port: peer.port, calledAe: peer.aet });
    expect(r.error).toBeUndefined();
    expect(r.message).toMatch(/^C-ECHO OK/);
    expect(r.channels.find((c) => c.key === 'totalMs')?.value).toBeGreaterThan(0);
  });
});

describe('dicom-echo over DICOM TLS (storescp +tls)', () => {
  let pki: TestPki;
  let peer: DicomPeer;
  beforeAll(async () => {
    pki = await makeTestPki();
    peer = await startStorescp({ tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca } });
  });
  afterAll(async () => {
    await peer.stop();
    await rm(pki.dir, { recursive: true, force: true });
  });

  it('echoes with a client certificate, reporting the TLS phase', async () => {
    const r = await echo({ port: peer.port, calledAe: peer.aet, tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey } });
    expect(r.error).toBeUndefined();
    expect(r.phases?.tls).toBeGreaterThan(0);
  });

  it('refuses a device certificate from an unknown CA', async () => {
    const r = await echo({ port: peer.port, calledAe: peer.aet, tls: { cert: pki.clientCert, key: pki.clientKey } });
    expect(r.error).toBe('TLS_CERT_UNTRUSTED');
  });

  it('speaks DICOM TLS with the simulator both ways (our sensor, DCMTK echoscu +tls)', async () => {
    const { readFile } = await import('node:fs/promises');
    const [key, cert, ca] = await Promise.all([readFile(pki.serverKey), readFile(pki.serverCert), readFile(pki.ca)]);
    const sim = await startDicomSimulator({ tls: { key, cert, ca, requestCert: true, rejectUnauthorized: true } });
    try {
      const ours = await echo({ port: sim.port, tls: { ca: pki.ca, cert: pki.clientCert, key: pki.clientKey, minVersion: 'TLSv1.3' } });
      expect(ours.error, ours.message).toBeUndefined();
      const theirs = await dcmtk('echoscu', ['+tls', pki.clientKey, pki.clientCert, '+cf', pki.ca, '127.0.0.1', String(sim.port)]);
      expect(theirs.code, theirs.out).toBe(0);
      expect(sim.stats().echoes).toBe(2);
      const noCert = await echo({ port: sim.port, tls: { ca: pki.ca } });
      expect(noCert.error).toBeDefined();
    } finally {
      await sim.close();
    }
  });

  it('reports an unreadable TLS key as a settings problem', async () => {
    const r = await echo({ port: peer.port, tls: { ca: pki.ca, cert: pki.clientCert, key: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n' } });
    expect(r.error).toBe('BAD_SETTINGS');
    expect(r.message).toMatch(/^TLS key or certificate unusable: /);
  });

  it('reports a missing TLS file as a settings problem', async () => {
    const r = await echo({ port: peer.port, tls: { ca: '/nonexistent/ca.pem' } });
    expect(r.error).toBe('BAD_SETTINGS');
    expect(r.message).toBe("TLS file not found: ENOENT: no such file or directory, open '/nonexistent/ca.pem'");
  });
});

describe('DCMTK echoscu against our simulator', () => {
  let sim: DicomSimulator;
  beforeAll(async () => {
    sim = await startDicomSimulator({ policy: 'accept-listed', calledAeTitles: ['SIMPACS'] });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('is answered', async () => {
    const r = await dcmtk('echoscu', ['-aec', 'SIMPACS', '127.0.0.1', String(sim.port)]);
    expect(r.code, r.out).toBe(0);
    expect(sim.stats().echoes).toBe(1);
  });

  it('is rejected with the called AE reason echoscu understands', async () => {
    const r = await dcmtk('echoscu', ['-aec', 'OTHER', '127.0.0.1', String(sim.port)]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('Called AE Title Not Recognized');
  });
});

describe('dicom-echo against Orthanc', () => {
  let orthanc: OrthancPeer;
  beforeAll(async () => {
    orthanc = await startOrthanc();
  }, 40_000);
  afterAll(async () => {
    await orthanc.stop();
  });

  it('gets a C-ECHO answer', async () => {
    const r = await echo({ port: orthanc.port, calledAe: orthanc.aet });
    expect(r.error).toBeUndefined();
  });

  it('is rejected for a wrong called AE title, with the decoded reason', async () => {
    const r = await echo({ port: orthanc.port, calledAe: 'NOT-ORTHANC' });
    expect(r.error).toBe('DICOM_ASSOC_REJECTED_CALLED_AE');
    expect(r.message).toBe('association rejected (permanent) by the called application (service user): called AE title not recognized (called AE "NOT-ORTHANC", calling AE "WARDWATCH")');
  });
});
