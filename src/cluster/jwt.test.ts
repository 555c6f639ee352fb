import { describe, expect, it } from 'vitest';
import { decodeJwt, formatCreds, newOperatorSetup, newProbeUser, newUser, parseCreds } from './jwt.ts';

describe('NATS JWTs and .creds files', () => {
  const setup = newOperatorSetup({ now: Date.UTC(2026, 0, 1) });

  it('chains operator, account and user, each signed by the one above', () => {
    const op = decodeJwt(setup.operator.jwt, 'operator');
    expect(op).toMatchObject({ iss: setup.operator.publicKey, sub: setup.operator.publicKey, iat: Date.UTC(2026, 0, 1) / 1000, nats: { type: 'operator', version: 2, system_account: setup.system.publicKey } });
    const acct = decodeJwt(setup.account.jwt, 'account');
    expect(acct).toMatchObject({ iss: setup.operator.publicKey, sub: setup.account.publicKey, name: 'WARDWATCH', nats: { type: 'account', version: 2, limits: { disk_storage: -1, mem_storage: -1 } } });
    // The id is 52 characters of unpadded base32, like nats-io/jwt's.
    expect(acct.jti).toMatch(/^[A-Z2-7]{52}$/);
    const user = decodeJwt(newProbeUser(setup.account, 'SITE-B').jwt, 'user');
    expect(user.iss).toBe(setup.account.publicKey);
    expect(user.nats).toMatchObject({ type: 'user', pub: { allow: ['ww.probe.SITE-B.>'] }, sub: { allow: ['_INBOX_SITE-B.>', 'ww.config.SITE-B'] } });
  });

  it('reads back the .creds file it writes', () => {
    const u = newUser(setup.account, 'core');
    const c = parseCreds(formatCreds(u), 'core.creds');
    expect(c.jwt).toBe(u.jwt);
    expect(c.seed).toBe(u.seed);
    expect(c.claims.sub).toBe(u.publicKey);
    expect(c.claims.nats).toMatchObject({ pub: {}, sub: {} });
  });

  it('says what is wrong with a bad .creds file', () => {
    const a = newUser(setup.account, 'a');
    const b = newUser(setup.account, 'b');
    expect(() => parseCreds('SUAAA', 'x.creds')).toThrow('x.creds: no "-----BEGIN NATS USER JWT-----" block: not a NATS .creds file');
    expect(() => parseCreds(formatCreds({ jwt: a.jwt, seed: b.seed }), 'x.creds')).toThrow(`x.creds: the seed belongs to ${b.publicKey} but the JWT is for ${a.publicKey}: the two blocks come from different users`);
    expect(() => parseCreds(formatCreds({ jwt: setup.account.jwt, seed: a.seed }), 'x.creds')).toThrow('x.creds: the JWT is of type "account", expected a user JWT');
    const [h, c, s] = a.jwt.split('.');
    const forged = `${h}.${Buffer.from(Buffer.from(c!, 'base64url').toString().replace('"name":"a"', '"name":"z"')).toString('base64url')}.${s}`;
    expect(() => parseCreds(formatCreds({ jwt: forged, seed: a.seed }), 'x.creds')).toThrow(`x.creds: user JWT: the JWT's signature does not verify against its issuer ${setup.account.publicKey}`);
    const old = newUser(setup.account, 'old', { expiresAt: Date.UTC(2026, 0, 2) });
    expect(() => parseCreds(formatCreds(old), 'x.creds', Date.UTC(2026, 0, 3))).toThrow('x.creds: the user JWT expired at 2026-01-02T00:00:00.000Z');
    expect(parseCreds(formatCreds(old), 'x.creds', Date.UTC(2026, 0, 1)).claims.exp).toBe(Date.UTC(2026, 0, 2) / 1000);
  });
});
