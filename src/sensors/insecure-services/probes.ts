// The probes of insecure-services, one per cleartext service: Telnet (open port, negotiation or
// banner), FTP (220 banner, anonymous login), plain-HTTP admin pages (Basic/Digest challenge, a
// password field or an admin title, unless it redirects to HTTPS) and SNMP default communities.
// Each resolves to a verdict and never throws; a cancelled check resolves as `aborted`.

import http from 'node:http';
import type net from 'node:net';
import { timedConnect, ConnectFailure } from '../../protocols/net/connect.ts';
import { readUntil } from '../../protocols/net/read.ts';
import { openSession, SnmpFailure } from '../../protocols/snmp/client.ts';
import { SYSTEM } from '../../protocols/snmp/oids.ts';
import { text } from '../../protocols/snmp/values.ts';

export interface ProbeTarget {
  readonly host: string;
  readonly timeoutMs: number;
  /** The check's signal (the runner's timeout or a cancel). */
  readonly signal: AbortSignal;
}

export type Verdict =
  | { readonly kind: 'exposed'; readonly detail: string; readonly extra?: string }
  | { readonly kind: 'closed'; readonly detail: string }
  /** Cannot reach the host at all (no route, no name): no verdict for anything. */
  | { readonly kind: 'unreachable'; readonly code: string; readonly detail: string }
  | { readonly kind: 'aborted' };

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);

/** Printable preview of a banner: control bytes as <0x..>, at most 60 characters. */
export function bannerPreview(bytes: Buffer): string {
  let out = '';
  for (const b of bytes.subarray(0, 60)) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0x0d || b === 0x0a ? ' ' : `<0x${b.toString(16).padStart(2, '0')}>`;
  return JSON.stringify(out.replace(/\s+/g, ' ').trim() + (bytes.length > 60 ? '…' : ''));
}

async function connect(t: ProbeTarget, port: number): Promise<net.Socket | Verdict> {
  const signal = AbortSignal.any([t.signal, AbortSignal.timeout(t.timeoutMs)]);
  try {
    return (await timedConnect({ host: t.host, port, signal, now: () => performance.now() })).socket;
  } catch (e) {
    if (t.signal.aborted) return { kind: 'aborted' };
    if (!(e instanceof ConnectFailure)) throw e;
    if (e.aborted) return { kind: 'closed', detail: `port ${port} does not answer (filtered)` };
    const code = (e.cause as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) return { kind: 'unreachable', code: code === 'EAI_AGAIN' ? 'ENOTFOUND' : code, detail: `${t.host}:${port}: ${e.message}` };
    return { kind: 'closed', detail: `port ${port} ${code === 'ECONNREFUSED' ? 'closed' : `not reachable (${e.message})`}` };
  }
}

function isVerdict(x: net.Socket | Verdict): x is Verdict {
  return 'kind' in x;
}

/** Reads what the server says first (or until `done`), bounded by the probe timeout. */
async function read(t: ProbeTarget, socket: net.Socket, done: (b: Buffer) => boolean): Promise<Buffer | 'aborted'> {
  const r = await readUntil(socket, { signal: t.signal, done, timeoutMs: t.timeoutMs, maxBytes: 4096 });
  return r.outcome === 'aborted' ? 'aborted' : r.data;
}

export async function probeTelnet(t: ProbeTarget, port: number): Promise<Verdict> {
  const socket = await connect(t, port);
  if (isVerdict(socket)) return socket;
  try {
    const banner = await read(t, socket, (b) => b.length > 0 && (b[0] === 0xff || b.includes(0x0a) || /login|password|:\s*$/i.test(b.toString('latin1'))));
    if (banner === 'aborted') return { kind: 'aborted' };
    // IAC (0xFF) first: a Telnet server opening its option negotiation
    const what = banner[0] === 0xff ? 'Telnet option negotiation' : banner.length ? `banner ${bannerPreview(banner)}` : 'no banner';
    return { kind: 'exposed', detail: `Telnet port ${port} is open (${what})` };
  } finally {
    socket.destroy();
  }
}

const lineComplete = (b: Buffer) => /^\d{3} [^\n]*\n/m.test(b.toString('latin1'));

function replyCode(b: Buffer): number | undefined {
  const m = /^(\d{3}) /m.exec(b.toString('latin1'));
  return m ? Number(m[1]) : undefined;
}

export async function probeFtp(t: ProbeTarget, port: number, tryAnonymous: boolean): Promise<Verdict> {
  const socket = await connect(t, port);
  if (isVerdict(socket)) return socket;
  socket.on('error', () => undefined);
  try {
    const banner = await read(t, socket, lineComplete);
    if (banner === 'aborted') return { kind: 'aborted' };
    if (replyCode(banner) !== 220) return { kind: 'exposed', detail: `FTP port ${port} is open (${banner.length ? `answers ${bannerPreview(banner)}` : 'no FTP greeting'})` };
    const greeting = bannerPreview(banner);
    if (!tryAnonymous) return { kind: 'exposed', detail: `FTP is open on port ${port} (${greeting})` };
    socket.write('USER anonymous\r\n');
    let reply = await read(t, socket, lineComplete);
    if (reply === 'aborted') return { kind: 'aborted' };
    if (replyCode(reply) === 331) {
      socket.write('PASS wardwatch@example.invalid\r\n');
      reply = await read(t, socket, lineComplete);
      if (reply === 'aborted') return { kind: 'aborted' };
    }
    const anonymous = replyCode(reply) === 230;
    if (anonymous) socket.write('QUIT\r\n');
    return { kind: 'exposed', detail: `FTP is open on port ${port} (${greeting})${anonymous ? ' and accepts anonymous login' : ''}`, ...(anonymous ? { extra: 'anonymous' } : {}) };
  } finally {
    socket.destroy();
  }
}

const PASSWORD_FIELD = /<input\b[^>]*\btype\s*=\s*["']?password/i;
const ADMIN_TITLE = /<title[^>]*>([^<]*(?:admin|login|log in|sign in|configuration|management|setup|settings)[^<]*)<\/title>/i;

export function probeHttp(t: ProbeTarget, port: number, path: string): Promise<Verdict> {
  if (t.signal.aborted) return Promise.resolve({ kind: 'aborted' });
  const url = `http://${t.host.includes(':') ? `[${t.host}]` : t.host}:${port}${path}`;
  return new Promise((resolve) => {
    const signal = AbortSignal.any([t.signal, AbortSignal.timeout(t.timeoutMs)]);
    let settled = false;
    const finish = (v: Verdict) => {
      if (settled) return;
      settled = true;
      req.destroy();
      resolve(v);
    };
    const req = http.get(url, { signal, agent: false, headers: { 'user-agent': 'Wardwatch exposure check', accept: 'text/html' } }, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const judge = () => {
        const body = Buffer.concat(chunks).toString('latin1');
        const auth = res.headers['www-authenticate'];
        const location = res.headers.location ?? '';
        if (status >= 300 && status < 400 && /^https:/i.test(location)) return finish({ kind: 'closed', detail: `${url} redirects to HTTPS` });
        if (status === 401 && auth) return finish({ kind: 'exposed', detail: `${url} asks for a password over plain HTTP (${auth.split(/[\s,]/)[0] ?? 'unknown'} authentication)` });
        if (PASSWORD_FIELD.test(body)) return finish({ kind: 'exposed', detail: `${url} serves a login form over plain HTTP (HTTP ${status})` });
        const title = ADMIN_TITLE.exec(body)?.[1]?.trim();
        if (title) return finish({ kind: 'exposed', detail: `${url} serves an administration page over plain HTTP ("${title.slice(0, 60)}")` });
        finish({ kind: 'closed', detail: `${url} answers HTTP ${status} with no login or admin page` });
      };
      res.on('data', (c: Buffer) => {
        if (size < 65_536) chunks.push(c);
        size += c.length;
        if (size >= 65_536) judge();
      });
      res.on('end', judge);
      res.on('error', judge);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (t.signal.aborted) return finish({ kind: 'aborted' });
      if (signal.aborted) return finish({ kind: 'closed', detail: `${url} does not answer (filtered or silent)` });
      if (err.code && UNREACHABLE.has(err.code)) return finish({ kind: 'unreachable', code: err.code === 'EAI_AGAIN' ? 'ENOTFOUND' : err.code, detail: `${url}: ${err.message}` });
      finish({ kind: 'closed', detail: err.code === 'ECONNREFUSED' ? `port ${port} closed` : `${url}: no HTTP (${err.message})` });
    });
  });
}

type SnmpAnswer = { readonly answered: true; readonly descr: string } | { readonly answered: false; readonly verdict?: Verdict };

async function snmpGet(t: ProbeTarget, port: number, community: string, version: '1' | '2c'): Promise<SnmpAnswer> {
  const session = openSession({ host: t.host, port, version, community, timeoutMs: t.timeoutMs, retries: 0 }, { signal: t.signal });
  try {
    const values = await session.get([SYSTEM.sysDescr]);
    return { answered: true, descr: (text(values.get(SYSTEM.sysDescr)) ?? '').split(/\r?\n/)[0]!.slice(0, 60) };
  } catch (e) {
    if (t.signal.aborted) return { answered: false, verdict: { kind: 'aborted' } };
    // an error status is an answer too: the agent accepted the community
    if (e instanceof SnmpFailure && e.code === 'errorStatus') return { answered: true, descr: '' };
    if (e instanceof SnmpFailure && e.code === 'socket' && e.detail && UNREACHABLE.has(e.detail)) return { answered: false, verdict: { kind: 'unreachable', code: e.detail, detail: `${t.host}:${port}: ${e.message}` } };
    return { answered: false };
  } finally {
    session.close();
  }
}

/** GET sysDescr with the community over SNMP v2c and v1 at once (old devices speak only v1). */
export async function probeSnmp(t: ProbeTarget, port: number, community: string): Promise<Verdict> {
  if (t.signal.aborted) return { kind: 'aborted' };
  const versions = ['2c', '1'] as const;
  const answers = await Promise.all(versions.map((v) => snmpGet(t, port, community, v)));
  const stop = answers.flatMap((a) => (!a.answered && a.verdict ? [a.verdict] : []))[0];
  if (stop?.kind === 'aborted') return stop;
  const yes = versions.filter((_, i) => answers[i]!.answered);
  if (!yes.length) return stop ?? { kind: 'closed', detail: `SNMP community "${community}" gets no answer` };
  const descr = answers.map((a) => (a.answered ? a.descr : '')).find((d) => d);
  return { kind: 'exposed', detail: `SNMP on port ${port} answers community "${community}" (${yes.map((v) => `v${v}`).join(', ')}${descr ? `; sysDescr "${descr}"` : ''})` };
}
