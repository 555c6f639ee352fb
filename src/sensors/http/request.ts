// One HTTP exchange over node:http/https with exact phase timings taken from the socket's own
// events (dns, connect, tls, first byte, download), a bounded body read, and the AbortSignal
// honoured in every phase. It always resolves: a failure says in which phase it happened.

import http from 'node:http';
import https from 'node:https';
import { isIP, type Socket } from 'node:net';
import type { ExchangePhase } from '../tcp/failures.ts';

export interface ExchangeOptions {
  readonly url: URL;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly rejectUnauthorized: boolean;
  readonly ca?: string;
  readonly signal: AbortSignal;
  /** Monotonic ms. */
  readonly now: () => number;
  readonly maxBodyBytes: number;
}

export interface HttpPhases {
  dns: number;
  connect: number;
  tls?: number;
  firstByte: number;
  download: number;
}

export type Exchange =
  | {
      readonly ok: true;
      readonly status: number;
      readonly statusText: string;
      readonly headers: http.IncomingHttpHeaders;
      /** At most maxBodyBytes. */
      readonly body: Buffer;
      /** Bytes received, including any beyond the limit in the last chunk. */
      readonly bytes: number;
      readonly truncated: boolean;
      readonly phases: Readonly<HttpPhases>;
    }
  | {
      readonly ok: false;
      readonly phase: ExchangePhase;
      readonly cause: unknown;
      readonly aborted: boolean;
      /** Set when the server hung up after the request without any answer. */
      readonly closedEarly: boolean;
      readonly phases: Readonly<Partial<HttpPhases>>;
    };

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

export function exchange(opts: ExchangeOptions): Promise<Exchange> {
  const { url, signal, now } = opts;
  const secure = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  // an IP address needs no lookup: its dns phase is zero and the exchange starts with the connect
  const phases: Partial<HttpPhases> = { dns: 0 };
  let phase: ExchangePhase = isIP(host) ? 'connect' : 'dns';
  const start = now();
  let mark = start;
  const step = (name: keyof HttpPhases, next: ExchangePhase): void => {
    const t = now();
    phases[name] = round(t - mark);
    mark = t;
    phase = next;
  };
  if (signal.aborted) return Promise.resolve({ ok: false, phase, cause: signal.reason as unknown, aborted: true, closedEarly: false, phases });

  return new Promise<Exchange>((resolve) => {
    let settled = false;
    let response: http.IncomingMessage | undefined;
    const requestOptions: https.RequestOptions = {
      method: opts.method,
      host,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      headers: opts.headers,
      // a fresh connection per check: timings then include connect and tls, and nothing lingers in a pool
      agent: false,
      ...(secure ? { rejectUnauthorized: opts.rejectUnauthorized, ...(opts.ca ? { ca: opts.ca } : {}) } : {}),
    };
    const req = (secure ? https : http).request(requestOptions);

    const settle = (result: Exchange): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      // whatever happened, the connection goes: a check never leaves a socket behind
      response?.destroy();
      req.destroy();
      resolve(result);
    };
    const fail = (cause: unknown, aborted: boolean, closedEarly = false): void => settle({ ok: false, phase, cause, aborted, closedEarly, phases: { ...phases } });
    const onAbort = (): void => fail(signal.reason, true);
    signal.addEventListener('abort', onAbort, { once: true });

    req.on('error', (err: Error & { code?: string }) => {
      // "socket hang up" after the request went out: the server closed without answering
      fail(err, false, phase === 'response' && !response && err.code === 'ECONNRESET');
    });
    req.on('socket', (socket: Socket) => {
      socket.once('lookup', () => step('dns', 'connect'));
      // once the connection is ready the request is on its way: from then on we wait for the answer
      socket.once('connect', () => step('connect', secure ? 'tls' : 'response'));
      if (secure) socket.once('secureConnect', () => step('tls', 'response'));
    });
    req.on('response', (res: http.IncomingMessage) => {
      response = res;
      // first byte is measured from the moment the connection was ready (server think time plus transfer)
      step('firstByte', 'response');
      const chunks: Buffer[] = [];
      let kept = 0;
      let bytes = 0;
      const finish = (truncated: boolean): void => {
        step('download', 'response');
        settle({
          ok: true,
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: res.headers,
          body: Buffer.concat(chunks, kept),
          bytes,
          truncated,
          phases: { ...phases } as HttpPhases,
        });
      };
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        const room = opts.maxBodyBytes - kept;
        if (room > 0) {
          const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
          chunks.push(part);
          kept += part.length;
        }
        // enough read: stop the download rather than buffer a body without bound
        if (bytes > opts.maxBodyBytes) finish(true);
      });
      res.on('end', () => finish(false));
      res.on('error', (err) => fail(err, false));
      res.on('close', () => {
        if (!res.complete) fail(Object.assign(new Error('the server closed the connection in the middle of the body'), { code: 'ECONNRESET' }), false);
      });
    });
    req.end(opts.body);
  });
}
