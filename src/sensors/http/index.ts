// `http`: requests a URL the way a browser or an interface engine would, and checks the status,
// keywords and a JSON value of the answer — the health check for HIS/LIS/RIS web front ends, FHIR
// and DICOMweb endpoints. Built on node:http/https so that every phase is timed exactly.

import { STATUS_CODES } from 'node:http';
import type { ChannelValue, Reading } from '../../core/model.ts';
import { defineSensorKind, failed, type CheckContext, type Credential } from '../sensor.ts';
import { failureCode, failureMessage } from '../tcp/failures.ts';
import { checkJson, checkKeyword, checkKeywordAbsent, type Failure } from './assertions.ts';
import { exchange, type HttpPhases } from './request.ts';
import { DEFAULT_STATUS, formatStatusSet, httpSettings, startUrl, type HttpSettings } from './settings.ts';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'Wardwatch/0.1 (availability check)';

export const httpKind = defineSensorKind({
  kind: 'http',
  title: 'HTTP(S) request',
  description:
    'Requests a URL and checks the status code (after redirects), keywords that must be present or absent, and a value in a JSON response; reports the response time split into DNS, connect, TLS, first byte and download.',
  settings: httpSettings,
  channels: [
    { key: 'responseTimeMs', name: 'Response time', unit: 'ms', primary: true, description: 'Whole exchange, redirects included' },
    { key: 'dnsMs', name: 'DNS lookup', unit: 'ms' },
    { key: 'connectMs', name: 'TCP connect', unit: 'ms' },
    { key: 'tlsMs', name: 'TLS handshake', unit: 'ms' },
    { key: 'firstByteMs', name: 'Time to first byte', unit: 'ms', description: 'From the connection being ready to the response headers' },
    { key: 'downloadMs', name: 'Download', unit: 'ms' },
    { key: 'statusCode', name: 'Status code', unit: 'value' },
    { key: 'bytes', name: 'Body size', unit: 'bytes', description: 'Bytes of body received (at most the configured maximum, plus the last chunk)' },
  ],
  concurrency: 256,
  defaultIntervalS: 60,
  usesHost: true,
  check: checkHttp,
});

function requestHeaders(s: HttpSettings, credential: Credential | undefined): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: '*/*' };
  for (const [k, v] of Object.entries(s.headers)) headers[k.toLowerCase()] = v;
  // credentials are inherited down the tree: only an http one is meant for this server (never an SSH or DICOM password)
  if (credential?.type === 'http' && headers.authorization === undefined) {
    const { username, password, token } = credential.values;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    else if (username !== undefined) headers.authorization = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  }
  return headers;
}

function addPhases(sum: Partial<HttpPhases>, p: Readonly<Partial<HttpPhases>>): void {
  for (const [k, v] of Object.entries(p) as [keyof HttpPhases, number][]) sum[k] = Math.round(((sum[k] ?? 0) + v) * 1000) / 1000;
}

function timingChannels(totalMs: number, p: Partial<HttpPhases>): ChannelValue[] {
  const out: ChannelValue[] = [{ key: 'responseTimeMs', value: totalMs }];
  if (p.dns !== undefined) out.push({ key: 'dnsMs', value: p.dns });
  if (p.connect !== undefined) out.push({ key: 'connectMs', value: p.connect });
  if (p.tls !== undefined) out.push({ key: 'tlsMs', value: p.tls });
  if (p.firstByte !== undefined) out.push({ key: 'firstByteMs', value: p.firstByte });
  if (p.download !== undefined) out.push({ key: 'downloadMs', value: p.download });
  return out;
}

async function checkHttp(s: HttpSettings, ctx: CheckContext): Promise<Reading> {
  const start = ctx.now();
  const phases: Partial<HttpPhases> = {};
  const elapsed = (): number => Math.round((ctx.now() - start) * 1000) / 1000;
  let url = startUrl(s);
  let method: string = s.method;
  let body = s.body;
  let headers = requestHeaders(s, ctx.credential);
  const origin = url.origin;
  for (let redirects = 0; ; redirects++) {
    const ex = await exchange({ url, method, headers, ...(body !== undefined ? { body } : {}), rejectUnauthorized: s.tlsVerify, ...(s.tlsCa ? { ca: s.tlsCa } : {}), signal: ctx.signal, now: ctx.now, maxBodyBytes: s.maxBodyBytes });
    addPhases(phases, ex.phases);
    const where = url.host;
    if (!ex.ok) {
      const code = ex.closedEarly ? 'CLOSED_EARLY' : protocolCode(ex.cause) ?? failureCode(ex.phase, ex.cause, ex.aborted, ctx.signal);
      const hop = redirects > 0 ? ` after ${redirects} redirect${redirects > 1 ? 's' : ''}` : '';
      return failed(code, `${failureMessage(code, where, ex.cause)}${hop}`, ex.aborted || ex.phase !== 'dns' ? timingChannels(elapsed(), phases) : [], { ...phases });
    }
    const location = ex.headers.location;
    if (REDIRECTS.has(ex.status) && location !== undefined && s.followRedirects > 0) {
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return failed('HTTP_PROTOCOL', `${failureMessage('HTTP_PROTOCOL', where)}: invalid Location header ${JSON.stringify(location)}`, timingChannels(elapsed(), phases), { ...phases });
      }
      if (redirects >= s.followRedirects) {
        return failed('HTTP_TOO_MANY_REDIRECTS', `more than ${s.followRedirects} (the last one to ${next.href})`, [...timingChannels(elapsed(), phases), { key: 'statusCode', value: ex.status }], { ...phases });
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        return failed('HTTP_PROTOCOL', `${failureMessage('HTTP_PROTOCOL', where)}: redirect to an unsupported ${next.protocol} URL`, timingChannels(elapsed(), phases), { ...phases });
      }
      // a 303, or a 301/302 after a POST, turns the request into a GET without a body (what browsers do)
      if (ex.status === 303 || ((ex.status === 301 || ex.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      // credentials are for the configured origin only: never hand them to another host
      if (next.origin !== origin && headers.authorization !== undefined) {
        headers = { ...headers };
        delete headers.authorization;
      }
      url = next;
      continue;
    }
    return judge(s, ex, url, redirects, elapsed(), phases);
  }
}

/** llhttp parse errors (HPE_*) mean the peer does not speak HTTP properly. */
function protocolCode(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('HPE_') ? 'HTTP_PROTOCOL' : undefined;
}

function judge(s: HttpSettings, ex: Extract<Awaited<ReturnType<typeof exchange>>, { ok: true }>, url: URL, redirects: number, totalMs: number, phases: Partial<HttpPhases>): Reading {
  const channels: ChannelValue[] = [...timingChannels(totalMs, phases), { key: 'statusCode', value: ex.status }, { key: 'bytes', value: ex.bytes }];
  const statusText = ex.statusText || STATUS_CODES[ex.status] || '';
  const statusLine = `HTTP ${ex.status}${statusText ? ` ${statusText}` : ''}`;
  const via = redirects > 0 ? ` (after ${redirects} redirect${redirects > 1 ? 's' : ''}: ${url.href})` : '';
  const accepted = s.expectStatus ?? DEFAULT_STATUS;
  if (!accepted.some((r) => ex.status >= r.from && ex.status <= r.to)) {
    return failed('HTTP_STATUS', `${statusLine}${via} (expected ${formatStatusSet(accepted)})`, channels, { ...phases });
  }
  const text = ex.body.toString('utf8');
  const cut = ex.truncated ? ` (only the first ${formatBytes(s.maxBodyBytes)} read)` : '';
  const problem: Failure | undefined =
    (s.keyword !== undefined ? checkKeyword(text, s.keyword, cut) : undefined) ??
    (s.keywordAbsent !== undefined ? checkKeywordAbsent(text, s.keywordAbsent) : undefined) ??
    (s.jsonPath !== undefined ? checkJson(text, s.jsonPath, s.jsonExpect, cut) : undefined);
  if (problem) return failed(problem.code, `${problem.message}${via}`, channels, { ...phases });
  return {
    channels,
    message: `${ex.status}${statusText ? ` ${statusText}` : ''} in ${Math.round(totalMs)} ms${via}${cut ? `, body cut at ${formatBytes(s.maxBodyBytes)}` : ''}`,
    phases: { ...phases },
  };
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
