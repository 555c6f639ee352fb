// Login, logout, first-run setup, the session state the console starts from, TOTP enrolment.

import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ProblemError, SESSION_COOKIE, clientIp, readCookie, sessionCookie } from '../auth/http.ts';
import { authenticateLogin, startSession } from '../auth/login.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.ts';
import { rolesById } from '../auth/principal.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { AuthServices } from '../auth/services.ts';
import { matchTotp, newTotpSecret, otpauthUrl } from '../auth/totp.ts';
import type { UserRecord } from '../auth/types.ts';
import { fieldError } from '../auth/validate.ts';
import { userView } from '../auth/views.ts';
import { authStateSchema, sessionSchema, totpEnrolmentSchema } from './auth-schemas.ts';
import type { RouteTable } from './define.ts';

const LoginBody = z.object({
  login: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
  totp: z.string().max(16).optional().describe('The authenticator code, for a user with TOTP on (asked for with TOTP_REQUIRED)'),
});
const SetupBody = z.object({
  token: z.string().min(1).max(256).describe('The setup token printed on the server console at first start'),
  login: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits, ".", "_", "@" or "-"'),
  password: z.string().max(1024).describe('At least 12 characters, without the login name in it'),
  name: z.string().min(1).max(200),
});
const ConfirmBody = z.object({ code: z.string().regex(/^\d{6}$/, 'six digits') });
const PasswordBody = z.object({ current: z.string().min(1).max(1024), password: z.string().max(1024).describe('The new one: at least 12 characters, without the login name in it') });

const TAG = 'auth';
/** Own-account routes: a person logged in through the console, never an API token. */
const SESSION_USER = 'a logged-in user (session cookie; not an API token)';

export function authRoutes(routes: RouteTable, svc: AuthServices): void {
  const stateUser = async (user: UserRecord) => {
    const v = userView(user, await rolesById(svc.store));
    return { id: v.id, login: v.login, name: v.name, admin: v.admin, method: v.method, totp: v.totp };
  };
  const setCookie = (reply: FastifyReply, value: string, maxAgeS: number): void => {
    reply.header('Set-Cookie', sessionCookie(value, { secure: svc.secureCookie, maxAgeS }));
  };
  const sessionUser = async (req: FastifyRequest): Promise<UserRecord> => {
    const p = req.principal;
    if (!p) throw new ProblemError('AUTH_REQUIRED', 'this needs a logged-in user');
    // A valid API token is authenticated, just not the kind of caller these routes are for.
    if (p.kind !== 'user') throw new ProblemError('FORBIDDEN', 'this needs a logged-in user (not an API token)');
    const u = await svc.store.user(p.id);
    if (!u) throw new ProblemError('AUTH_REQUIRED', 'the user no longer exists');
    return u;
  };

  routes.add({
    method: 'GET',
    url: '/api/auth/state',
    tag: TAG,
    summary: 'Whether setup is needed, who is logged in, and the session’s CSRF token',
    description: 'What the console starts from. Answers anonymous callers too (with setupRequired only).',
    access: 'public',
    public: true,
    response: authStateSchema,
    handler: async (req) => {
      const setupRequired = (await svc.store.countUsers()) === 0;
      const p = req.principal;
      if (!p) return { setupRequired };
      if (p.kind === 'token') return { setupRequired, user: { id: p.id, login: p.name, name: p.name, admin: p.admin, method: p.method, totp: false } };
      const u = await svc.store.user(p.id);
      const cookie = readCookie(req, SESSION_COOKIE);
      const session = cookie !== undefined ? await svc.store.session(hashSecret(cookie)) : undefined;
      return { setupRequired, ...(u ? { user: await stateUser(u) } : {}), ...(session ? { csrfToken: session.csrfToken } : {}) };
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/auth/setup',
    tag: TAG,
    summary: 'First run: create the first administrator with the setup token, and log in (audited)',
    description: 'Only while no user exists (SETUP_DONE after); the token is the one printed on the server console, spent by the first success.',
    access: 'public (the setup token)',
    public: true,
    body: SetupBody,
    response: sessionSchema,
    status: 201,
    handler: async (req, reply, { body }) => {
      const ip = clientIp(req);
      if ((await svc.store.countUsers()) > 0) throw new ProblemError('SETUP_DONE', 'an administrator exists already');
      if (!svc.checkSetupToken(body.token)) {
        await svc.audit.record({ actor: body.login, action: 'setup.failed', ip, outcome: 'denied', detail: 'wrong setup token' });
        throw new ProblemError('SETUP_TOKEN_INVALID');
      }
      const weak = passwordProblem(body.password, body.login);
      if (weak !== undefined) throw fieldError('body.password', weak);
      // Spent before the first await: two setup requests racing cannot both create an administrator.
      svc.consumeSetupToken();
      const now = svc.clock.now();
      const user: UserRecord = {
        id: `u-${randomBytes(8).toString('hex')}`,
        login: body.login,
        name: body.name,
        method: 'password',
        passwordHash: await hashPassword(body.password, svc.policy.scrypt),
        totpEnabled: false,
        totpLastStep: 0,
        disabled: false,
        failedLogins: 0,
        roles: [{ roleId: 'administrator', source: 'manual' }],
        createdAt: now,
        updatedAt: now,
      };
      await svc.store.createUser(user);
      await svc.audit.record({ actor: user.login, actorId: user.id, action: 'setup', target: `user:${user.id}`, ip, outcome: 'ok', after: { login: user.login, name: user.name, roles: user.roles }, detail: 'first administrator created' });
      const { cookie, session } = await startSession(svc, user, ip);
      setCookie(reply, cookie, Math.floor(svc.policy.sessionAbsoluteMs / 1000));
      await svc.audit.record({ actor: user.login, actorId: user.id, action: 'login', ip, outcome: 'ok', detail: 'after setup' });
      return reply.code(201).send({ user: await stateUser(user), csrfToken: session.csrfToken });
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/auth/login',
    tag: TAG,
    summary: 'Log in: a session cookie and its CSRF token (audited; rate-limited per address and account)',
    description: 'A local password or the directory (LDAP). A wrong login and a wrong password get the same answer (LOGIN_FAILED); TOTP_REQUIRED asks for `totp`.',
    access: 'public',
    public: true,
    body: LoginBody,
    response: sessionSchema,
    handler: async (req, reply, { body }) => {
      const ip = clientIp(req);
      const user = await authenticateLogin(svc, { login: body.login, password: body.password, totp: body.totp, ip });
      const { cookie, session } = await startSession(svc, user, ip);
      setCookie(reply, cookie, Math.floor(svc.policy.sessionAbsoluteMs / 1000));
      await svc.audit.record({ actor: user.login, actorId: user.id, action: 'login', ip, outcome: 'ok', detail: `method ${user.method}${user.totpEnabled ? ' + TOTP' : ''}` });
      return { user: await stateUser(user), csrfToken: session.csrfToken };
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/auth/logout',
    tag: TAG,
    summary: 'Log out: the session ends and its cookie is cleared (audited)',
    access: 'signed in',
    status: 204,
    handler: async (req, reply) => {
      const cookie = readCookie(req, SESSION_COOKIE);
      // Only a session ends (and is audited); an API token has none: it is revoked instead.
      if (cookie !== undefined) {
        await svc.store.deleteSession(hashSecret(cookie));
        const p = req.principal;
        await svc.audit.record({ actor: p?.name ?? 'anonymous', ...(p ? { actorId: p.id } : {}), action: 'logout', ip: clientIp(req), outcome: 'ok' });
      }
      setCookie(reply, '', 0);
      return reply.code(204).send();
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/auth/password',
    tag: TAG,
    summary: 'Change one’s own password; the user’s other sessions end (audited)',
    description: 'Local accounts only: directory (LDAP) accounts change theirs in the directory.',
    access: SESSION_USER,
    guard: sessionUser,
    body: PasswordBody,
    status: 204,
    handler: async (req, reply, { body }) => {
      const user = await sessionUser(req);
      const ip = clientIp(req);
      if (user.method !== 'password' || user.passwordHash === undefined) throw new ProblemError('BAD_REQUEST', 'directory (LDAP) accounts change their password in the directory');
      if (!(await verifyPassword(body.current, user.passwordHash))) {
        await svc.audit.record({ actor: user.login, actorId: user.id, action: 'user.password.failed', target: `user:${user.id}`, ip, outcome: 'failed', detail: 'wrong current password' });
        throw new ProblemError('LOGIN_FAILED', 'body.current: the current password is wrong');
      }
      const weak = passwordProblem(body.password, user.login);
      if (weak !== undefined) throw fieldError('body.password', weak);
      await svc.store.updateUser({ ...user, passwordHash: await hashPassword(body.password, svc.policy.scrypt), updatedAt: svc.clock.now() });
      // Every other session of the user ends; this one continues.
      const cookie = readCookie(req, SESSION_COOKIE);
      const keep = cookie !== undefined ? await svc.store.session(hashSecret(cookie)) : undefined;
      await svc.store.deleteUserSessions(user.id);
      if (keep) await svc.store.createSession(keep);
      await svc.audit.record({ actor: user.login, actorId: user.id, action: 'user.password', target: `user:${user.id}`, ip, outcome: 'ok', detail: 'own password changed; other sessions ended' });
      return reply.code(204).send();
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/auth/totp/enroll',
    tag: TAG,
    summary: 'Start two-factor authentication: a new TOTP secret for the authenticator app',
    description: 'Pending until /api/auth/totp/confirm: a lost enrolment never locks the user out. Local accounts only.',
    access: SESSION_USER,
    guard: sessionUser,
    response: totpEnrolmentSchema,
    handler: async (req) => {
      const user = await sessionUser(req);
      if (user.method !== 'password') throw new ProblemError('BAD_REQUEST', 'TOTP is for local accounts; directory (LDAP) accounts use the directory’s own second factor');
      if (user.totpEnabled) throw new ProblemError('CONFLICT', 'TOTP is already enabled: an administrator can reset it');
      const secret = newTotpSecret();
      // Pending until confirmed: totpEnabled stays false, so a lost enrolment never locks the user out.
      await svc.store.updateUser({ ...user, totpSecretSealed: svc.box.seal(secret, `totp:${user.id}`), updatedAt: svc.clock.now() });
      return { secret, otpauthUrl: otpauthUrl('Wardwatch', user.login, secret) };
    },
  });

  routes.add({
    method: 'POST',
    url: '/api/auth/totp/confirm',
    tag: TAG,
    summary: 'Turn two-factor authentication on with a code from the app (audited)',
    access: SESSION_USER,
    guard: sessionUser,
    body: ConfirmBody,
    response: z.object({ totp: z.literal(true) }),
    handler: async (req, _reply, { body }) => {
      const user = await sessionUser(req);
      if (user.totpSecretSealed === undefined || user.totpEnabled) throw new ProblemError('BAD_REQUEST', 'no pending TOTP enrolment: call /api/auth/totp/enroll first');
      const secret = svc.box.open(user.totpSecretSealed, `totp:${user.id}`);
      const step = matchTotp(secret, body.code, svc.clock.now(), svc.policy.totpDriftSteps);
      if (step === undefined) throw new ProblemError('TOTP_INVALID', 'the code does not match the enrolled secret: check the device clock');
      await svc.store.updateUser({ ...user, totpEnabled: true, totpLastStep: step, updatedAt: svc.clock.now() });
      await svc.audit.record({ actor: user.login, actorId: user.id, action: 'user.totp.enable', target: `user:${user.id}`, ip: clientIp(req), outcome: 'ok' });
      return { totp: true as const };
    },
  });
}
