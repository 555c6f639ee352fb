// Helpers for tests elsewhere (the API's access matrix, e2e): auth services on a throwaway key,
// users with given roles, and the headers of a logged-in session or an API token, without
// going through the login route each time.

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AnyStore } from '../../store/open.ts';
import type { Grant } from '../access.ts';
import { ProblemError, SESSION_COOKIE, sendProblemError } from './http.ts';
import { registerAuth, type RegisterAuthOptions } from './index.ts';
import { startSession } from './login.ts';
import { hashPassword, type ScryptParams } from './passwords.ts';
import { grantsOf, rolesById } from './principal.ts';
import { hashSecret } from './secrets.ts';
import { createAuthServices, type AuthPolicy, type AuthServices, type AuthServicesOptions } from './services.ts';
import type { Role, RoleAssignment, TokenScope, UserRecord } from './types.ts';

/** Cheap scrypt for tests only: production keeps the memory-hard default. */
export const TEST_SCRYPT: ScryptParams = { N: 1024, r: 8, p: 1 };

export interface TestAuthOptions {
  readonly store: AnyStore;
  readonly clock?: AuthServicesOptions['clock'];
  readonly policy?: Partial<AuthPolicy>;
  readonly secureCookie?: boolean;
  /** Defaults to a fresh temporary folder. */
  readonly keyFile?: string;
  readonly trustProxy?: readonly string[];
  readonly log?: (line: string) => void;
  readonly auditAnchor?: AuthServicesOptions['auditAnchor'];
}

export function createTestAuthServices(opts: TestAuthOptions): Promise<AuthServices> {
  return createAuthServices({
    store: opts.store,
    keyFile: opts.keyFile ?? join(mkdtempSync(join(tmpdir(), 'ww-auth-')), 'wardwatch.key'),
    secureCookie: opts.secureCookie ?? false,
    policy: { scrypt: TEST_SCRYPT, ...opts.policy },
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.trustProxy ? { trustProxy: opts.trustProxy } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.auditAnchor !== undefined ? { auditAnchor: opts.auditAnchor } : {}),
  });
}

export interface TestUserOptions {
  readonly login?: string;
  readonly password?: string;
  /** Role ids on the whole tree ("administrator", "operator", "read-only", or a custom role's id), or assignments. */
  readonly roles?: readonly (string | { readonly roleId: string; readonly nodeId?: string })[];
  readonly disabled?: boolean;
}

export interface TestUser {
  readonly user: UserRecord;
  readonly password: string;
}

export async function createTestUser(svc: AuthServices, opts: TestUserOptions = {}): Promise<TestUser> {
  const login = opts.login ?? `user-${randomBytes(4).toString('hex')}`;
  const password = opts.password ?? `pw-${randomBytes(12).toString('hex')}`;
  const now = svc.clock.now();
  const roles: RoleAssignment[] = (opts.roles ?? []).map((r) =>
    typeof r === 'string' ? { roleId: r, source: 'manual' } : { roleId: r.roleId, ...(r.nodeId !== undefined ? { nodeId: r.nodeId } : {}), source: 'manual' },
  );
  const user: UserRecord = {
    id: `u-${randomBytes(8).toString('hex')}`,
    login,
    name: login,
    method: 'password',
    passwordHash: await hashPassword(password, svc.policy.scrypt),
    totpEnabled: false,
    totpLastStep: 0,
    disabled: opts.disabled ?? false,
    failedLogins: 0,
    roles,
    createdAt: now,
    updatedAt: now,
  };
  await svc.store.createUser(user);
  return { user, password };
}

/** A custom role with the given grants (per subtree); returns it for use in createTestUser's roles. */
export async function createTestRole(svc: AuthServices, grants: readonly Grant[], opts: { name?: string; admin?: boolean } = {}): Promise<Role> {
  const role: Role = { id: `role-${randomBytes(6).toString('hex')}`, name: opts.name ?? `role-${randomBytes(4).toString('hex')}`, admin: opts.admin ?? false, grants, builtin: false };
  await svc.store.createRole(role);
  return role;
}

export interface TestSession {
  /** The value of the Cookie header. */
  readonly cookie: string;
  readonly csrfToken: string;
  /** Ready to spread into inject({ headers }): Cookie and X-CSRF-Token. */
  readonly headers: { readonly cookie: string; readonly 'x-csrf-token': string };
}

export async function sessionFor(svc: AuthServices, user: UserRecord, ip = '127.0.0.1'): Promise<TestSession> {
  const { cookie, session } = await startSession(svc, user, ip);
  const header = `${SESSION_COOKIE}=${cookie}`;
  return { cookie: header, csrfToken: session.csrfToken, headers: { cookie: header, 'x-csrf-token': session.csrfToken } };
}

export interface TestToken {
  readonly id: string;
  readonly secret: string;
  readonly headers: { readonly authorization: string };
}

/** An API token owned by `user` with the given scope (default: exactly the user's own rights). */
export async function bearerFor(svc: AuthServices, user: UserRecord, scope?: TokenScope, expiresAt?: number): Promise<TestToken> {
  const secret = `wwt_${randomBytes(32).toString('base64url')}`;
  const id = `t-${randomBytes(8).toString('hex')}`;
  let s = scope;
  if (s === undefined) {
    const own = grantsOf(user.roles, await rolesById(svc.store));
    s = own.admin ? { roleId: 'administrator' } : { grants: own.grants.length > 0 ? own.grants : [{ nodeId: '*', level: 'none' }] };
  }
  await svc.store.createToken({ id, name: `test-${id}`, secretHash: hashSecret(secret), userId: user.id, scope: s, ...(expiresAt !== undefined ? { expiresAt } : {}), createdAt: svc.clock.now() });
  return { id, secret, headers: { authorization: `Bearer ${secret}` } };
}

export interface TestAuthApp {
  readonly app: FastifyInstance;
  readonly svc: AuthServices;
}

/**
 * A bare Fastify instance with only the auth layer and its routes, plus whatever `extra` registers
 * (e.g. a protected probe route); the server's own error handler is mimicked for ProblemError.
 */
export async function buildTestAuthApp(svc: AuthServices, extra?: (app: FastifyInstance) => void, opts: RegisterAuthOptions = {}): Promise<TestAuthApp> {
  const app = Fastify({ logger: false });
  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    if (err instanceof ProblemError) return sendProblemError(reply, err);
    return sendProblemError(reply, new ProblemError((err.statusCode ?? 500) >= 500 ? 'INTERNAL' : 'BAD_REQUEST', err.message, {}, err.statusCode ?? 500));
  });
  registerAuth(app, svc, opts);
  extra?.(app);
  await app.ready();
  return { app, svc };
}
