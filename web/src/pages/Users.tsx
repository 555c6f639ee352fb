// Users, roles and API tokens (administrators). Roles are given on the whole tree or a subtree;
// a token's secret is shown once, right after it is created.

import { useState, type FormEvent } from 'react';
import { api, ProblemError } from '../api.ts';
import { useApi } from '../hooks.ts';
import { ErrorBox, Field, TextField } from '../components/Field.tsx';
import { formatTime } from '../format.ts';

interface RoleAssignment {
  readonly roleId: string;
  readonly nodeId?: string;
  readonly source: string;
}
interface UserView {
  readonly id: string;
  readonly login: string;
  readonly name: string;
  readonly method: string;
  readonly admin: boolean;
  readonly totp: boolean;
  readonly disabled: boolean;
  readonly roles: readonly RoleAssignment[];
  readonly lockedUntil?: number;
}
interface Grant {
  readonly nodeId: string;
  readonly level: string;
}
interface Role {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly admin: boolean;
  readonly grants: readonly Grant[];
  readonly builtin: boolean;
}
interface TokenView {
  readonly id: string;
  readonly name: string;
  readonly userId: string;
  readonly scope: { roleId: string } | { grants: readonly Grant[] };
  readonly expiresAt?: number;
  readonly createdAt: number;
  readonly lastUsedAt?: number;
}

const LEVELS = ['none', 'read', 'acknowledge', 'write', 'full'] as const;

export function UsersPage() {
  const [tab, setTab] = useState<'users' | 'roles' | 'tokens'>('users');
  const roles = useApi<Role[]>('/api/roles');
  return (
    <section>
      <h1 tabIndex={-1}>Users, roles and tokens</h1>
      <div className="toolbar" role="tablist" aria-label="What to manage">
        {(['users', 'roles', 'tokens'] as const).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
            {t[0]!.toUpperCase() + t.slice(1)}
          </button>
        ))}
      </div>
      <ErrorBox error={roles.error} />
      {tab === 'users' ? <Users roles={roles.data ?? []} /> : tab === 'roles' ? <Roles roles={roles.data ?? []} reload={roles.reload} /> : <Tokens roles={roles.data ?? []} />}
    </section>
  );
}

function useSubmit() {
  const [error, setError] = useState<unknown>();
  const [fields, setFields] = useState<Map<string, string>>(new Map());
  const run = (p: Promise<unknown>, done: () => void) => {
    setError(undefined);
    setFields(new Map());
    p.then(done, (e: unknown) => {
      setError(e);
      if (e instanceof ProblemError) setFields(e.fieldErrors());
    });
  };
  return { error, fields, run };
}

/** The role picker of the new-user and new-token forms. */
function RoleField({ roles, value, onChange }: { roles: readonly Role[]; value: string; onChange: (roleId: string) => void }) {
  return (
    <Field label="Role">
      {(a) => (
        <select {...a} value={value} onChange={(e) => onChange(e.target.value)}>
          {roles.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

function Users({ roles }: { roles: readonly Role[] }) {
  const users = useApi<UserView[]>('/api/users');
  const [login, setLogin] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [roleId, setRoleId] = useState('read-only');
  const [nodeId, setNodeId] = useState('');
  const s = useSubmit();
  const [rowError, setRowError] = useState<unknown>();

  const create = (e: FormEvent) => {
    e.preventDefault();
    s.run(api('/api/users', { body: { login, name, password, roles: [{ roleId, ...(nodeId.trim() ? { nodeId: nodeId.trim() } : {}) }] } }), () => {
      setLogin('');
      setName('');
      setPassword('');
      users.reload();
    });
  };
  const act = (u: UserView, body: unknown) => api(`/api/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', body }).then(users.reload, setRowError);
  const remove = (u: UserView) => window.confirm(`Delete user ${u.login}?`) && api(`/api/users/${encodeURIComponent(u.id)}`, { method: 'DELETE' }).then(users.reload, setRowError);
  const roleName = (id: string) => roles.find((r) => r.id === id)?.name ?? id;

  return (
    <>
      <ErrorBox error={users.error ?? rowError} />
      <table>
        <thead>
          <tr>
            <th scope="col">Login</th>
            <th scope="col">Name</th>
            <th scope="col">Roles</th>
            <th scope="col">Sign-in</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(users.data ?? []).map((u) => (
            <tr key={u.id}>
              <td>{u.login}</td>
              <td>{u.name}</td>
              <td>{u.roles.map((r) => `${roleName(r.roleId)}${r.nodeId ? ` on ${r.nodeId}` : ''}${r.source === 'ldap' ? ' (LDAP)' : ''}`).join(', ')}</td>
              <td>
                {u.method}
                {u.totp ? ' + TOTP' : ''}
              </td>
              <td>{u.disabled ? '⛔ disabled' : u.lockedUntil && u.lockedUntil > Date.now() ? `🔒 locked until ${formatTime(u.lockedUntil)}` : '✔ active'}</td>
              <td className="row-actions">
                <button type="button" onClick={() => void act(u, { disabled: !u.disabled })}>
                  {u.disabled ? 'Enable' : 'Disable'}
                </button>
                {u.lockedUntil ? (
                  <button type="button" onClick={() => void act(u, { unlock: true })}>
                    Unlock
                  </button>
                ) : null}
                {u.totp ? (
                  <button type="button" onClick={() => void act(u, { resetTotp: true })}>
                    Reset TOTP
                  </button>
                ) : null}
                <button type="button" className="danger" onClick={() => void remove(u)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={create} className="panel" aria-label="New user">
        <h2>New user</h2>
        <TextField label="Login" value={login} onChange={(e) => setLogin(e.target.value)} required error={s.fields.get('body.login')} />
        <TextField label="Full name" value={name} onChange={(e) => setName(e.target.value)} required error={s.fields.get('body.name')} />
        <TextField label="Password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={s.fields.get('body.password')} hint="Leave empty for a directory (LDAP) account" />
        <RoleField roles={roles} value={roleId} onChange={setRoleId} />
        <TextField label="On subtree (node id, empty for the whole tree)" value={nodeId} onChange={(e) => setNodeId(e.target.value)} error={s.fields.get('body.roles[0].nodeId')} />
        <ErrorBox error={s.fields.size === 0 ? s.error : undefined} />
        <button type="submit" className="primary">
          Create user
        </button>
      </form>
    </>
  );
}

function Roles({ roles, reload }: { roles: readonly Role[]; reload: () => void }) {
  const [name, setName] = useState('');
  const [grantNode, setGrantNode] = useState('*');
  const [level, setLevel] = useState<(typeof LEVELS)[number]>('read');
  const s = useSubmit();
  const create = (e: FormEvent) => {
    e.preventDefault();
    s.run(api('/api/roles', { body: { name, grants: [{ nodeId: grantNode.trim() || '*', level }] } }), () => {
      setName('');
      reload();
    });
  };
  const remove = (r: Role) => window.confirm(`Delete role ${r.name}?`) && s.run(api(`/api/roles/${encodeURIComponent(r.id)}`, { method: 'DELETE' }), reload);
  return (
    <>
      <table>
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Rights</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {roles.map((r) => (
            <tr key={r.id}>
              <td>
                {r.name}
                {r.builtin ? <span className="muted small"> (built in)</span> : null}
                {r.description ? <div className="muted small">{r.description}</div> : null}
              </td>
              <td>
                {r.admin ? 'administrator; ' : ''}
                {r.grants.map((g) => `${g.level} on ${g.nodeId === '*' ? 'everything' : g.nodeId}`).join('; ')}
              </td>
              <td>
                {!r.builtin ? (
                  <button type="button" className="danger" onClick={() => remove(r)}>
                    Delete
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={create} className="panel" aria-label="New role">
        <h2>New role</h2>
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required error={s.fields.get('body.name')} />
        <TextField label="Subtree (node id, * for everything)" value={grantNode} onChange={(e) => setGrantNode(e.target.value)} error={s.fields.get('body.grants[0].nodeId')} />
        <Field label="Level">
          {(a) => (
            <select {...a} value={level} onChange={(e) => setLevel(e.target.value as (typeof LEVELS)[number])}>
              {LEVELS.map((l) => (
                <option key={l}>{l}</option>
              ))}
            </select>
          )}
        </Field>
        <ErrorBox error={s.error} />
        <button type="submit" className="primary">
          Create role
        </button>
      </form>
    </>
  );
}

function Tokens({ roles }: { roles: readonly Role[] }) {
  const tokens = useApi<TokenView[]>('/api/tokens');
  const [name, setName] = useState('');
  const [roleId, setRoleId] = useState('read-only');
  const [days, setDays] = useState('90');
  const [secret, setSecret] = useState<string | undefined>();
  const s = useSubmit();
  const create = (e: FormEvent) => {
    e.preventDefault();
    const d = Number(days);
    s.run(
      api<{ secret: string }>('/api/tokens', { body: { name, scope: { roleId }, ...(days.trim() !== '' && Number.isFinite(d) ? { expiresInDays: d } : {}) } }).then((r) => setSecret(r.secret)),
      () => {
        setName('');
        tokens.reload();
      },
    );
  };
  const revoke = (t: TokenView) => window.confirm(`Revoke token ${t.name}?`) && s.run(api(`/api/tokens/${encodeURIComponent(t.id)}`, { method: 'DELETE' }), tokens.reload);
  return (
    <>
      <ErrorBox error={tokens.error} />
      {secret ? (
        <p className="panel" role="status">
          New token (shown once; send it as <code>Authorization: Bearer …</code>): <code className="secret">{secret}</code>
        </p>
      ) : null}
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scope</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {(tokens.data ?? []).map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{'roleId' in t.scope ? `role ${t.scope.roleId}` : t.scope.grants.map((g) => `${g.level} on ${g.nodeId}`).join('; ')}</td>
              <td>{t.expiresAt ? formatTime(t.expiresAt) : 'never'}</td>
              <td>{t.lastUsedAt ? formatTime(t.lastUsedAt) : 'never'}</td>
              <td>
                <button type="button" className="danger" onClick={() => revoke(t)}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={create} className="panel" aria-label="New API token">
        <h2>New API token</h2>
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required error={s.fields.get('body.name')} />
        <RoleField roles={roles} value={roleId} onChange={setRoleId} />
        <TextField label="Expires in days (empty: never)" inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} error={s.fields.get('body.expiresInDays')} />
        <ErrorBox error={s.fields.size === 0 ? s.error : undefined} />
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
    </>
  );
}
