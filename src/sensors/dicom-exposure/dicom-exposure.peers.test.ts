// dicom-exposure against real DICOM software: DCMTK storescp (plain, and +tls as the DICOM TLS
// port), dcmqrscp (Q/R SCP that checks the called AE but not the calling one) and Orthanc.

import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestPki, startDcmqrscp, startOrthanc, startStorescp, type DicomPeer, type OrthancPeer, type TestPki } from '../../../test/peers/dicom.ts';
import { closedPort } from '../testing/peers.ts';
import { makeContext } from '../testing/contract.ts';
import { dicomExposureKind } from './index.ts';

const NOW = Date.UTC(2026, 0, 15, 12);
const check = (over: Record<string, unknown>) =>
  dicomExposureKind.check(dicomExposureKind.settings.parse({ host: '127.0.0.1', unknownAe: 'STRANGER', timeZone: 'UTC', ...over }), makeContext({ wallNow: () => NOW }));
const value = (r: { channels: readonly { key: string; value: number }[] }, key: string) => r.channels.find((c) => c.key === key)?.value;

describe('dicom-exposure against DCMTK storescp, with storescp +tls as the DICOM TLS port', () => {
  let pki: TestPki;
  let plain: DicomPeer;
  let secure: DicomPeer;
  beforeAll(async () => {
    pki = await makeTestPki();
    plain = await startStorescp();
    secure = await startStorescp({ tls: { key: pki.serverKey, cert: pki.serverCert, ca: pki.ca } });
  });
  afterAll(async () => {
    await Promise.all([plain.stop(), secure.stop()]);
    await rm(pki.dir, { recursive: true, force: true });
  });

  it('finds that storescp accepts any called and calling AE, refuses C-FIND, and that DICOM TLS is offered', async () => {
    const r = await check({ port: plain.port, calledAe: plain.aet, query: true, tlsPort: secure.port });
    expect(r.error).toBe('EXPOSURE_DICOM_ANY_CALLING_AE');
    expect(r.message).toBe(
      [
        'accepted an association from the unknown calling AE title "STRANGER" [DICOM PS3.15 (node authentication), MDS2 NAUT]',
        'accepted an association to the unknown called AE title "STRANGER" [DICOM PS3.15 (node authentication), MDS2 NAUT]',
        `passed: C-FIND from unknown AE: refused the Study Root C-FIND service, DICOM TLS on port ${secure.port} with TLS 1.2, TLS 1.3`,
      ].join('; '),
    );
    expect(value(r, 'unauthenticatedQuery')).toBe(0);
    expect(value(r, 'tlsVersion')).toBe(1.3);
  });
});

describe('dicom-exposure against DCMTK dcmqrscp', () => {
  let peer: DicomPeer;
  beforeAll(async () => {
    peer = await startDcmqrscp([{ patientId: 'WW1', patientName: 'WARDWATCH^ONE', studyUid: '2.25.4242.1', studyDate: '20260115', modality: 'CT' }]);
  });
  afterAll(async () => {
    await peer.stop();
  });

  it('finds that it answers a C-FIND from any calling AE (critical), though it checks the called AE', async () => {
    const r = await check({ port: peer.port, calledAe: peer.aet, query: true, tlsPort: await closedPort() });
    expect(r.error).toBe('EXPOSURE_DICOM_UNAUTH_QUERY');
    expect(r.message).toMatch(/^answered a C-FIND from the unknown AE "STRANGER" \(1 study today, counted only\) \[DICOM PS3\.15 \(node authentication, access control\), MDS2 NAUT \/ AUTH\]; accepted an association from the unknown calling AE title "STRANGER" .*; passed: unknown called AE "STRANGER" rejected \(called AE title not recognized\)$/);
    expect(value(r, 'queryMatches')).toBe(1);
    expect(value(r, 'anyCalledAe')).toBe(0);
  });
});

describe('dicom-exposure against Orthanc', () => {
  let peer: OrthancPeer;
  beforeAll(async () => {
    peer = await startOrthanc();
  }, 40_000);
  afterAll(async () => {
    await peer.stop();
  });

  it('finds that Orthanc (DicomCheckCalledAet, unknown modalities allowed) answers a stranger\'s C-FIND', async () => {
    const r = await check({ port: peer.port, calledAe: peer.aet, query: true, checkTls: false });
    expect(r.error).toBe('EXPOSURE_DICOM_UNAUTH_QUERY');
    expect(value(r, 'anyCalledAe')).toBe(0);
    expect(value(r, 'anyCallingAe')).toBe(1);
    expect(value(r, 'queryMatches')).toBe(0);
    expect(r.message).toMatch(/; passed: unknown called AE "STRANGER" rejected \(called AE title not recognized\)$/);
  });
});
