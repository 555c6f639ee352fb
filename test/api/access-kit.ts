// The vocabulary of the access matrix (test/api/access-matrix.test.ts): the objects inside and
// outside the custom role's subtree, what each role has on them, what a route needs, and what a
// caller should therefore be told. The rows live in access-rows*.ts, one file per part of the API.

import { atLeast, type AccessLevel } from '../../src/api/access.ts';
import type { Harness, RoleName } from './harness.ts';

export type Where = 'inside' | 'outside';

/** The object of each side: the ward role writes below site-a/p1/icu and has nothing on site B. */
export const SENSOR: Record<Where, string> = { inside: 'site-a/p1/icu/monitor-1/ping', outside: 'site-b/p1/lab/analyzer/hl7' };
export const DEVICE: Record<Where, string> = { inside: 'site-a/p1/icu/monitor-1', outside: 'site-b/p1/lab/analyzer' };
export const ALERT: Record<Where, string> = { inside: 'a-in', outside: 'a-out' };
export const NOTE: Record<Where, string> = { inside: 'a-in:alert:0:nurse:mail', outside: 'a-out:alert:0:lab:mail' };

/** What each role has: on the node inside, outside, and on the whole tree (global lists, config). */
export const RIGHTS: Record<RoleName, Record<Where | 'global', AccessLevel>> = {
  administrator: { inside: 'full', outside: 'full', global: 'full' },
  operator: { inside: 'acknowledge', outside: 'acknowledge', global: 'acknowledge' },
  'read-only': { inside: 'read', outside: 'read', global: 'read' },
  ward: { inside: 'write', outside: 'none', global: 'none' },
  anonymous: { inside: 'none', outside: 'none', global: 'none' },
  expired: { inside: 'none', outside: 'none', global: 'none' },
};

/**
 * What a route asks of its caller: nothing; a signed-in caller; an administrator; a level on the
 * object (node) or on the whole tree (global); "own": the caller's own thing (inside) is theirs
 * to use, someone else's (outside) only an administrator's; or nobody (as the row asks it).
 */
export type Need =
  | { readonly public: true }
  | { readonly signedIn: true }
  | { readonly admin: true }
  | { readonly own: true }
  | { readonly nobody: true }
  | { readonly level: AccessLevel; readonly on: 'node' | 'global' };

export interface Req {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly body?: unknown;
  readonly contentType?: string;
  /** Instead of the role's credentials (a row that needs a session of its own, e.g. one it ends). */
  readonly headers?: Record<string, string>;
}

export interface Row {
  readonly need: Need;
  /** Builds the request; may prepare state first (as the administrator). */
  readonly req: (where: Where, role: RoleName, h: Harness, n: number) => Promise<Req> | Req;
  /** SSE: checked over a real socket (inject would wait for the end of an endless stream). */
  readonly stream?: boolean;
  /** Names the object in its path (or is its view): a caller without any right on it is told 404, as for an unknown id. */
  readonly hides?: boolean;
  /** The caller comes with a fresh logged-in session (cookie and CSRF token) instead of an API token. */
  readonly session?: boolean;
}

export const node = (level: AccessLevel): Need => ({ level, on: 'node' });
export const global = (level: AccessLevel): Need => ({ level, on: 'global' });
export const signedIn: Need = { signedIn: true };
export const open: Need = { public: true };
export const admin: Need = { admin: true };
export const own: Need = { own: true };
export const nobody: Need = { nobody: true };

/** What the caller should be told: allowed (anything but 401/403), denied (401/403) or hidden (404). */
export type Outcome = 'allowed' | 'denied' | 'hidden';

export function expected(row: Row, role: RoleName, where: Where): Outcome {
  const need = row.need;
  if ('public' in need) return 'allowed';
  if (role === 'anonymous' || role === 'expired') return 'denied';
  if ('signedIn' in need) return 'allowed';
  const refused = (seesNothing: boolean): Outcome => (row.hides === true && seesNothing ? 'hidden' : 'denied');
  if ('nobody' in need) return refused(false);
  if ('admin' in need) return role === 'administrator' ? 'allowed' : refused(false);
  // Someone else's token (say) is not even shown to a caller who may not manage it.
  if ('own' in need) return where === 'inside' || role === 'administrator' ? 'allowed' : refused(true);
  if (atLeast(RIGHTS[role][need.on === 'global' ? 'global' : where], need.level)) return 'allowed';
  return refused(RIGHTS[role][where] === 'none');
}

export async function adminOk(h: Harness, method: Req['method'], url: string, body?: unknown): Promise<string> {
  const r = await h.call('administrator', method, url, body);
  if (r.statusCode >= 300) throw new Error(`setup ${method} ${url} failed: ${r.statusCode} ${r.body}`);
  return r.body;
}
