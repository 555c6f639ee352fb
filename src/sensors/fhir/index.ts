// `fhir`: reads [base]/metadata (the CapabilityStatement: status, FHIR version, software), optionally
// runs a search and checks the result count, optionally with an OAuth2 client-credentials token
// (cached in the sensor's memory until expiry). Results are counted, never stored.

import { z } from 'zod';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { baseUrl, credentialHeader, httpTlsSettings, loadHttpTls, ms, requestFailure } from './common.ts';
import { httpRequest, isObject, jsonBody, type HttpResponse, type HttpTls } from './http.ts';
import { dropToken, getToken, TokenError, type OAuthConfig } from './oauth.ts';
import './errors.ts';

export const fhirSettings = z
  .strictObject({
    baseUrl: baseUrl.describe('FHIR base URL, e.g. https://fhir.example.org/r4'),
    search: z
      .string()
      .regex(/^[A-Z][A-Za-z]+(\?.*)?$/, { error: 'expected a search such as Patient?_count=1 (a resource type, then an optional query)' })
      .optional()
      .describe('Search to run after /metadata, e.g. Patient?_count=1 or Appointment?date=today'),
    expectTotal: z.number().int().min(0).optional().describe('Exact number of results the search must report'),
    minTotal: z.number().int().min(0).optional().describe('Fewest results the search may report'),
    maxTotal: z.number().int().min(0).optional().describe('Most results the search may report'),
    expectFhirVersion: z.string().min(1).optional().describe('Required fhirVersion prefix, e.g. 4.0'),
    oauth2: z
      .strictObject({
        tokenUrl: baseUrl.describe('OAuth2 token endpoint'),
        clientId: z.string().min(1).optional().describe('Client ID (default: the credential\'s clientId)'),
        scope: z.string().min(1).optional().describe('Scopes to request, e.g. system/Patient.read'),
        clientAuth: z.enum(['basic', 'post']).default('basic').describe('How the client secret is sent'),
      })
      .optional()
      .describe('OAuth2 client credentials; the secret comes from a credential of type oauth2 (clientId, clientSecret)'),
    tls: httpTlsSettings,
    maxResponseBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(16 * 1024 * 1024).describe('Largest response accepted, bytes'),
  })
  .refine((s) => (s.expectTotal === undefined && s.minTotal === undefined && s.maxTotal === undefined) || s.search !== undefined, { error: 'expectTotal, minTotal and maxTotal need a search' });
export type FhirSettings = z.infer<typeof fhirSettings>;

const FHIR_JSON = 'application/fhir+json, application/json;q=0.9';

function oauthConfig(s: FhirSettings, ctx: CheckContext): OAuthConfig | Reading | undefined {
  if (!s.oauth2) return undefined;
  const c = ctx.credential;
  const clientId = s.oauth2.clientId ?? c?.values.clientId;
  const clientSecret = c?.values.clientSecret ?? c?.values.secret;
  if (!c || c.type !== 'oauth2' || !clientId || !clientSecret) return failed('BAD_SETTINGS', 'oauth2 needs a credential of type oauth2 with clientSecret (and clientId unless set in the settings)');
  return { tokenUrl: s.oauth2.tokenUrl, clientId, clientSecret, clientAuth: s.oauth2.clientAuth, ...(s.oauth2.scope ? { scope: s.oauth2.scope } : {}) };
}

async function check(s: FhirSettings, ctx: CheckContext): Promise<Reading> {
  let tls: HttpTls | undefined;
  try {
    tls = await loadHttpTls(s.tls);
  } catch (e) {
    return failed('BAD_SETTINGS', `cannot read tls.ca: ${(e as Error).message}`);
  }
  const oauth = oauthConfig(s, ctx);
  if (oauth && 'channels' in oauth) return oauth;

  // one retry with a fresh token when a cached one is refused (revoked, server restarted)
  const get = async (url: string, what: string): Promise<HttpResponse> => {
    for (let attempt = 0; ; attempt++) {
      let auth = credentialHeader(ctx.credential);
      let cached = false;
      if (oauth) {
        const token = await getToken(oauth, ctx.memory, ctx.wallNow(), ctx.signal, tls);
        cached = token.fetchedInMs === undefined;
        auth = { authorization: `Bearer ${token.accessToken}` };
      }
      const res = await httpRequest({ url, headers: { accept: FHIR_JSON, ...auth }, signal: ctx.signal, maxBytes: s.maxResponseBytes, ...(tls ? { tls } : {}) });
      if (res.status === 401 && oauth && cached && attempt === 0) {
        dropToken(ctx.memory);
        continue;
      }
      if (res.status === 401 || res.status === 403) throw new TokenError(`${what} answered HTTP ${res.status}${oauth ? ' to our token' : ''}`);
      return res;
    }
  };

  const channels: ChannelValue[] = [];
  let stage = `${s.baseUrl}/metadata`;
  try {
    const meta = await get(`${s.baseUrl}/metadata`, '/metadata');
    channels.push({ key: 'responseTimeMs', value: ms(meta.totalMs) });
    if (meta.status !== 200) return failed('HTTP_STATUS', `/metadata answered HTTP ${meta.status}`, channels);
    const cs = jsonBody(meta);
    if (!isObject(cs)) return failed('FHIR_BAD_CAPABILITY', '/metadata did not answer JSON', channels);
    // DSTU2 servers call it Conformance
    if (cs.resourceType !== 'CapabilityStatement' && cs.resourceType !== 'Conformance') return failed('FHIR_BAD_CAPABILITY', `/metadata answered a ${typeof cs.resourceType === 'string' ? cs.resourceType : 'resource without resourceType'}, not a CapabilityStatement`, channels);
    const version = typeof cs.fhirVersion === 'string' ? cs.fhirVersion : '?';
    const software = isObject(cs.software) ? [cs.software.name, cs.software.version].filter((v) => typeof v === 'string').join(' ') : '';
    let message = `FHIR ${version}${software ? ` (${software})` : ''}, ${typeof cs.status === 'string' ? cs.status : 'no status'}, /metadata in ${ms(meta.totalMs)} ms`;
    if (s.expectFhirVersion && !version.startsWith(s.expectFhirVersion)) return failed('FHIR_BAD_CAPABILITY', `fhirVersion is ${version}, expected ${s.expectFhirVersion}`, channels);

    if (s.search) {
      stage = `${s.baseUrl}/${s.search}`;
      const res = await get(`${s.baseUrl}/${s.search}`, s.search);
      channels.push({ key: 'searchTimeMs', value: ms(res.totalMs) });
      if (res.status !== 200) return failed('HTTP_STATUS', `${s.search} answered HTTP ${res.status}`, channels);
      const bundle = jsonBody(res);
      if (!isObject(bundle) || bundle.resourceType !== 'Bundle') return failed('FHIR_BAD_RESPONSE', `${s.search} did not answer a Bundle`, channels);
      const entries = Array.isArray(bundle.entry) ? bundle.entry.length : 0;
      const total = typeof bundle.total === 'number' && Number.isFinite(bundle.total) ? bundle.total : entries;
      channels.push({ key: 'searchTotal', value: total });
      message += `; ${s.search}: ${total} result${total === 1 ? '' : 's'} in ${ms(res.totalMs)} ms`;
      const expected =
        s.expectTotal !== undefined && total !== s.expectTotal ? `expected ${s.expectTotal}` : s.minTotal !== undefined && total < s.minTotal ? `expected at least ${s.minTotal}` : s.maxTotal !== undefined && total > s.maxTotal ? `expected at most ${s.maxTotal}` : undefined;
      if (expected) return failed('FHIR_UNEXPECTED_COUNT', `${s.search} returned ${total} result${total === 1 ? '' : 's'}, ${expected}`, channels);
    }
    return { channels, message };
  } catch (e) {
    if (e instanceof TokenError) return failed('FHIR_AUTH_FAILED', e.message, channels);
    const r = requestFailure(e, stage, 'FHIR_RESPONSE_TOO_LARGE');
    return { ...r, channels };
  }
}

export const fhirKind = defineSensorKind({
  kind: 'fhir',
  title: 'FHIR server',
  description:
    'Reads the CapabilityStatement at [base]/metadata (status, FHIR version and server software appear in the message), optionally runs a search such as Patient?_count=1 and checks its total (exact, minimum or maximum), optionally with an OAuth2 client-credentials token cached until it expires. Results are counted, never stored.',
  settings: fhirSettings,
  channels: [
    { key: 'responseTimeMs', name: 'Metadata response time', unit: 'ms', primary: true },
    { key: 'searchTimeMs', name: 'Search response time', unit: 'ms' },
    { key: 'searchTotal', name: 'Search results', unit: 'count' },
  ],
  concurrency: 200,
  defaultIntervalS: 60,
  usesHost: false,
  // A thrown bug or an abort becomes an INTERNAL or TIMEOUT reading in the runner, like every kind's.
  check,
});
