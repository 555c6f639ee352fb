// LDAP / Active Directory login: search the user with a service account (or anonymously), bind as
// the user with the given password, then read the user's groups and map them to roles. Hospitals
// run AD, so the filters are configurable ("(sAMAccountName={login})", "(member={dn})").

import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError, type Entry } from 'ldapts';
import type { RoleAssignment } from './types.ts';

export interface LdapRoleMapping {
  readonly roleId: string;
  /** Give the role on this subtree only. */
  readonly nodeId?: string;
}

export interface LdapOptions {
  /** ldap://host:389 or ldaps://host:636 */
  readonly url: string;
  /** Upgrade an ldap:// connection with StartTLS before anything is sent. */
  readonly startTls?: boolean;
  /** CA file (PEM) to trust for ldaps:// and StartTLS; rejectUnauthorized defaults to true. */
  readonly caFile?: string;
  readonly rejectUnauthorized?: boolean;
  /** The service account that searches users; anonymous search when not given. */
  readonly bindDn?: string;
  readonly bindPassword?: string;
  /** Or the name of a stored credential (kind ldap-bind-password) holding it: no password in the config file. */
  readonly bindPasswordCredential?: string;
  readonly userBase: string;
  /** {login} is replaced by the escaped login, e.g. "(uid={login})" or "(sAMAccountName={login})". */
  readonly userFilter: string;
  /** Attribute with the display name (default "displayName", then "cn"). */
  readonly nameAttribute?: string;
  /** Where groups are searched; when not given, the user's memberOf attribute is used. */
  readonly groupBase?: string;
  /** {dn} is the user's DN and {login} the login, e.g. "(member={dn})" or "(memberUid={login})". */
  readonly groupFilter?: string;
  /** Group DN or CN (case-insensitive) to role(s). */
  readonly groupRoles: Readonly<Record<string, string | LdapRoleMapping | readonly LdapRoleMapping[]>>;
  /** Connect and operation timeout (default 5000 ms). */
  readonly timeoutMs?: number;
}

export type LdapResult =
  | { readonly ok: true; readonly dn: string; readonly name: string; readonly groups: readonly string[]; readonly roles: readonly RoleAssignment[] }
  | { readonly ok: false; readonly reason: string };

export class LdapUnavailableError extends Error {
  override readonly name = 'LdapUnavailableError';
}

/** RFC 4515 escaping of a value inside a filter: a login cannot widen the search. */
export function escapeFilterValue(v: string): string {
  return v.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function attr(e: Entry, name: string): string[] {
  const key = Object.keys(e).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : e[key];
  if (v === undefined) return [];
  const arr: (string | Buffer)[] = Array.isArray(v) ? v : [v];
  return arr.map((x) => (typeof x === 'string' ? x : x.toString('utf8')));
}

function cnOf(dn: string): string {
  const m = /^cn=((?:\\.|[^,])*)/i.exec(dn);
  return m?.[1] ?? dn;
}

export class LdapAuthenticator {
  readonly #o: LdapOptions;
  readonly #tls: ConnectionOptions;
  readonly #secret: ((name: string) => Promise<string | undefined>) | undefined;

  /** `secret` looks up bindPasswordCredential (the credential vault's reveal). */
  constructor(options: LdapOptions, secret?: (name: string) => Promise<string | undefined>) {
    this.#secret = secret;
    if (!/^ldaps?:\/\//i.test(options.url)) throw new Error(`ldap.url ${JSON.stringify(options.url)}: expected ldap://host:port or ldaps://host:port`);
    if (!options.userFilter.includes('{login}')) throw new Error('ldap.userFilter: must contain {login}, e.g. "(uid={login})"');
    this.#o = options;
    this.#tls = {
      ...(options.caFile !== undefined ? { ca: readFileSync(options.caFile) } : {}),
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    };
  }

  async authenticate(login: string, password: string): Promise<LdapResult> {
    // An empty password would be an "unauthenticated bind", which servers accept as success.
    if (password === '' || login === '') return { ok: false, reason: 'empty login or password' };
    const o = this.#o;
    const timeout = o.timeoutMs ?? 5_000;
    // ldapts speaks TLS from the first byte whenever tlsOptions is given, so ldap:// (plain or
    // StartTLS) must not get them at construction.
    const ldaps = /^ldaps:/i.test(o.url);
    const client = new Client({ url: o.url, timeout, connectTimeout: timeout, ...(ldaps ? { tlsOptions: this.#tls } : {}) });
    try {
      if (o.startTls === true) await this.#step('StartTLS', () => client.startTLS(this.#tls));
      const servicePassword = await this.#servicePassword();
      const serviceBind = async (): Promise<void> => {
        if (o.bindDn !== undefined) await this.#step(`bind as the service account ${o.bindDn}`, () => client.bind(o.bindDn ?? '', servicePassword));
      };
      await serviceBind();
      const filter = o.userFilter.replaceAll('{login}', escapeFilterValue(login));
      const nameAttr = o.nameAttribute ?? 'displayName';
      const { searchEntries } = await this.#step(`search ${filter} under ${o.userBase}`, () =>
        client.search(o.userBase, { scope: 'sub', filter, attributes: ['dn', nameAttr, 'cn', 'memberOf'], sizeLimit: 2 }),
      );
      if (searchEntries.length === 0) return { ok: false, reason: `no directory entry matches ${filter}` };
      if (searchEntries.length > 1) return { ok: false, reason: `${filter} matches several directory entries` };
      const entry = searchEntries[0] as Entry;
      try {
        await client.bind(entry.dn, password);
      } catch (err) {
        if (err instanceof InvalidCredentialsError) return { ok: false, reason: 'the directory refused the password' };
        throw new LdapUnavailableError(`LDAP ${o.url}: bind as ${entry.dn} failed: ${(err as Error).message}`);
      }
      let groups: string[];
      if (o.groupBase !== undefined) {
        const gf = (o.groupFilter ?? '(member={dn})').replaceAll('{dn}', escapeFilterValue(entry.dn)).replaceAll('{login}', escapeFilterValue(login));
        // Group search runs as the service account when there is one: users often may not list groups.
        await serviceBind();
        const res = await this.#step(`search groups ${gf} under ${o.groupBase}`, () => client.search(o.groupBase ?? '', { scope: 'sub', filter: gf, attributes: ['dn', 'cn'] }));
        groups = res.searchEntries.map((g) => g.dn);
      } else {
        groups = attr(entry, 'memberOf');
      }
      const name = attr(entry, nameAttr)[0] ?? attr(entry, 'cn')[0] ?? login;
      return { ok: true, dn: entry.dn, name, groups, roles: this.rolesFor(groups) };
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  rolesFor(groups: readonly string[]): RoleAssignment[] {
    const map = new Map(Object.entries(this.#o.groupRoles).map(([k, v]) => [k.toLowerCase(), v]));
    const out: RoleAssignment[] = [];
    for (const g of groups) {
      const m = map.get(g.toLowerCase()) ?? map.get(cnOf(g).toLowerCase());
      if (m === undefined) continue;
      const list: readonly (string | LdapRoleMapping)[] = typeof m === 'string' ? [m] : Array.isArray(m) ? (m as readonly LdapRoleMapping[]) : [m as LdapRoleMapping];
      for (const r of list) {
        const a: RoleAssignment = typeof r === 'string' ? { roleId: r, source: 'ldap' } : { roleId: r.roleId, ...(r.nodeId !== undefined ? { nodeId: r.nodeId } : {}), source: 'ldap' };
        if (!out.some((x) => x.roleId === a.roleId && x.nodeId === a.nodeId)) out.push(a);
      }
    }
    return out;
  }

  async #servicePassword(): Promise<string> {
    const name = this.#o.bindPasswordCredential;
    if (name === undefined) return this.#o.bindPassword ?? '';
    const v = this.#secret ? await this.#secret(name) : undefined;
    if (v === undefined) throw new LdapUnavailableError(`LDAP ${this.#o.url}: ldap.bindPasswordCredential names the credential ${JSON.stringify(name)}, which does not exist: store it under Credentials`);
    return v;
  }

  async #step<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new LdapUnavailableError(`LDAP ${this.#o.url}: ${what} failed: ${(err as Error).message}`);
    }
  }
}
