// What the sql kind asks of a database driver and what it gets back: one read-only query, timed,
// with its result as column names and rows of arrays (duplicate column names survive), or a
// catalogued failure. Drivers never throw.

import { codeFromSystemError } from '../../core/errors.ts';
import type { LoadedTls } from '../hl7/settings.ts';

export interface SqlRunOptions {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password?: string;
  readonly query: string;
  /** Connect budget, ms. */
  readonly connectTimeoutMs: number;
  /** The whole check's budget, ms: the statement timeout is what is left of it after connecting. */
  readonly timeoutMs: number;
  readonly tls?: LoadedTls;
  readonly signal: AbortSignal;
  readonly now: () => number;
}

export interface SqlResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

export type SqlRun =
  | { readonly ok: true; readonly connectMs: number; readonly executionMs: number; readonly result: SqlResult }
  | { readonly ok: false; readonly error: string; readonly message: string; readonly connectMs?: number };

export type SqlDriver = (o: SqlRunOptions) => Promise<SqlRun>;

/** Statement timeout: what the check's budget leaves after connecting, keeping a margin so the server's own timeout fires first and reports SQL_TIMEOUT. */
export function statementTimeoutMs(timeoutMs: number, connectMs: number): number {
  return Math.max(50, Math.floor(timeoutMs * 0.9 - connectMs));
}

/** The failure for an aborted signal: the runner aborts with a TimeoutError when its timeout expires. */
export function abortFailure(signal: AbortSignal, connectMs?: number): SqlRun {
  const timeout = (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
  return { ok: false, error: timeout ? 'TIMEOUT' : 'ABORTED', message: timeout ? 'the check timed out' : 'the check was cancelled', ...(connectMs !== undefined ? { connectMs } : {}) };
}

/** Failures that are not the database's own (refused, unreachable, TLS): the system error's code. */
export function transportFailure(err: unknown, what: string, connectMs?: number): SqlRun {
  const code = codeFromSystemError(err);
  const text = err instanceof Error ? err.message : String(err);
  return { ok: false, error: code, message: `${what}: ${text}`, ...(connectMs !== undefined ? { connectMs } : {}) };
}

export const round = (ms: number): number => Math.round(ms * 1000) / 1000;
