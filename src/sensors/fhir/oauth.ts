// OAuth2 client-credentials tokens for FHIR (SMART backend services style with a client secret):
// fetched from the token endpoint, cached in the sensor's memory until shortly before expiry.

import { isObject, jsonBody, httpRequest, type HttpTls } from './http.ts';

const TOKEN_KEY = 'fhir.token';
/** Renew this long before expiry so a token never dies in flight. */
const EARLY_RENEW_MS = 30_000;
const MAX_TOKEN_BYTES = 64 * 1024;

export interface OAuthConfig {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  /** client_secret_basic (Authorization header, the default) or client_secret_post (form fields). */
  readonly clientAuth: 'basic' | 'post';
}

interface CachedToken {
  readonly key: string;
  readonly accessToken: string;
  readonly expiresAt: number;
}

export class TokenError extends Error {}

export interface TokenResult {
  readonly accessToken: string;
  /** ms spent fetching it; undefined when it came from the cache. */
  readonly fetchedInMs?: number;
}

export async function getToken(cfg: OAuthConfig, memory: Map<string, unknown>, wallNow: number, signal: AbortSignal, tls: HttpTls | undefined): Promise<TokenResult> {
  const key = `${cfg.tokenUrl} ${cfg.clientId} ${cfg.scope ?? ''}`;
  const cached = memory.get(TOKEN_KEY) as CachedToken | undefined;
  if (cached && cached.key === key && cached.expiresAt - EARLY_RENEW_MS > wallNow) return { accessToken: cached.accessToken };

  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (cfg.scope) form.set('scope', cfg.scope);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (cfg.clientAuth === 'post') {
    form.set('client_id', cfg.clientId);
    form.set('client_secret', cfg.clientSecret);
  } else headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(cfg.clientId)}:${encodeURIComponent(cfg.clientSecret)}`).toString('base64')}`;

  const res = await httpRequest({ url: cfg.tokenUrl, method: 'POST', headers, body: form.toString(), signal, maxBytes: MAX_TOKEN_BYTES, ...(tls ? { tls } : {}) });
  const body = jsonBody(res);
  if (res.status !== 200) {
    const detail = isObject(body) && typeof body.error === 'string' ? `: ${body.error}${typeof body.error_description === 'string' ? ` (${body.error_description})` : ''}` : '';
    throw new TokenError(`the token endpoint answered HTTP ${res.status}${detail}`);
  }
  if (!isObject(body) || typeof body.access_token !== 'string' || body.access_token === '') throw new TokenError('the token endpoint answered without an access_token');
  const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 300;
  memory.set(TOKEN_KEY, { key, accessToken: body.access_token, expiresAt: wallNow + expiresIn * 1000 } satisfies CachedToken);
  return { accessToken: body.access_token, fetchedInMs: res.totalMs };
}

export function dropToken(memory: Map<string, unknown>): void {
  memory.delete(TOKEN_KEY);
}
