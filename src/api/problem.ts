// Errors as RFC 9457 problem details, with the error catalogue's codes.

import type { FastifyReply } from 'fastify';
import { lookupError } from '../core/errors.ts';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code: string;
}

export function problem(code: string, detail?: string, status?: number): Problem {
  const entry = lookupError(code);
  return { type: `https://wardwatch.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`, title: entry.message, status: status ?? entry.http, code, ...(detail !== undefined ? { detail } : {}) };
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}
