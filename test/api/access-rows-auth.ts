// The access matrix's rows for the auth layer (login, setup, session state, own password, TOTP,
// logout, tokens, users, roles, credentials, audit) and the push receiver. "Inside" is the caller's
// own thing (its user, its token), "outside" someone else's; users, roles, credentials and the
// audit trail are for administrators; a push token is a credential of its own (public route).

import { totpCode } from '../../src/api/auth/totp.ts';
import { createTestRole, createTestUser } from '../../src/api/auth/testing.ts';
import { pushTopic } from '../../src/sensors/push/message.ts';
import { WARD_SUBTREE, enc, type Harness, type RoleName } from './harness.ts';
import { admin, adminOk, nobody, open, own, signedIn, type Row, type Where } from './access-kit.ts';

const PASSWORD = 'Matrix-known-password-2026';
/** One login account per side: the limiter allows ten attempts per account a minute (six roles each). */
const LOGIN: Record<Where, string> = { inside: 'matrix-login-in', outside: 'matrix-login-out' };
const PUSH: Record<Where, string> = { inside: 'matrix-push-token-listened-for', outside: 'matrix-push-token-nobody-wants' };
/** A token scope every signed-in role may give (read below the ward's subtree). */
const SCOPE = { grants: [{ nodeId: WARD_SUBTREE, level: 'read' }] };

/** Made by prepareAuth: another user (the "outside" of own things) and a custom role to change. */
const made = { other: '', role: '' };

export async function prepareAuth(h: Harness): Promise<void> {
  made.other = (await createTestUser(h.auth, { login: 'matrix-other', roles: ['read-only'] })).user.id;
  made.role = (await createTestRole(h.auth, [{ nodeId: WARD_SUBTREE, level: 'read' }], { name: 'matrix role' })).id;
  for (const login of Object.values(LOGIN)) await createTestUser(h.auth, { login, password: PASSWORD, roles: ['read-only'] });
  h.services.inbox.subscribe(pushTopic(PUSH.inside), () => undefined);
}

/** The user the caller is (inside) or another one (outside, and for anonymous callers). */
const userOf = (h: Harness, where: Where, role: RoleName): string => (where === 'inside' && role !== 'anonymous' ? h.users[role].user.id : made.other);

async function tokenOf(h: Harness, where: Where, role: RoleName, n: number): Promise<string> {
  const body = await adminOk(h, 'POST', '/api/tokens', { name: `matrix ${n}`, scope: SCOPE, userId: userOf(h, where, role) });
  return (JSON.parse(body) as { token: { id: string } }).token.id;
}

/** Resets the caller's password to a known one (and ends its sessions) before it changes it. */
async function knownPassword(h: Harness, role: RoleName): Promise<void> {
  if (role !== 'anonymous') await adminOk(h, 'PATCH', `/api/users/${h.users[role].user.id}`, { password: PASSWORD });
}

export const AUTH_ROWS: Readonly<Record<string, Row>> = {
  'GET /api/auth/state': { need: open, req: () => ({ method: 'GET', url: '/api/auth/state' }) },
  // Answers 409 here (an administrator exists): what matters is that nobody is turned away first.
  'POST /api/auth/setup': { need: open, req: () => ({ method: 'POST', url: '/api/auth/setup', body: { token: 'not-the-setup-token', login: 'second-admin', password: 'Second-admin-password-2026', name: 'Second' } }) },
  'POST /api/auth/login': { need: open, req: (w) => ({ method: 'POST', url: '/api/auth/login', body: { login: LOGIN[w], password: PASSWORD } }) },
  'POST /api/auth/logout': { session: true, need: signedIn, req: () => ({ method: 'POST', url: '/api/auth/logout' }) },
  'POST /api/auth/password': {
    session: true, need: signedIn,
    req: async (_w, role, h) => {
      await knownPassword(h, role);
      return { method: 'POST', url: '/api/auth/password', body: { current: PASSWORD, password: 'Matrix-changed-password-2026' } };
    },
  },
  'POST /api/auth/totp/enroll': {
    session: true, need: signedIn,
    req: async (_w, role, h) => {
      if (role !== 'anonymous') await adminOk(h, 'PATCH', `/api/users/${h.users[role].user.id}`, { resetTotp: true });
      return { method: 'POST', url: '/api/auth/totp/enroll' };
    },
  },
  'POST /api/auth/totp/confirm': {
    need: signedIn,
    req: async (_w, role, h) => {
      const headers = await h.session(role);
      if (role === 'anonymous' || role === 'expired') return { method: 'POST', url: '/api/auth/totp/confirm', body: { code: '000000' }, headers };
      await adminOk(h, 'PATCH', `/api/users/${h.users[role].user.id}`, { resetTotp: true });
      const enrolled = await h.app.inject({ method: 'POST', url: '/api/auth/totp/enroll', headers });
      if (enrolled.statusCode !== 200) throw new Error(`setup: TOTP enrolment of ${role} failed: ${enrolled.statusCode} ${enrolled.body}`);
      const code = totpCode(enrolled.json<{ secret: string }>().secret, h.clock.now());
      return { method: 'POST', url: '/api/auth/totp/confirm', body: { code }, headers };
    },
  },
  'GET /api/tokens': { session: true, need: signedIn, req: () => ({ method: 'GET', url: '/api/tokens' }) },
  'GET /api/tokens/{id}': { session: true, hides: true, need: own, req: async (w, r, h, n) => ({ method: 'GET', url: `/api/tokens/${await tokenOf(h, w, r, n)}` }) },
  'POST /api/tokens': { session: true, need: own, req: (w, r, h, n) => ({ method: 'POST', url: '/api/tokens', body: { name: `own ${n}`, scope: SCOPE, ...(w === 'outside' ? { userId: userOf(h, w, r) } : {}) } }) },
  'DELETE /api/tokens/{id}': { session: true, hides: true, need: own, req: async (w, r, h, n) => ({ method: 'DELETE', url: `/api/tokens/${await tokenOf(h, w, r, n)}` }) },
  'GET /api/users': { need: admin, req: () => ({ method: 'GET', url: '/api/users' }) },
  // Administrators only, even for one's own record (GET /api/auth/state shows that).
  'GET /api/users/{id}': { need: admin, req: (w, r, h) => ({ method: 'GET', url: `/api/users/${userOf(h, w, r)}` }) },
  'POST /api/users': { need: admin, req: (_w, r, _h, n) => ({ method: 'POST', url: '/api/users', body: { login: `new-${r}-${n}`, name: 'New', password: 'Matrix-new-user-password-2026', roles: [{ roleId: 'read-only' }] } }) },
  'PATCH /api/users/{id}': { need: admin, req: (_w, r) => ({ method: 'PATCH', url: `/api/users/${made.other}`, body: { name: `touched by ${r}` } }) },
  'PUT /api/users/{id}': { need: admin, req: (_w, r) => ({ method: 'PUT', url: `/api/users/${made.other}`, body: { name: `put by ${r}` } }) },
  'DELETE /api/users/{id}': {
    need: admin,
    req: async (_w, r, h, n) => {
      const body = await adminOk(h, 'POST', '/api/users', { login: `gone-${r}-${n}`, name: 'Gone', password: 'Matrix-doomed-password-2026' });
      return { method: 'DELETE', url: `/api/users/${(JSON.parse(body) as { id: string }).id}` };
    },
  },
  'GET /api/roles': { need: admin, req: () => ({ method: 'GET', url: '/api/roles' }) },
  'GET /api/roles/{id}': { need: admin, req: () => ({ method: 'GET', url: `/api/roles/${made.role}` }) },
  'POST /api/roles': { need: admin, req: (_w, r, _h, n) => ({ method: 'POST', url: '/api/roles', body: { name: `role ${r} ${n}`, grants: [{ nodeId: WARD_SUBTREE, level: 'read' }] } }) },
  'PATCH /api/roles/{id}': { need: admin, req: (_w, r) => ({ method: 'PATCH', url: `/api/roles/${made.role}`, body: { description: `touched by ${r}` } }) },
  'PUT /api/roles/{id}': { need: admin, req: (_w, r) => ({ method: 'PUT', url: `/api/roles/${made.role}`, body: { description: `put by ${r}` } }) },
  'DELETE /api/roles/{id}': {
    need: admin,
    req: async (_w, r, h, n) => {
      const body = await adminOk(h, 'POST', '/api/roles', { name: `doomed ${r} ${n}` });
      return { method: 'DELETE', url: `/api/roles/${enc((JSON.parse(body) as { id: string }).id)}` };
    },
  },
  'GET /api/credentials': { need: admin, req: () => ({ method: 'GET', url: '/api/credentials' }) },
  'PUT /api/credentials/{name}': { need: admin, req: (_w, r, _h, n) => ({ method: 'PUT', url: `/api/credentials/cred-${r}-${n}`, body: { kind: 'device-password', value: 'Sup3r-secret' } }) },
  'DELETE /api/credentials/{name}': {
    need: admin,
    req: async (_w, r, h, n) => {
      await adminOk(h, 'PUT', `/api/credentials/gone-${r}-${n}`, { kind: 'other', value: 'x' });
      return { method: 'DELETE', url: `/api/credentials/gone-${r}-${n}` };
    },
  },
  'GET /api/audit': { need: admin, req: () => ({ method: 'GET', url: '/api/audit?limit=5' }) },
  'GET /api/audit/verify': { need: admin, req: () => ({ method: 'GET', url: '/api/audit/verify' }) },
  'POST /api/audit/anchor': { need: admin, req: () => ({ method: 'POST', url: '/api/audit/anchor' }) },
  // Inside a token a push sensor listens for (202), outside one nobody does (404, as for a wrong one).
  'GET /api/push/{token}': { need: open, req: (w) => ({ method: 'GET', url: `/api/push/${PUSH[w]}?value=1` }) },
  'POST /api/push/{token}': { need: open, req: (w) => ({ method: 'POST', url: `/api/push/${PUSH[w]}`, body: { value: 1, status: 'up' } }) },
};

/** The session-only routes asked with API tokens: a token never manages tokens or changes its owner's login. */
export const AUTH_VARIANTS: Readonly<Record<string, Row>> = {
  'GET /api/tokens with an API token (administrators list every token)': { need: admin, req: () => ({ method: 'GET', url: '/api/tokens' }) },
  'POST /api/tokens with an API token (a token cannot mint tokens, but an administrator’s)': { need: admin, req: (_w, _r, _h, n) => ({ method: 'POST', url: '/api/tokens', body: { name: `by token ${n}`, scope: SCOPE } }) },
  'POST /api/auth/password with an API token': { need: nobody, req: () => ({ method: 'POST', url: '/api/auth/password', body: { current: PASSWORD, password: 'Matrix-changed-password-2026' } }) },
  'POST /api/auth/totp/enroll with an API token': { need: nobody, req: () => ({ method: 'POST', url: '/api/auth/totp/enroll' }) },
  'POST /api/auth/totp/confirm with an API token': { need: nobody, req: () => ({ method: 'POST', url: '/api/auth/totp/confirm', body: { code: '000000' } }) },
};
