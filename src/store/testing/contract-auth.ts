// The contract of the 'auth' and 'credentials' store modules, run against SQLite and PostgreSQL:
// users with role assignments, atomic failure counting and TOTP steps, sessions, tokens, and
// credentials that the store only ever sees sealed.

import { describe, expect, it } from 'vitest';
import type { AuthStore, UserRecord } from '../../api/auth/types.ts';
import type { CredentialStore } from '../../api/auth/credentials.ts';

export interface AuthContractSubject {
  readonly auth: AuthStore;
  readonly credentials: CredentialStore;
  readonly close: () => Promise<void>;
}

const T0 = Date.UTC(2026, 2, 1, 7);

function user(id: string, login: string, extra: Partial<UserRecord> = {}): UserRecord {
  return { id, login, name: `Name ${login}`, method: 'password', passwordHash: 'scrypt$1024$8$1$c2FsdA==$aGFzaA==', totpEnabled: false, totpLastStep: 0, disabled: false, failedLogins: 0, roles: [], createdAt: T0, updatedAt: T0, ...extra };
}

export function runAuthContract(name: string, open: () => Promise<AuthContractSubject>): void {
  const withStore = (fn: (s: AuthContractSubject) => Promise<void>) => async () => {
    const s = await open();
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  };

  describe(`auth store contract (${name})`, () => {
    it(
      'has the built-in roles and round-trips users with role assignments',
      withStore(async ({ auth }) => {
        expect((await auth.roles()).map((r) => [r.id, r.admin, r.builtin])).toEqual([
          ['administrator', true, true],
          ['operator', false, true],
          ['read-only', false, true],
        ]);
        expect(await auth.countUsers()).toBe(0);
        const u = user('u1', 'Nurse.Ann', { roles: [{ roleId: 'operator', nodeId: 'site-a', source: 'manual' }, { roleId: 'read-only', source: 'ldap' }], lockedUntil: T0 + 5, totpSecretSealed: 'v1:abc' });
        await auth.createUser(u);
        const got = await auth.user('u1');
        expect({ ...got, roles: [...(got?.roles ?? [])].sort((a, b) => a.roleId.localeCompare(b.roleId)) }).toEqual(u);
        expect((await auth.userByLogin('nurse.ann'))?.id).toBe('u1');
        await expect(auth.createUser(user('u2', 'NURSE.ANN'))).rejects.toThrow();
        const { passwordHash: _p, ...ldapUser } = user('u3', 'ldapuser', { method: 'ldap' });
        await auth.createUser(ldapUser);
        expect(await auth.user('u3')).toEqual(ldapUser);
        expect(await auth.updateUser({ ...u, name: 'Ann', roles: [{ roleId: 'administrator', source: 'manual' }] })).toBe(true);
        expect((await auth.user('u1'))?.roles).toEqual([{ roleId: 'administrator', source: 'manual' }]);
        expect(await auth.updateUser(user('nope', 'nope'))).toBe(false);
        expect((await auth.users()).map((x) => x.login)).toEqual(['ldapuser', 'Nurse.Ann']);
        expect(await auth.countUsers()).toBe(2);
      }),
    );

    it(
      'counts failed logins atomically, locks, clears; accepts each TOTP step once',
      withStore(async ({ auth }) => {
        await auth.createUser(user('u1', 'ann'));
        const results = await Promise.all(Array.from({ length: 5 }, () => auth.recordFailedLogin('u1', (n) => (n >= 5 ? T0 + 900_000 : undefined))));
        expect(results.map((r) => r.failures).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5]);
        expect(results.filter((r) => r.lockedUntil !== undefined)).toEqual([{ failures: 5, lockedUntil: T0 + 900_000 }]);
        expect(await auth.user('u1')).toMatchObject({ failedLogins: 5, lockedUntil: T0 + 900_000 });
        await auth.clearFailedLogins('u1');
        const cleared = await auth.user('u1');
        expect(cleared?.failedLogins).toBe(0);
        expect(cleared?.lockedUntil).toBeUndefined();
        expect(await auth.useTotpStep('u1', 59_000_000)).toBe(true);
        expect(await auth.useTotpStep('u1', 59_000_000)).toBe(false);
        expect(await auth.useTotpStep('u1', 58_999_999)).toBe(false);
        expect(await auth.useTotpStep('u1', 59_000_001)).toBe(true);
      }),
    );

    it(
      'keeps sessions by hashed id, touches, purges idle and old ones, and ends all of a user',
      withStore(async ({ auth }) => {
        await auth.createUser(user('u1', 'ann'));
        const s = { idHash: 'a'.repeat(64), userId: 'u1', csrfToken: 'csrf', method: 'password' as const, createdAt: T0, lastSeenAt: T0, ip: '10.0.0.1' };
        await auth.createSession(s);
        await auth.createSession({ ...s, idHash: 'b'.repeat(64), createdAt: T0 - 100, lastSeenAt: T0 + 50 });
        await auth.createSession({ ...s, idHash: 'c'.repeat(64), lastSeenAt: T0 + 50 });
        expect(await auth.session('a'.repeat(64))).toEqual(s);
        await auth.touchSession('a'.repeat(64), T0 + 60);
        expect((await auth.session('a'.repeat(64)))?.lastSeenAt).toBe(T0 + 60);
        expect(await auth.purgeSessions(T0 + 40, T0 - 50)).toBe(1); // b is too old; a and c were seen recently enough
        expect(await auth.session('b'.repeat(64))).toBeUndefined();
        await auth.deleteSession('c'.repeat(64));
        expect(await auth.session('c'.repeat(64))).toBeUndefined();
        await auth.createSession({ ...s, idHash: 'd'.repeat(64) });
        expect(await auth.deleteUserSessions('u1')).toBe(2);
      }),
    );

    it(
      'keeps tokens by hashed secret; deleting a user removes their tokens, sessions and roles',
      withStore(async ({ auth }) => {
        await auth.createUser(user('u1', 'ann', { roles: [{ roleId: 'operator', source: 'manual' }] }));
        const t = { id: 't1', name: 'grafana', secretHash: 'f'.repeat(64), userId: 'u1', scope: { grants: [{ nodeId: 'site-a', level: 'read' as const }] }, expiresAt: T0 + 1000, createdAt: T0 };
        await auth.createToken(t);
        await auth.createToken({ id: 't2', name: 'ci', secretHash: 'e'.repeat(64), userId: 'u1', scope: { roleId: 'operator' }, createdAt: T0 + 1 });
        expect(await auth.tokenBySecretHash('f'.repeat(64))).toEqual(t);
        expect(await auth.token('t2')).toEqual({ id: 't2', name: 'ci', secretHash: 'e'.repeat(64), userId: 'u1', scope: { roleId: 'operator' }, createdAt: T0 + 1 });
        await auth.touchToken('t1', T0 + 5);
        expect((await auth.token('t1'))?.lastUsedAt).toBe(T0 + 5);
        expect((await auth.tokens()).map((x) => x.id)).toEqual(['t1', 't2']);
        expect(await auth.deleteToken('t2')).toBe(true);
        expect(await auth.deleteToken('t2')).toBe(false);
        await auth.createSession({ idHash: 'a'.repeat(64), userId: 'u1', csrfToken: 'x', method: 'password', createdAt: T0, lastSeenAt: T0 });
        expect(await auth.deleteUser('u1')).toBe(true);
        expect(await auth.tokens()).toEqual([]);
        expect(await auth.session('a'.repeat(64))).toBeUndefined();
        expect(await auth.deleteUser('u1')).toBe(false);
      }),
    );

    it(
      'creates, renames and deletes custom roles; deleting a role removes its assignments',
      withStore(async ({ auth }) => {
        const r = { id: 'role-x', name: 'Radiology', description: 'PACS team', admin: false, grants: [{ nodeId: 'pacs', level: 'write' as const }], builtin: false };
        await auth.createRole(r);
        expect(await auth.role('role-x')).toEqual(r);
        await expect(auth.createRole({ ...r, id: 'role-y', name: 'radiology' })).rejects.toThrow();
        expect(await auth.updateRole({ ...r, name: 'Radiology team' })).toBe(true);
        await auth.createUser(user('u1', 'ann', { roles: [{ roleId: 'role-x', source: 'manual' }, { roleId: 'operator', source: 'manual' }] }));
        expect(await auth.deleteRole('role-x')).toBe(true);
        expect((await auth.user('u1'))?.roles).toEqual([{ roleId: 'operator', source: 'manual' }]);
      }),
    );

    it(
      'counts login attempts per key in fixed windows, keeps the table bounded and purges expired windows',
      withStore(async ({ auth }) => {
        const W = 60_000;
        expect(await auth.hitLoginWindow('ip:10.0.0.1', T0, W, 100)).toEqual({ count: 1, windowStart: T0 });
        expect(await auth.hitLoginWindow('ip:10.0.0.1', T0 + 10, W, 100)).toEqual({ count: 2, windowStart: T0 });
        const racing = await Promise.all(Array.from({ length: 8 }, () => auth.hitLoginWindow('account:ann', T0 + 20, W, 100)));
        expect(racing.map((r) => r.count).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        // The window ends W after its first attempt: the next attempt starts a new one.
        expect(await auth.hitLoginWindow('ip:10.0.0.1', T0 + W - 1, W, 100)).toEqual({ count: 3, windowStart: T0 });
        expect(await auth.hitLoginWindow('ip:10.0.0.1', T0 + W, W, 100)).toEqual({ count: 1, windowStart: T0 + W });
        // Bound of 3 keys: a new key first drops expired windows ("account:ann" started at T0 + 20)...
        await auth.hitLoginWindow('ip:a', T0 + W + 10, W, 3);
        expect(await auth.hitLoginWindow('ip:b', T0 + W + 20, W, 3)).toEqual({ count: 1, windowStart: T0 + W + 20 });
        expect((await auth.hitLoginWindow('account:ann', T0 + W + 21, W, 3)).count).toBe(1);
        // ...then the oldest live ones (here "ip:10.0.0.1", then "ip:a"), never the key being counted.
        expect((await auth.hitLoginWindow('ip:c', T0 + W + 30, W, 3)).count).toBe(1);
        expect((await auth.hitLoginWindow('ip:c', T0 + W + 31, W, 3)).count).toBe(2);
        expect((await auth.hitLoginWindow('ip:b', T0 + W + 32, W, 100)).count).toBe(2);
        expect((await auth.hitLoginWindow('ip:10.0.0.1', T0 + W + 40, W, 100)).count).toBe(1);
        expect(await auth.purgeLoginWindows(T0 + W + 25)).toBe(2); // ip:b and account:ann
        expect((await auth.hitLoginWindow('ip:c', T0 + W + 50, W, 100)).count).toBe(3);
        expect((await auth.hitLoginWindow('ip:a', T0 + W + 51, W, 100)).count).toBe(1);
      }),
    );

    it(
      'stores credentials sealed, lists them without values, and keeps the first key check',
      withStore(async ({ credentials }) => {
        const rec = { name: 'smtp', kind: 'smtp-password' as const, description: 'mail relay', sealed: 'v1:AAAA', createdAt: T0, updatedAt: T0, updatedBy: 'admin' };
        expect(await credentials.put(rec)).toBe('created');
        expect(await credentials.put({ ...rec, sealed: 'v1:BBBB', updatedAt: T0 + 1 })).toBe('updated');
        expect(await credentials.get('smtp')).toEqual({ ...rec, sealed: 'v1:BBBB', updatedAt: T0 + 1 });
        expect(await credentials.list()).toEqual([{ name: 'smtp', kind: 'smtp-password', description: 'mail relay', createdAt: T0, updatedAt: T0 + 1, updatedBy: 'admin' }]);
        expect(await credentials.delete('smtp')).toBe(true);
        expect(await credentials.delete('smtp')).toBe(false);
        expect(await credentials.keyCheck()).toBeUndefined();
        await credentials.setKeyCheck('v1:first');
        await credentials.setKeyCheck('v1:second');
        expect(await credentials.keyCheck()).toBe('v1:first');
      }),
    );
  });
}
