import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reading } from '../../core/model.ts';
import { isKnownError } from '../../core/errors.ts';
import { startFhirStub, type FhirStub } from '../../sim/fhir/index.ts';
import { makeContext, runSensorContract } from '../testing/contract.ts';
import { activeResources, settleResources } from '../testing/handles.ts';
import { closedPort, startHangingServer, type TestServer } from '../testing/peers.ts';
import { makeCa, makeCertificate } from '../testing/certs.ts';
import type { CheckContext, Credential } from '../sensor.ts';
import { fhirKind } from './index.ts';

let stub: FhirStub;
const hangers: TestServer[] = [];
beforeAll(async () => {
  stub = await startFhirStub();
});
afterAll(async () => {
  await stub.close();
  for (const h of hangers) await h.close();
});

runSensorContract(fhirKind, {
  good: async () => ({ baseUrl: stub.baseUrl, search: 'Patient?_count=1' }),
  refused: async () => ({ baseUrl: `http://127.0.0.1:${await closedPort()}/fhir` }),
  refusedError: 'ECONNREFUSED',
  hang: async () => {
    const h = await startHangingServer();
    hangers.push(h);
    return { settings: { baseUrl: `http://127.0.0.1:${h.port}/fhir` }, accepted: h.nextConnection() };
  },
});

async function run(settings: Record<string, unknown>, ctx: Partial<CheckContext> = {}): Promise<Reading> {
  const s = fhirKind.settings.parse(settings);
  const before = activeResources();
  const r = await fhirKind.check(s, makeContext(ctx));
  expect(await settleResources(before), 'resources left open').toEqual({});
  if (r.error) expect(isKnownError(r.error)).toBe(true);
  return r;
}
const value = (r: Reading, key: string) => r.channels.find((c) => c.key === key)?.value;

describe('fhir sensor', () => {
  it('reads the CapabilityStatement and reports version and software', async () => {
    const r = await run({ baseUrl: `${stub.baseUrl}/`, expectFhirVersion: '4.0' });
    expect(r.error).toBeUndefined();
    expect(r.message).toMatch(/^FHIR 4\.0\.1 \(Wardwatch FHIR stub 1\.0\.0\), active, \/metadata in [\d.]+ ms$/);
    expect(value(r, 'responseTimeMs')).toBeGreaterThan(0);
  });

  it('checks the search total: exact, minimum, maximum', async () => {
    const ok = await run({ baseUrl: stub.baseUrl, search: 'Patient?_count=1', expectTotal: 3 });
    expect(ok.error).toBeUndefined();
    expect(value(ok, 'searchTotal')).toBe(3);
    expect(ok.message).toMatch(/; Patient\?_count=1: 3 results in [\d.]+ ms$/);
    const exact = await run({ baseUrl: stub.baseUrl, search: 'Patient?_count=1', expectTotal: 5 });
    expect(exact.error).toBe('FHIR_UNEXPECTED_COUNT');
    expect(exact.message).toBe('Patient?_count=1 returned 3 results, expected 5');
    expect((await run({ baseUrl: stub.baseUrl, search: 'Patient', minTotal: 4 })).message).toBe('Patient returned 3 results, expected at least 4');
    expect((await run({ baseUrl: stub.baseUrl, search: 'Appointment?date=today', maxTotal: 0 })).error).toBeUndefined();
    expect((await run({ baseUrl: stub.baseUrl, search: 'Patient', maxTotal: 2 })).message).toBe('Patient returned 3 results, expected at most 2');
  });

  it('reports a wrong FHIR version, a non-JSON or non-CapabilityStatement answer, HTTP errors and oversized bodies', async () => {
    expect(await run({ baseUrl: stub.baseUrl, expectFhirVersion: '3.0' })).toMatchObject({ error: 'FHIR_BAD_CAPABILITY', message: 'fhirVersion is 4.0.1, expected 3.0' });
    try {
      stub.set({ fault: 'metadata-not-json' });
      expect(await run({ baseUrl: stub.baseUrl })).toMatchObject({ error: 'FHIR_BAD_CAPABILITY', message: '/metadata did not answer JSON' });
      stub.set({ fault: 'metadata-wrong-type' });
      expect(await run({ baseUrl: stub.baseUrl })).toMatchObject({ error: 'FHIR_BAD_CAPABILITY', message: '/metadata answered a Patient, not a CapabilityStatement' });
      stub.set({ fault: 'status-500' });
      expect(await run({ baseUrl: stub.baseUrl })).toMatchObject({ error: 'HTTP_STATUS', message: '/metadata answered HTTP 500' });
      stub.set({ fault: 'huge' });
      const big = await run({ baseUrl: stub.baseUrl, maxResponseBytes: 1024 * 1024 });
      expect(big.error).toBe('FHIR_RESPONSE_TOO_LARGE');
      expect(big.message).toMatch(new RegExp(`^${stub.baseUrl}/metadata: the response declares \\d+ bytes, more than the 1048576 allowed$`));
    } finally {
      stub.set({ fault: 'none' });
    }
  });

  it('validates its settings with readable messages', () => {
    const bad = (v: unknown) => fhirKind.settings.safeParse(v).error?.issues[0]?.message;
    expect(bad({ baseUrl: 'ftp://x' })).toBe('expected an http:// or https:// base URL without query, e.g. https://fhir.example.org/r4');
    expect(bad({ baseUrl: 'http://x', search: '/Patient' })).toBe('expected a search such as Patient?_count=1 (a resource type, then an optional query)');
    expect(bad({ baseUrl: 'http://x', expectTotal: 1 })).toBe('expectTotal, minTotal and maxTotal need a search');
  });
});

describe('fhir sensor with OAuth2 client credentials', () => {
  let secured: FhirStub;
  const clock = { wall: Date.UTC(2026, 0, 5, 8) };
  const credential: Credential = { name: 'fhir-monitor', type: 'oauth2', values: { clientId: 'wardwatch', clientSecret: 's3cret' } };
  beforeAll(async () => {
    secured = await startFhirStub({ oauth: { clientId: 'wardwatch', clientSecret: 's3cret', expiresInS: 60 } });
  });
  afterAll(async () => {
    await secured.close();
  });

  it('fetches a token once, reuses it until shortly before expiry, and renews a revoked one', async () => {
    const memory = new Map<string, unknown>();
    const settings = { baseUrl: secured.baseUrl, search: 'Patient?_count=1', oauth2: { tokenUrl: secured.tokenUrl, scope: 'system/Patient.read' } };
    const ctx = { memory, credential, wallNow: () => clock.wall };
    expect((await run(settings, ctx)).error).toBeUndefined();
    expect((await run(settings, ctx)).error).toBeUndefined();
    expect(secured.counts().token).toBe(1);
    clock.wall += 31_000; // 60 s token, renewed 30 s early
    expect((await run(settings, ctx)).error).toBeUndefined();
    expect(secured.counts().token).toBe(2);
    secured.revokeTokens();
    expect((await run(settings, ctx)).error).toBeUndefined();
    expect(secured.counts().token).toBe(3);
  });

  it('client_secret_post works too', async () => {
    const r = await run({ baseUrl: secured.baseUrl, oauth2: { tokenUrl: secured.tokenUrl, clientAuth: 'post' } }, { credential });
    expect(r.error).toBeUndefined();
  });

  it('reports FHIR_AUTH_FAILED for a wrong secret or a missing token, BAD_SETTINGS without a credential', async () => {
    const wrong: Credential = { name: 'x', type: 'oauth2', values: { clientId: 'wardwatch', clientSecret: 'nope' } };
    expect(await run({ baseUrl: secured.baseUrl, oauth2: { tokenUrl: secured.tokenUrl } }, { credential: wrong })).toMatchObject({
      error: 'FHIR_AUTH_FAILED',
      message: 'the token endpoint answered HTTP 401: invalid_client (unknown client or wrong secret)',
    });
    expect(await run({ baseUrl: secured.baseUrl })).toMatchObject({ error: 'FHIR_AUTH_FAILED', message: '/metadata answered HTTP 401' });
    expect(await run({ baseUrl: secured.baseUrl, oauth2: { tokenUrl: secured.tokenUrl } })).toMatchObject({
      error: 'BAD_SETTINGS',
      message: 'oauth2 needs a credential of type oauth2 with clientSecret (and clientId unless set in the settings)',
    });
  });
});

describe('fhir sensor over HTTPS', () => {
  it('verifies against a given CA and reports an untrusted certificate', async () => {
    const ca = await makeCa({ commonName: 'FHIR CA', keyType: 'EC' });
    const cert = await makeCertificate({ commonName: 'localhost', altNames: ['127.0.0.1'], signWith: ca, keyType: 'EC' });
    const secure = await startFhirStub({ tls: { cert: cert.certPem, key: cert.keyPem } });
    try {
      expect((await run({ baseUrl: secure.baseUrl, tls: { ca: ca.certPem } })).error).toBeUndefined();
      expect(await run({ baseUrl: secure.baseUrl })).toMatchObject({ error: 'TLS_CERT_UNTRUSTED', message: `${secure.baseUrl}/metadata: unable to verify the first certificate` });
    } finally {
      await secure.close();
    }
  });
});
