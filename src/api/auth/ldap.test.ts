// LDAP login against a real slapd: search as a service account, bind as the user, map groups to
// roles, StartTLS with the server's certificate, filter injection, and the login route end to end.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/peers/harness.ts';
import { startSlapd, type Slapd } from '../../../test/peers/slapd.ts';
import { ManualClock } from '../../shared/clock.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { generateSelfSigned } from '../tls.ts';
import { buildTestAuthApp, TEST_SCRYPT } from './testing.ts';
import { createAuthServices } from './services.ts';
import { LdapAuthenticator, LdapUnavailableError, escapeFilterValue, type LdapOptions } from './ldap.ts';

/** The fields the tests read from answers (problem documents, login results). */
type J = { code: string; detail: string; csrfToken: string };

const SUFFIX = 'dc=hospital,dc=test';
const LDIF = `dn: ${SUFFIX}
objectClass: dcObject
objectClass: organization
o: Hospital
dc: hospital

dn: ou=people,${SUFFIX}
objectClass: organizationalUnit
ou: people

dn: ou=groups,${SUFFIX}
objectClass: organizationalUnit
ou: groups

dn: uid=svc-wardwatch,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: svc-wardwatch
cn: Wardwatch service
sn: service
userPassword: svc-secret-pw

dn: uid=jdoe,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: jdoe
cn: Jane Doe
sn: Doe
displayName: Dr. Jane Doe
userPassword: jane-password-1

dn: uid=rtech,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: rtech
cn: Rad Tech
sn: Tech
userPassword: rtech-password-1

dn: uid=nogroup,ou=people,${SUFFIX}
objectClass: inetOrgPerson
uid: nogroup
cn: No Group
sn: Group
userPassword: nogroup-password

dn: cn=ww-admins,ou=groups,${SUFFIX}
objectClass: groupOfNames
cn: ww-admins
member: uid=jdoe,ou=people,${SUFFIX}

dn: cn=radiology,ou=groups,${SUFFIX}
objectClass: groupOfNames
cn: radiology
member: uid=rtech,ou=people,${SUFFIX}
member: uid=jdoe,ou=people,${SUFFIX}
`;

let slapd: Slapd;
let caFile: string;

beforeAll(async () => {
  const { cert, key } = await generateSelfSigned(['127.0.0.1', 'localhost'], 2, Date.now());
  caFile = join(mkdtempSync(join(tmpdir(), 'ww-ldap-ca-')), 'ca.pem');
  writeFileSync(caFile, cert);
  slapd = await startSlapd({ suffix: SUFFIX, rootPassword: 'root-secret', ldif: LDIF, tls: { cert, key } });
});

afterAll(async () => {
  await slapd?.stop();
});

function options(extra: Partial<LdapOptions> = {}): LdapOptions {
  return {
    url: slapd.url,
    bindDn: `uid=svc-wardwatch,ou=people,${SUFFIX}`,
    bindPassword: 'svc-secret-pw',
    userBase: `ou=people,${SUFFIX}`,
    userFilter: '(uid={login})',
    groupBase: `ou=groups,${SUFFIX}`,
    groupFilter: '(member={dn})',
    groupRoles: { 'ww-admins': 'administrator', [`cn=radiology,ou=groups,${SUFFIX}`]: { roleId: 'operator', nodeId: 'site-radiology' } },
    timeoutMs: 5_000,
    ...extra,
  };
}

describe('LDAP bind against slapd', () => {
  it('finds the user, binds with the password and maps groups to roles', async () => {
    const ldap = new LdapAuthenticator(options());
    const res = await ldap.authenticate('jdoe', 'jane-password-1');
    if (!res.ok) throw new Error(`login failed: ${res.reason}`);
    expect(res.dn).toBe(`uid=jdoe,ou=people,${SUFFIX}`);
    expect(res.name).toBe('Dr. Jane Doe');
    expect([...res.groups].sort()).toEqual([`cn=radiology,ou=groups,${SUFFIX}`, `cn=ww-admins,ou=groups,${SUFFIX}`]);
    expect([...res.roles].sort((a, b) => a.roleId.localeCompare(b.roleId))).toEqual([
      { roleId: 'administrator', source: 'ldap' },
      { roleId: 'operator', nodeId: 'site-radiology', source: 'ldap' },
    ]);
    expect(await ldap.authenticate('rtech', 'rtech-password-1')).toMatchObject({ ok: true, name: 'Rad Tech', roles: [{ roleId: 'operator', nodeId: 'site-radiology', source: 'ldap' }] });
    expect(await ldap.authenticate('nogroup', 'nogroup-password')).toMatchObject({ ok: true, roles: [] });
  });

  it('maps memberOf-style group DNs by DN or CN, case-insensitively, without duplicates', () => {
    const ldap = new LdapAuthenticator(options({ groupRoles: { 'WW-Admins': 'administrator', 'cn=Radiology,ou=Groups,dc=hospital,dc=test': [{ roleId: 'operator', nodeId: 'rad' }, { roleId: 'read-only' }] } }));
    expect(ldap.rolesFor(['CN=ww-admins,OU=Groups,DC=hospital,DC=test', 'cn=radiology,ou=groups,dc=hospital,dc=test', 'cn=ww-admins,ou=other', 'cn=unmapped,ou=groups'])).toEqual([
      { roleId: 'administrator', source: 'ldap' },
      { roleId: 'operator', nodeId: 'rad', source: 'ldap' },
      { roleId: 'read-only', source: 'ldap' },
    ]);
    expect(() => new LdapAuthenticator(options({ userFilter: '(uid=*)' }))).toThrow('ldap.userFilter: must contain {login}, e.g. "(uid={login})"');
    expect(() => new LdapAuthenticator(options({ url: 'http://dc1' }))).toThrow('ldap.url "http://dc1": expected ldap://host:port or ldaps://host:port');
  });

  it('refuses a wrong password, an unknown user, an empty password and filter injection', async () => {
    const ldap = new LdapAuthenticator(options());
    expect(await ldap.authenticate('jdoe', 'wrong')).toEqual({ ok: false, reason: 'the directory refused the password' });
    expect(await ldap.authenticate('ghost', 'x')).toEqual({ ok: false, reason: 'no directory entry matches (uid=ghost)' });
    expect(await ldap.authenticate('jdoe', '')).toEqual({ ok: false, reason: 'empty login or password' });
    expect(await ldap.authenticate('*', 'jane-password-1')).toEqual({ ok: false, reason: 'no directory entry matches (uid=\\2a)' });
    expect(await ldap.authenticate('jdoe)(uid=*', 'jane-password-1')).toMatchObject({ ok: false });
    expect(escapeFilterValue('a*b(c)d\\e')).toBe('a\\2ab\\28c\\29d\\5ce');
  });

  it('works over StartTLS with the server certificate as CA, and refuses an untrusted one', async () => {
    const ldap = new LdapAuthenticator(options({ startTls: true, caFile }));
    expect(await ldap.authenticate('jdoe', 'jane-password-1')).toMatchObject({ ok: true });
    const untrusted = new LdapAuthenticator(options({ startTls: true }));
    await expect(untrusted.authenticate('jdoe', 'jane-password-1')).rejects.toThrow(/^LDAP ldap:\/\/127\.0\.0\.1:\d+: StartTLS failed: self.signed certificate/);
  });

  it('works over ldaps:// with the server certificate as CA', async () => {
    const url = slapd.ldapsUrl;
    if (url === undefined) throw new Error('slapd was started without TLS');
    expect(await new LdapAuthenticator(options({ url, caFile })).authenticate('rtech', 'rtech-password-1')).toMatchObject({ ok: true, name: 'Rad Tech' });
    await expect(new LdapAuthenticator(options({ url })).authenticate('rtech', 'rtech-password-1')).rejects.toThrow(/self.signed certificate/);
  });

  it('reports an unreachable directory or a wrong service password as LdapUnavailableError', async () => {
    const wrongSvc = new LdapAuthenticator(options({ bindPassword: 'nope' }));
    await expect(wrongSvc.authenticate('jdoe', 'jane-password-1')).rejects.toThrow(LdapUnavailableError);
    await expect(wrongSvc.authenticate('jdoe', 'jane-password-1')).rejects.toThrow(`bind as the service account uid=svc-wardwatch,ou=people,${SUFFIX} failed`);
    const closed = new LdapAuthenticator(options({ url: `ldap://127.0.0.1:${await freePort()}` }));
    await expect(closed.authenticate('jdoe', 'jane-password-1')).rejects.toThrow(/^LDAP ldap:\/\/127\.0\.0\.1:\d+: bind as the service account .* failed: .*ECONNREFUSED/);
  });

  it('logs an LDAP user in through the route, provisions them with mapped roles, and audits', async () => {
    const clock = new ManualClock();
    const store = openSqliteStore({ path: ':memory:', clock });
    const svc = await createAuthServices({ store, clock, keyFile: join(mkdtempSync(join(tmpdir(), 'ww-key-')), 'k'), secureCookie: true, ldap: options(), policy: { scrypt: TEST_SCRYPT } });
    const { app } = await buildTestAuthApp(svc);
    try {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'jdoe', password: 'jane-password-1' } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ user: { login: 'jdoe', name: 'Dr. Jane Doe', admin: true, method: 'ldap' } });
      expect(String(res.headers['set-cookie'])).toContain('; Secure');
      const u = await svc.store.userByLogin('jdoe');
      expect(u?.passwordHash).toBeUndefined();
      // The service account's password can live in the credential vault instead of the config.
      const ldapSvc = new LdapAuthenticator(options({ bindPassword: undefined, bindPasswordCredential: 'ldap-svc' }), (n) => svc.credentials.reveal(n));
      await expect(ldapSvc.authenticate('jdoe', 'jane-password-1')).rejects.toThrow('ldap.bindPasswordCredential names the credential "ldap-svc", which does not exist: store it under Credentials');
      await svc.credentials.put('ldap-svc', 'ldap-bind-password', 'svc-secret-pw', 'admin');
      expect(await ldapSvc.authenticate('jdoe', 'jane-password-1')).toMatchObject({ ok: true });
      // A second login with unchanged groups records no role change; a changed mapping does.
      expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'jdoe', password: 'jane-password-1' } })).statusCode).toBe(200);
      const bad = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'jdoe', password: 'nope' } });
      expect(bad.json<J>().code).toBe('LOGIN_FAILED');
      await svc.audit.flush();
      expect((await svc.audit.query({})).map((r) => [r.action, r.outcome])).toEqual([
        ['login.failed', 'failed'],
        ['login', 'ok'],
        ['login', 'ok'],
        ['user.create', 'ok'],
      ]);
      const u2 = await svc.store.userByLogin('jdoe');
      if (!u2) throw new Error('jdoe missing');
      await svc.store.updateUser({ ...u2, roles: [{ roleId: 'read-only', source: 'ldap' }] });
      expect((await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'jdoe', password: 'jane-password-1' } })).statusCode).toBe(200);
      await svc.audit.flush();
      const [, change] = await svc.audit.query({ limit: 2 });
      expect(change).toMatchObject({ action: 'user.update', detail: 'roles from LDAP groups changed', before: '{"roles":[{"roleId":"read-only","source":"ldap"}]}' });
    } finally {
      await app.close();
      await store.close();
    }
  });

  it('answers 502 LDAP_UNAVAILABLE through the route when the directory is down, and audits it', async () => {
    const clock = new ManualClock();
    const store = openSqliteStore({ path: ':memory:', clock });
    const down = options({ url: `ldap://127.0.0.1:${await freePort()}`, timeoutMs: 2_000 });
    const svc = await createAuthServices({ store, clock, keyFile: join(mkdtempSync(join(tmpdir(), 'ww-key-')), 'k'), secureCookie: false, ldap: down, policy: { scrypt: TEST_SCRYPT } });
    const { app } = await buildTestAuthApp(svc);
    try {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { login: 'jdoe', password: 'jane-password-1' } });
      expect(res.statusCode).toBe(502);
      expect(res.json<{ code: string; detail: string }>()).toMatchObject({ code: 'LDAP_UNAVAILABLE', detail: expect.stringContaining('ECONNREFUSED') as unknown });
      await svc.audit.flush();
      expect((await svc.audit.query({})).map((r) => [r.action, r.actor, r.outcome])).toEqual([['login.failed', 'jdoe', 'failed']]);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
