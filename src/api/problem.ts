// Errors as RFC 9457 problem details, with the error catalogue's codes. Validation problems list
// every field at fault in `errors` (path such as `query.limit` or `body.sites[0].name`).

import type { FastifyReply } from 'fastify';
import { lookupError, registerErrors } from '../core/errors.ts';

registerErrors({
  API_CONFLICT: { message: 'The request conflicts with the current state', http: 409 },
  API_VALIDATION: { message: 'The request is invalid', http: 422 },
  API_UNAVAILABLE: { message: 'This part of Wardwatch is not running', http: 503 },
  SENSOR_NOT_DOWN: { message: 'Only a Down sensor can be acknowledged', http: 409 },
  SENSOR_BUSY: { message: 'The sensor cannot be checked now (paused, already running or not started)', http: 409 },
});

export interface FieldError {
  /** Where: `query.limit`, `params.id`, `body.name`, `document.sites[0].probes[0].name`. */
  readonly path: string;
  readonly message: string;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code: string;
  readonly errors?: readonly FieldError[];
}

export function problem(code: string, detail?: string, status?: number, errors?: readonly FieldError[]): Problem {
  const entry = lookupError(code);
  return {
    type: `https://wardwatch.dev/problems/${code.toLowerCase().replaceAll('_', '-')}`,
    title: entry.message,
    status: status ?? entry.http,
    code,
    ...(detail !== undefined ? { detail } : {}),
    ...(errors !== undefined && errors.length > 0 ? { errors } : {}),
  };
}

/** A validation problem: the detail lists the fields so that a log line alone says what was wrong. */
export function validationProblem(errors: readonly FieldError[], status = 400): Problem {
  return problem('BAD_REQUEST', errors.map((e) => `${e.path}: ${e.message}`).join('; '), status, errors);
}

export function sendProblem(reply: FastifyReply, p: Problem): FastifyReply {
  return reply.code(p.status).type('application/problem+json').send(p);
}

/** Thrown by routes (and guards); the server's error handler answers with `problem` as it is. */
export class ApiProblem extends Error {
  readonly statusCode: number;
  readonly problem: Problem;
  constructor(p: Problem) {
    super(p.detail ?? p.title);
    this.name = 'ApiProblem';
    this.problem = p;
    this.statusCode = p.status;
  }
}

export function fail(code: string, detail?: string, status?: number): never {
  throw new ApiProblem(problem(code, detail, status));
}
