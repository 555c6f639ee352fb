import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../../core/model.ts';
import { isKnownError } from '../../core/errors.ts';
import { startFhirStub, type FhirStub } from '../../sim/fhir/index.ts';
import { makeContext, runSensorContract } from '../testing/contract.ts';
import { activeResources, settleResources } from '../testing/handles.ts';
import { closedPort, startHangingServer, type TestServer } from '../testing/peers.ts';
import type { CheckContext } from '../sensor.ts';
import { dicomwebKind } from './index.ts';

let stub: FhirStub;
const hangers: TestServer[] = [];
beforeAll(async () => {
  stub = await startFhirStub({ studies: 2, instancesPerStudy: 3 });
});
afterAll(async () => {
  await stub.close();
  for (const h of hangers) await h.close();
});

runSensorContract(dicomwebKind, {
  good: async () => ({ baseUrl: stub.dicomwebUrl, metadata: true }),
  refused: async () => ({ baseUrl: `http://127.0.0.1:${await closedPort()}/dicom-web` }),
  refusedError: 'ECONNREFUSED',
  hang: async () => {
    const h = await startHangingServer();
    hangers.push(h);
    return { settings: { baseUrl: `http://127.0.0.1:${h.port}/dicom-web` }, accepted: h.nextConnection() };
  },
});

async function run(settings: Record<string, unknown>, ctx: Partial<CheckContext> = {}): Promise<Reading> {
  const s = dicomwebKind.settings.parse(settings);
  const before = activeResources();
  const r = await dicomwebKind.check(s, makeContext(ctx));
  expect(await settleResources(before), 'resources left open').toEqual({});
  if (r.error) expect(isKnownError(r.error)).toBe(true);
  return r;
}
const value = (r: Reading, key: string) => r.channels.find((c) => c.key === key)?.value;

describe('dicomweb sensor', () => {
  it('counts QIDO-RS studies and fetches WADO-RS metadata of the first', async () => {
    const r = await run({ baseUrl: stub.dicomwebUrl, metadata: true });
    expect(r.error).toBeUndefined();
    expect(value(r, 'studyCount')).toBe(2);
    expect(value(r, 'instanceCount')).toBe(3);
    expect(value(r, 'metadataTimeMs')).toBeGreaterThan(0);
    expect(r.message).toMatch(/^QIDO-RS: 2 studies in [\d.]+ ms; WADO-RS metadata: 3 instances in [\d.]+ ms$/);
    expect(stub.lastQidoQuery()).toBe('?limit=10');
  });

  it('passes the limit and extra parameters, with {{today}} filled in', async () => {
    const r = await run({ baseUrl: stub.dicomwebUrl, limit: 1, query: 'ModalitiesInStudy=CT&StudyDate={{today}}' }, { wallNow: () => Date.UTC(2026, 0, 5, 23, 59) });
    expect(value(r, 'studyCount')).toBe(1);
    expect(stub.lastQidoQuery()).toBe('?limit=1&ModalitiesInStudy=CT&StudyDate=20260105');
  });

  it('treats 204 No Content as zero studies, and enforces minStudies', async () => {
    stub.set({ studies: 0 });
    try {
      const r = await run({ baseUrl: stub.dicomwebUrl, metadata: true });
      expect(r.error).toBeUndefined();
      expect(value(r, 'studyCount')).toBe(0);
      expect(r.message).toMatch(/^QIDO-RS: 0 studies in [\d.]+ ms$/);
      expect(await run({ baseUrl: stub.dicomwebUrl, minStudies: 1 })).toMatchObject({ error: 'DICOMWEB_UNEXPECTED_COUNT', message: 'QIDO-RS found 0 studies, expected at least 1' });
    } finally {
      stub.set({ studies: 2 });
    }
  });

  it('reports HTTP errors and non-DICOM-JSON answers', async () => {
    try {
      stub.set({ fault: 'status-500' });
      expect(await run({ baseUrl: stub.dicomwebUrl })).toMatchObject({ error: 'HTTP_STATUS', message: 'QIDO-RS /studies answered HTTP 500' });
    } finally {
      stub.set({ fault: 'none' });
    }
    expect(await run({ baseUrl: `${stub.baseUrl}/x` })).toMatchObject({ error: 'HTTP_STATUS', message: 'QIDO-RS /studies answered HTTP 404' });
  });

  it('rejects answers that are not DICOM JSON arrays, or a first study without a UID', async () => {
    try {
      stub.set({ fault: 'qido-object' });
      expect(await run({ baseUrl: stub.dicomwebUrl })).toMatchObject({ error: 'DICOMWEB_BAD_RESPONSE', message: 'QIDO-RS /studies did not answer a DICOM JSON array' });
      stub.set({ fault: 'study-without-uid' });
      expect((await run({ baseUrl: stub.dicomwebUrl })).error).toBeUndefined();
      expect(await run({ baseUrl: stub.dicomwebUrl, metadata: true })).toMatchObject({ error: 'DICOMWEB_BAD_RESPONSE', message: 'the first study has no valid Study Instance UID (0020000D)' });
    } finally {
      stub.set({ fault: 'none' });
    }
  });
});
