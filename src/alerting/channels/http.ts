// One HTTP(S) request for the web-based channels (webhook, Slack, Teams, PagerDuty), with the answer
// classified the way every one of them needs: 2xx taken, 408/425/429/5xx and network trouble worth
// retrying, any other 4xx a permanent refusal (a wrong URL or key does not heal by itself).

import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { permanent, retryable, sent, type SendResult } from './channel.ts';

export interface HttpSendOptions {
  readonly url: string;
  readonly method?: 'POST' | 'PUT';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
  readonly signal: AbortSignal;
  readonly caFile?: string;
  readonly rejectUnauthorized?: boolean;
  /** Statuses that count as delivered besides 2xx (none by default). */
  readonly okStatuses?: readonly number[];
}

const MAX_RESPONSE = 64 * 1024;

// Keep-alive agents, one per TLS trust setting: a burst of notifications to one receiver reuses
// connections instead of paying a TCP (and TLS) handshake each.
const agents = new Map<string, http.Agent>();
function agentFor(secure: boolean, ca: Buffer | undefined, caFile: string | undefined, rejectUnauthorized: boolean): http.Agent {
  const id = `${secure ? 'https' : 'http'}|${caFile ?? ''}|${rejectUnauthorized ? 1 : 0}`;
  let a = agents.get(id);
  if (!a) {
    const common = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 60_000 };
    a = secure ? new https.Agent({ ...common, rejectUnauthorized, ...(ca ? { ca } : {}) }) : new http.Agent(common);
    agents.set(id, a);
  }
  return a;
}
const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 425, 429]);

/** Drops user info and query (tokens live there in Slack/Teams URLs) before a URL goes into a log. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname.length > 24 ? `${u.pathname.slice(0, 24)}…` : u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export function classifyHttp(status: number, body: string): SendResult {
  if (status >= 200 && status < 300) return sent(`HTTP ${status}`, body);
  if (RETRY_STATUSES.has(status) || status >= 500) return retryable(`HTTP ${status}`, `the server answered HTTP ${status}`, body);
  return permanent(`HTTP ${status}`, `the server refused the message with HTTP ${status}`, body);
}

export function httpSend(opts: HttpSendOptions): Promise<SendResult> {
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    return Promise.resolve(permanent('invalid URL', `invalid URL ${JSON.stringify(redactUrl(opts.url))}`));
  }
  let ca: Buffer | undefined;
  if (opts.caFile !== undefined) {
    try {
      ca = readFileSync(opts.caFile);
    } catch (err) {
      return Promise.resolve(permanent('config', `cannot read caFile ${opts.caFile}: ${(err as Error).message}`));
    }
  }
  const body = Buffer.from(opts.body, 'utf8');
  const mod = url.protocol === 'https:' ? https : http;
  const agent = agentFor(url.protocol === 'https:', ca, opts.caFile, opts.rejectUnauthorized ?? true);
  const attempt = (fresh: boolean): Promise<SendResult> =>
    new Promise<SendResult>((resolve) => {
      const req = mod.request(url, {
        method: opts.method ?? 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length), 'user-agent': 'Wardwatch', ...opts.headers },
        signal: opts.signal,
        // A retry after a dead kept-alive connection opens a new one.
        agent: fresh ? false : agent,
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < MAX_RESPONSE) chunks.push(c);
          size += c.length;
        });
        res.on('error', (err) => resolve(retryable('network', `reading the response from ${redactUrl(opts.url)}: ${err.message}`)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve(opts.okStatuses?.includes(status) ? sent(`HTTP ${status}`, text) : classifyHttp(status, text));
        });
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        const method = opts.method ?? 'POST';
        if (opts.signal.aborted) resolve(retryable('TIMEOUT', `${method} ${redactUrl(opts.url)}: timed out`));
        // A kept-alive connection the server had already closed (idle timeout, restart): the request
        // never reached it, so it is sent again at once on a new connection rather than backed off.
        else if (!fresh && req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE')) resolve(attempt(true));
        else resolve(retryable(err.code ?? 'network', `${method} ${redactUrl(opts.url)}: ${err.message}`));
      });
      req.end(body);
    });
  return attempt(false);
}
