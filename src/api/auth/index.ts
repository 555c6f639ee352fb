// The auth layer of the API: establishes request.principal from the session cookie or a bearer
// token, refuses /api/* to anonymous callers except the public routes, checks the CSRF token of
// cookie sessions on unsafe methods, and declares the auth, users, roles, tokens, credentials and
// audit routes in the server's route table. Routes elsewhere ask for rights with requireLevel /
// requireAdmin / visibleFilter.

import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Tree } from '../../core/tree.ts';
import { atLeast, levelAt, type AccessLevel, type Principal } from '../access.ts';
import { ApiProblem, sendProblem } from '../problem.ts';
import { auditRoutes } from '../routes/audit.ts';
import { authRoutes } from '../routes/auth.ts';
import { credentialRoutes } from '../routes/credentials.ts';
import { RouteTable } from '../routes/define.ts';
import { roleRoutes } from '../routes/roles.ts';
import { tokenRoutes } from '../routes/tokens.ts';
import { userRoutes } from '../routes/users.ts';
import { CSRF_HEADER, ProblemError, SESSION_COOKIE, clientIp, pathOf, readCookie, sendProblemError, setClientIp } from './http.ts';
import { clientAddress } from './proxy.ts';
import { principalForToken, principalForUser } from './principal.ts';
import { scopeExcess } from './scope.ts';
import { hashSecret } from './secrets.ts';
import type { AuthServices } from './services.ts';
import type { SessionRecord } from './types.ts';
import './errors.ts';

export { createAuthServices, DEFAULT_POLICY } from './services.ts';
export type { AuthPolicy, AuthServices, AuthServicesOptions } from './services.ts';
export { ProblemError, sendProblemError, SESSION_COOKIE, CSRF_HEADER } from './http.ts';
export type * from './types.ts';
export { hashSecret } from './secrets.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A route anyone may call (login, setup, the auth state, push reports, the signed acknowledgement
     * link): no session, no CSRF check. Set by RouteTable from a declaration's `public: true`, which
     * is where public routes are said: the reference shows the same.
     */
    public?: boolean;
  }
}

export interface RegisterAuthOptions {
  /**
   * The server's route table: the auth layer's routes are declared in it, so they are validated and
   * documented like the rest. Without it (a bare test server) they get a table of their own.
   */
  readonly routes?: RouteTable;
  /** Public plain routes (not declared in a route table), "METHOD /path" or "* /prefix/", besides services.publicPaths. */
  readonly publicRoutes?: readonly string[];
  /**
   * The node tree as it is now. Needed to check that a token of a user who is not an administrator
   * stays within its owner's rights (at creation and at every use); without it such tokens cannot be made.
   */
  readonly tree?: () => Pick<Tree, 'nodes'>;
}

/** The session behind a cookie-authenticated request (undefined for tokens and anonymous calls). */
const sessions = new WeakMap<FastifyRequest, { readonly session: SessionRecord; readonly cookie: string }>();
/** The services of the server a request arrived on, for the guards (which only take the request). */
const servicesOf = new WeakMap<FastifyRequest, AuthServices>();

export function sessionOf(req: FastifyRequest): { readonly session: SessionRecord; readonly cookie: string } | undefined {
  return sessions.get(req);
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function registerAuth(app: FastifyInstance, services: AuthServices, opts: RegisterAuthOptions = {}): void {
  const publicRoutes = [...services.publicPaths.map((p) => (p.includes(' ') ? p : `* ${p}`)), ...(opts.publicRoutes ?? [])];
  const isPublic = (req: FastifyRequest, path: string): boolean => {
    if (req.routeOptions.config.public === true) return true;
    return publicRoutes.some((r) => {
      const sp = r.indexOf(' ');
      const method = r.slice(0, sp);
      const p = r.slice(sp + 1);
      if (method !== '*' && method !== req.method && !(method === 'GET' && req.method === 'HEAD')) return false;
      return p.endsWith('/') ? path.startsWith(p) : path === p;
    });
  };

  app.addHook('onRequest', async (req, reply) => {
    servicesOf.set(req, services);
    setClientIp(req, clientAddress(req.raw.socket.remoteAddress ?? req.ip, req.headers['x-forwarded-for'], services.trustedProxy));
    const path = pathOf(req);
    // Outside /api (the console's files, /metrics) a principal is set when one is presented, but
    // the route decides what anonymous callers get.
    const pub = !path.startsWith('/api/') || isPublic(req, path);
    try {
      await authenticate(services, req, opts.tree);
    } catch (err) {
      if (err instanceof ProblemError && !pub) return sendProblemError(reply, err);
      if (!(err instanceof ProblemError)) throw err;
    }
    if (pub) return;
    if (req.principal === undefined) return sendProblemError(reply, new ProblemError('AUTH_REQUIRED', `${req.method} ${path} needs a session cookie or an Authorization: Bearer token`));
    const s = sessions.get(req);
    if (s !== undefined && UNSAFE.has(req.method)) {
      const sent = req.headers[CSRF_HEADER];
      if (typeof sent !== 'string' || !safeEqual(sent, s.session.csrfToken)) {
        void services.audit.record({ actor: req.principal.name, actorId: req.principal.id, action: 'csrf.rejected', target: `${req.method} ${path}`, ip: clientIp(req), outcome: 'denied' }).catch(() => undefined);
        return sendProblemError(reply, new ProblemError('CSRF_INVALID', `${req.method} ${path}: send the csrfToken from /api/auth/state in the X-CSRF-Token header`));
      }
    }
    return;
  });

  app.register(async (child) => {
    child.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
      if (err instanceof ProblemError) return sendProblemError(reply, err);
      // Input the routes' schemas refused, and field errors the routes found (a weak password).
      if (err instanceof ApiProblem) return sendProblem(reply, err.problem);
      const status = err.statusCode ?? 500;
      if (status >= 500) req.log.error(err);
      return sendProblemError(reply, new ProblemError(status >= 500 ? 'INTERNAL' : 'BAD_REQUEST', err.message, {}, status));
    });
    // Answers here carry session tokens, token secrets and user lists: never kept by a cache.
    child.addHook('onSend', async (_req, reply, payload) => {
      reply.header('Cache-Control', 'no-store');
      return payload;
    });
    // Declared in the server's table but registered here, under this context's hooks.
    const routes = opts.routes?.within(child) ?? new RouteTable(child);
    authRoutes(routes, services);
    userRoutes(routes, services);
    roleRoutes(routes, services);
    tokenRoutes(routes, services, opts.tree);
    credentialRoutes(routes, services);
    auditRoutes(routes, services);
  });
}

async function authenticate(services: AuthServices, req: FastifyRequest, tree: (() => Pick<Tree, 'nodes'>) | undefined): Promise<void> {
  const now = services.clock.now();
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^bearer /i.test(auth)) {
    const secret = auth.slice(7).trim();
    const token = await services.store.tokenBySecretHash(hashSecret(secret));
    if (!token) throw new ProblemError('AUTH_REQUIRED', 'the bearer token is not known (revoked or mistyped)');
    if (token.expiresAt !== undefined && token.expiresAt <= now) {
      throw new ProblemError('AUTH_REQUIRED', `API token "${token.name}" expired at ${new Date(token.expiresAt).toISOString()}`);
    }
    const owner = await services.store.user(token.userId);
    if (!owner || owner.disabled) throw new ProblemError('AUTH_REQUIRED', `API token "${token.name}" belongs to a user who is disabled or deleted`);
    if (token.lastUsedAt === undefined || now - token.lastUsedAt >= 60_000) await services.store.touchToken(token.id, now);
    const principal = await principalForToken(services.store, token, owner);
    if (!principal.admin && tree) {
      // The owner may have lost rights since: a token never acts beyond what its owner may do now.
      const excess = scopeExcess(principal.grants, await principalForUser(services.store, owner), tree());
      if (excess !== undefined) throw new ProblemError('AUTH_REQUIRED', `API token "${token.name}" would give ${excess} (${owner.login}'s rights were reduced): create a new token`);
    }
    req.principal = principal;
    return;
  }
  const cookie = readCookie(req, SESSION_COOKIE);
  if (cookie === undefined || cookie === '') return;
  const idHash = hashSecret(cookie);
  const session = await services.store.session(idHash);
  if (!session) return;
  const { sessionIdleMs, sessionAbsoluteMs } = services.policy;
  if (now - session.lastSeenAt >= sessionIdleMs || now - session.createdAt >= sessionAbsoluteMs) {
    await services.store.deleteSession(idHash);
    return;
  }
  const user = await services.store.user(session.userId);
  if (!user || user.disabled) {
    await services.store.deleteSession(idHash);
    return;
  }
  // Touching at most once a minute keeps idle expiry accurate to a minute without a write per request.
  if (now - session.lastSeenAt >= 60_000) await services.store.touchSession(idHash, now);
  sessions.set(req, { session, cookie });
  req.principal = await principalForUser(services.store, user);
}

function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return ha.equals(hb) && a.length === b.length;
}

function deny(services: AuthServices, req: FastifyRequest, target: string, detail: string): never {
  const p = req.principal;
  void services.audit
    .record({
    actor: p?.name ?? 'anonymous',
    ...(p ? { actorId: p.id } : {}),
    action: 'access.denied',
    target,
    ip: clientIp(req),
    outcome: 'denied',
    detail: `${req.method} ${pathOf(req)}: ${detail}`,
  }).catch(() => undefined);
  if (!p) throw new ProblemError('AUTH_REQUIRED', detail);
  throw new ProblemError('FORBIDDEN', detail);
}

function svcFor(req: FastifyRequest): AuthServices {
  const s = servicesOf.get(req);
  if (!s) throw new Error(`auth guard used on ${req.method} ${pathOf(req)} but registerAuth(app, services) did not run for this server`);
  return s;
}

/** Throws a 403 problem (FORBIDDEN) and audits the refusal unless the principal has `level` on the node. */
export function requireLevel(req: FastifyRequest, tree: Pick<Tree, 'nodes'>, nodeId: string, level: AccessLevel): void {
  const p = req.principal;
  const have = p ? levelAt(p, tree, nodeId) : 'none';
  if (p && atLeast(have, level)) return;
  deny(svcFor(req), req, nodeId, `needs ${level} on ${nodeId}, has ${have}`);
}

/** Throws a 403 problem (FORBIDDEN) and audits the refusal unless the principal is an administrator. */
export function requireAdmin(req: FastifyRequest): Principal {
  const p = req.principal;
  if (p?.admin === true) return p;
  deny(svcFor(req), req, 'admin', 'needs administrator rights');
}

/** A predicate for lists: the nodes the principal may at least read (or `level`). */
export function visibleFilter(req: FastifyRequest, tree: Pick<Tree, 'nodes'>, level: AccessLevel = 'read'): (nodeId: string) => boolean {
  const p = req.principal;
  if (!p) return () => false;
  if (p.admin) return () => true;
  return (nodeId) => atLeast(levelAt(p, tree, nodeId), level);
}
