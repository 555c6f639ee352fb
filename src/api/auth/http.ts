// Small HTTP pieces of the auth layer: the problem-carrying error that guards throw, the session
// cookie (parsed and written by hand: one cookie, strict flags, no plugin needed), client address.

import type { FastifyReply, FastifyRequest } from 'fastify';
import { problem, sendProblem, type Problem } from '../problem.ts';

export const SESSION_COOKIE = 'ww_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Thrown by guards and routes; the server's error handler answers with `problem` as it is. */
export class ProblemError extends Error {
  readonly statusCode: number;
  readonly problem: Problem;
  readonly headers: Readonly<Record<string, string>>;
  constructor(code: string, detail?: string, headers: Readonly<Record<string, string>> = {}, status?: number) {
    const p = problem(code, detail, status);
    super(detail ?? p.title);
    this.name = 'ProblemError';
    this.problem = p;
    this.statusCode = p.status;
    this.headers = headers;
  }
}

/** Answers a ProblemError with its problem document and headers (Retry-After...). */
export function sendProblemError(reply: FastifyReply, err: ProblemError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
  return sendProblem(reply, err.problem);
}

export function readCookie(req: FastifyRequest, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export interface CookieFlags {
  readonly secure: boolean;
  /** Seconds; 0 deletes the cookie. Omitted: a browser-session cookie. */
  readonly maxAgeS?: number;
}

export function sessionCookie(value: string, flags: CookieFlags): string {
  const parts = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Strict'];
  if (flags.secure) parts.push('Secure');
  if (flags.maxAgeS !== undefined) parts.push(`Max-Age=${flags.maxAgeS}`);
  return parts.join('; ');
}

/** The address registerAuth resolved for a request (X-Forwarded-For only through trusted proxies). */
const resolvedIps = new WeakMap<FastifyRequest, string>();

export function setClientIp(req: FastifyRequest, ip: string): void {
  resolvedIps.set(req, ip);
}

/** The client address the audit trail and the login limits use; Fastify's req.ip before registerAuth ran. */
export function clientIp(req: FastifyRequest): string {
  return resolvedIps.get(req) ?? req.ip;
}

/** The request path without the query string. */
export function pathOf(req: FastifyRequest): string {
  const q = req.url.indexOf('?');
  return q < 0 ? req.url : req.url.slice(0, q);
}
