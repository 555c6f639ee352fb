// A small HTTP(S) client for the FHIR and DICOMweb kinds: one fresh connection per request (so the
// time measured includes connect, as a user's first request would), the check's AbortSignal, a
// custom CA or no verification, and a bounded body so a runaway server cannot exhaust memory.

import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

export interface HttpTls {
  readonly ca?: string;
  readonly verify: boolean;
}

export interface HttpRequestOptions {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
  /** Largest body accepted, bytes. */
  readonly maxBytes: number;
  readonly tls?: HttpTls;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** ms from the request start to the first response byte and to the body complete. */
  readonly firstByteMs: number;
  readonly totalMs: number;
}

export class BodyTooLargeError extends Error {
  readonly code = 'BODY_TOO_LARGE';
}

/** Rejected when the signal aborts; `reason` is the signal's reason (TimeoutError from the runner). */
export class RequestAbortedError extends Error {
  override readonly name = 'AbortError';
  readonly reason: unknown;
  constructor(reason: unknown) {
    super('the request was aborted');
    this.reason = reason;
  }
}

export function httpRequest(opts: HttpRequestOptions): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    if (opts.signal.aborted) {
      reject(new RequestAbortedError(opts.signal.reason));
      return;
    }
    const t0 = performance.now();
    const url = new URL(opts.url);
    const secure = url.protocol === 'https:';
    const lib = secure ? https : http;
    let done = false;
    const req = lib.request(url, {
      method: opts.method ?? 'GET',
      agent: false,
      headers: { 'user-agent': 'Wardwatch', ...(opts.body !== undefined ? { 'content-length': String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers },
      ...(secure ? { ca: opts.tls?.ca, rejectUnauthorized: opts.tls?.verify ?? true } : {}),
    });
    const finish = (err: Error | undefined, value?: HttpResponse) => {
      if (done) return;
      done = true;
      opts.signal.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(value!);
    };
    const onAbort = () => finish(new RequestAbortedError(opts.signal.reason));
    opts.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(err));
    req.on('response', (res) => {
      const firstByteMs = performance.now() - t0;
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (declared > opts.maxBytes) {
        finish(new BodyTooLargeError(`the response declares ${declared} bytes, more than the ${opts.maxBytes} allowed`));
        return;
      }
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) finish(new BodyTooLargeError(`the response is larger than the ${opts.maxBytes} bytes allowed`));
        else parts.push(chunk);
      });
      res.on('error', (err) => finish(err));
      res.on('end', () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts), firstByteMs, totalMs: performance.now() - t0 }));
    });
    req.end(opts.body);
  });
}

/** Parses a JSON body; undefined when it is not JSON. */
export function jsonBody(res: HttpResponse): unknown {
  try {
    return JSON.parse(res.body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
