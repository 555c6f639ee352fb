// Login, logout, first-run setup, the session state the console starts from, TOTP enrolment.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ProblemError, SESSION_COOKIE, clientIp, readCookie, sessionCookie } from '../auth/http.ts';
import { authenticateLogin, startSession } from '../auth/login.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.ts';
import { rolesById } from '../auth/principal.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { AuthServices } from '../auth/services.ts';
import { matchTotp, newTotpSecret, otpauthUrl } from '../auth/totp.ts';
import type { UserRecord } from '../auth/types.ts';
import { parseInput } from '../auth/validate.ts';
import { userView } from '../auth/views.ts';
import { randomBytes } from 'node:crypto';

const LoginBody = z.object({ login: z.string().min(1).max(256), password: z.string().min(1).max(1024), totp: z.string().max(16).optional() });
const SetupBody = z.object({ token: z.string().min(1).max(256), login: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, 'letters, digits, ".", "_", "@" or "-"'), password: z.string().max(1024), name: z.string().min(1).max(200) });
const ConfirmBody = z.object({ code: z.string().regex(/^\d{6}$/, 'six digits') });
const PasswordBody = z.object({ current: z.string().min(1).max(1024), password: z.string().max(1024) });

export function authRoutes(app: FastifyInstance, svc: AuthServices): void {
  const stateUser = async (user: UserRecord) => {
    const v = userView(user, await rolesById(svc.store));
    return { id: v.id, login: v.login, name: v.name, admin: v.admin, method: v.method, totp: v.totp };
  };
  const setCookie = (reply: FastifyReply, value: string, maxAgeS: number): void => {
    reply.header('Set-Cookie', sessionCookie(value, { secure: svc.secureCookie, maxAgeS }));
  };
  const sessionUser = async (req: FastifyRequest): Promise<UserRecord> => {
    const p = req.principal;
    if (!p || p.kind !== 'user') throw new ProblemError('AUTH_REQUIRED', 'this needs a logged-in user (not an API token)');
    const u = await svc.store.user(p.id);
    if (!u) throw new ProblemError('AUTH_REQUIRED', 'the user no longer exists');
    return u;
  };

  app.get('/api/auth/state', async (req) => {
    const setupRequired = (await svc.store.countUsers()) === 0;
    const p = req.principal;
    if (!p) return { setupRequired };
    if (p.kind === 'token') return { setupRequired, user: { id: p.id, login: p.name, name: p.name, admin: p.admin, method: p.method, totp: false } };
    const u = await svc.store.user(p.id);
    const cookie = readCookie(req, SESSION_COOKIE);
    const session = cookie !== undefined ? await svc.store.session(hashSecret(cookie)) : undefined;
    return { setupRequired, ...(u ? { user: await stateUser(u) } : {}), ...(session ? { csrfToken: session.csrfToken } : {}) };
  });

  app.post('/api/auth/setup', async (req, reply) => {
    const body = parseInput(SetupBody, req.body, 'body');
    const ip = clientIp(req);
    if ((await svc.store.countUsers()) > 0) throw new ProblemError('SETUP_DONE', 'an administrator exists already');
    if (!svc.checkSetupToken(body.token)) {
      await svc.audit.record({ actor: body.login, action: 'setup.failed', ip, outcome: 'denied', detail: 'wrong setup token' });
      throw new ProblemError('SETUP_TOKEN_INVALID');
    }
    const weak = passwordProblem(body.password, body.login);
    if (weak !== undefined) throw new ProblemError('BAD_REQUEST', `body.password: ${weak}`);
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
  });

  app.post('/api/auth/login', async (req, reply) => {
    const body = parseInput(LoginBody, req.body, 'body');
    const ip = clientIp(req);
    const user = await authenticateLogin(svc, { login: body.login, password: body.password, totp: body.totp, ip });
    const { cookie, session } = await startSession(svc, user, ip);
    setCookie(reply, cookie, Math.floor(svc.policy.sessionAbsoluteMs / 1000));
    await svc.audit.record({ actor: user.login, actorId: user.id, action: 'login', ip, outcome: 'ok', detail: `method ${user.method}${user.totpEnabled ? ' + TOTP' : ''}` });
    return { user: await stateUser(user), csrfToken: session.csrfToken };
  });

  app.post('/api/auth/logout', async (req, reply) => {
    const cookie = readCookie(req, SESSION_COOKIE);
    if (cookie !== undefined) await svc.store.deleteSession(hashSecret(cookie));
    const p = req.principal;
    await svc.audit.record({ actor: p?.name ?? 'anonymous', ...(p ? { actorId: p.id } : {}), action: 'logout', ip: clientIp(req), outcome: 'ok' });
    setCookie(reply, '', 0);
    return reply.code(204).send();
  });

  app.post('/api/auth/password', async (req, reply) => {
    const user = await sessionUser(req);
    const body = parseInput(PasswordBody, req.body, 'body');
    const ip = clientIp(req);
    if (user.method !== 'password' || user.passwordHash === undefined) throw new ProblemError('BAD_REQUEST', 'directory (LDAP) accounts change their password in the directory');
    if (!(await verifyPassword(body.current, user.passwordHash))) {
      await svc.audit.record({ actor: user.login, actorId: user.id, action: 'user.password.failed', target: `user:${user.id}`, ip, outcome: 'failed', detail: 'wrong current password' });
      throw new ProblemError('LOGIN_FAILED', 'body.current: the current password is wrong');
    }
    const weak = passwordProblem(body.password, user.login);
    if (weak !== undefined) throw new ProblemError('BAD_REQUEST', `body.password: ${weak}`);
    await svc.store.updateUser({ ...user, passwordHash: await hashPassword(body.password, svc.policy.scrypt), updatedAt: svc.clock.now() });
    // Every other session of the user ends; this one continues.
    const cookie = readCookie(req, SESSION_COOKIE);
    const keep = cookie !== undefined ? await svc.store.session(hashSecret(cookie)) : undefined;
    await svc.store.deleteUserSessions(user.id);
    if (keep) await svc.store.createSession(keep);
    await svc.audit.record({ actor: user.login, actorId: user.id, action: 'user.password', target: `user:${user.id}`, ip, outcome: 'ok', detail: 'own password changed; other sessions ended' });
    return reply.code(204).send();
  });

  app.post('/api/auth/totp/enroll', async (req) => {
    const user = await sessionUser(req);
    if (user.method !== 'password') throw new ProblemError('BAD_REQUEST', 'TOTP is for local accounts; directory (LDAP) accounts use the directory’s own second factor');
    if (user.totpEnabled) throw new ProblemError('CONFLICT', 'TOTP is already enabled: an administrator can reset it');
    const secret = newTotpSecret();
    // Pending until confirmed: totpEnabled stays false, so a lost enrolment never locks the user out.
    await svc.store.updateUser({ ...user, totpSecretSealed: svc.box.seal(secret, `totp:${user.id}`), updatedAt: svc.clock.now() });
    return { secret, otpauthUrl: otpauthUrl('Wardwatch', user.login, secret) };
  });

  app.post('/api/auth/totp/confirm', async (req) => {
    const user = await sessionUser(req);
    const body = parseInput(ConfirmBody, req.body, 'body');
    if (user.totpSecretSealed === undefined || user.totpEnabled) throw new ProblemError('BAD_REQUEST', 'no pending TOTP enrolment: call /api/auth/totp/enroll first');
    const secret = svc.box.open(user.totpSecretSealed, `totp:${user.id}`);
    const step = matchTotp(secret, body.code, svc.clock.now(), svc.policy.totpDriftSteps);
    if (step === undefined) throw new ProblemError('TOTP_INVALID', 'the code does not match the enrolled secret: check the device clock');
    await svc.store.updateUser({ ...user, totpEnabled: true, totpLastStep: step, updatedAt: svc.clock.now() });
    await svc.audit.record({ actor: user.login, actorId: user.id, action: 'user.totp.enable', target: `user:${user.id}`, ip: clientIp(req), outcome: 'ok' });
    return { totp: true };
  });
}
