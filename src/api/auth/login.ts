// The login decision: rate limit, lockout, password or LDAP bind, second factor, then a session.
// Every outcome is audited; the answers do not tell an unknown login from a wrong password.

import { randomBytes } from 'node:crypto';
import { ProblemError } from './http.ts';
import { LdapUnavailableError } from './ldap.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { AuthServices } from './services.ts';
import { matchTotp } from './totp.ts';
import type { RoleAssignment, SessionRecord, UserRecord } from './types.ts';
import { hashSecret } from './secrets.ts';

export interface LoginInput {
  readonly login: string;
  readonly password: string;
  readonly totp?: string | undefined;
  readonly ip: string;
}

/** Compared against when the login is unknown, so both cases take the time of one scrypt. */
let dummyHash: Promise<string> | undefined;

export async function authenticateLogin(svc: AuthServices, input: LoginInput): Promise<UserRecord> {
  const { login, password, ip } = input;
  const now = svc.clock.now();
  const fail = async (code: string, detail: string, outcome: 'failed' | 'denied', headers: Record<string, string> = {}, actorId?: string): Promise<never> => {
    await svc.audit.record({ actor: login, ...(actorId !== undefined ? { actorId } : {}), action: 'login.failed', ip, outcome, detail });
    throw new ProblemError(code, code === 'LOGIN_FAILED' ? undefined : detail, headers);
  };
  const wait = await svc.limiter.attempt(ip, login);
  if (wait !== undefined) return fail('RATE_LIMITED', `too many attempts from ${ip} or for ${login}: retry in ${wait} s`, 'denied', { 'Retry-After': String(wait) });

  let user = await svc.store.userByLogin(login);
  if (user?.lockedUntil !== undefined && user.lockedUntil > now) {
    const s = Math.ceil((user.lockedUntil - now) / 1000);
    return fail('ACCOUNT_LOCKED', `account ${login} is locked for another ${s} s after repeated failed logins`, 'denied', { 'Retry-After': String(s) }, user.id);
  }
  const failed = async (u: UserRecord | undefined, why: string): Promise<never> => {
    if (u) {
      const { maxFailures, lockoutMs } = svc.policy;
      const r = await svc.store.recordFailedLogin(u.id, (n) => (n >= maxFailures ? svc.clock.now() + lockoutMs : undefined));
      if (r.lockedUntil !== undefined) why += `; account locked until ${new Date(r.lockedUntil).toISOString()} after ${r.failures} failures`;
    }
    return fail('LOGIN_FAILED', why, 'failed', {}, u?.id);
  };

  if (svc.ldap && (user === undefined || user.method === 'ldap')) {
    let res;
    try {
      res = await svc.ldap.authenticate(login, password);
    } catch (err) {
      if (!(err instanceof LdapUnavailableError)) throw err;
      await svc.audit.record({ actor: login, action: 'login.failed', ip, outcome: 'failed', detail: err.message });
      throw new ProblemError('LDAP_UNAVAILABLE', err.message);
    }
    if (!res.ok) return failed(user, `LDAP: ${res.reason}`);
    const manual = user?.roles.filter((r) => r.source === 'manual') ?? [];
    const next: UserRecord = {
      ...(user ?? { id: `u-${randomBytes(8).toString('hex')}`, login, method: 'ldap' as const, totpEnabled: false, totpLastStep: 0, disabled: false, failedLogins: 0, createdAt: now }),
      name: res.name,
      roles: [...manual, ...res.roles],
      updatedAt: now,
    };
    if (user) await svc.store.updateUser(next);
    else await svc.store.createUser(next);
    if (!user) await svc.audit.record({ actor: login, actorId: next.id, action: 'user.create', target: `user:${next.id}`, ip, outcome: 'ok', after: { login, method: 'ldap', roles: next.roles }, detail: `first LDAP login as ${res.dn}` });
    else if (roleSet(user.roles) !== roleSet(next.roles)) {
      // Group membership changed in the directory: the rights changed, so the trail says so.
      await svc.audit.record({ actor: login, actorId: next.id, action: 'user.update', target: `user:${next.id}`, ip, outcome: 'ok', before: { roles: user.roles }, after: { roles: next.roles }, detail: 'roles from LDAP groups changed' });
    }
    user = next;
  } else {
    dummyHash ??= hashPassword('wardwatch-dummy-password', svc.policy.scrypt);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash));
    if (!user || !ok) return failed(user, user ? 'wrong password' : 'unknown login');
  }
  if (user.disabled) return fail('LOGIN_FAILED', `account ${login} is disabled`, 'denied', {}, user.id);

  if (user.totpEnabled && user.totpSecretSealed !== undefined) {
    if (input.totp === undefined || input.totp === '') {
      throw new ProblemError('TOTP_REQUIRED', 'send the 6-digit code from the authenticator app as "totp"');
    }
    const secret = svc.box.open(user.totpSecretSealed, `totp:${user.id}`);
    const step = matchTotp(secret, input.totp, svc.clock.now(), svc.policy.totpDriftSteps);
    if (step === undefined) return failed(user, 'wrong TOTP code');
    if (!(await svc.store.useTotpStep(user.id, step))) return failed(user, 'TOTP code already used');
  }
  if (user.failedLogins > 0 || user.lockedUntil !== undefined) await svc.store.clearFailedLogins(user.id);
  return user;
}

/** Assignments compared as a set: the directory and the store may list them in any order. */
function roleSet(roles: readonly RoleAssignment[]): string {
  return roles
    .map((r) => `${r.source}:${r.roleId}@${r.nodeId ?? '*'}`)
    .sort()
    .join('\n');
}

export interface NewSession {
  readonly cookie: string;
  readonly session: SessionRecord;
}

export async function startSession(svc: AuthServices, user: UserRecord, ip: string): Promise<NewSession> {
  const cookie = randomBytes(32).toString('base64url');
  const now = svc.clock.now();
  const session: SessionRecord = { idHash: hashSecret(cookie), userId: user.id, csrfToken: randomBytes(24).toString('base64url'), method: user.method, createdAt: now, lastSeenAt: now, ip };
  await svc.store.createSession(session);
  return { cookie, session };
}
