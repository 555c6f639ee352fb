// What the API shows of users and tokens: never a hash, a sealed secret or a token secret.

import { grantsOf } from './principal.ts';
import type { Role, TokenRecord, TokenView, UserRecord, UserView } from './types.ts';

export function userView(u: UserRecord, roles: ReadonlyMap<string, Role>): UserView {
  return {
    id: u.id,
    login: u.login,
    name: u.name,
    method: u.method,
    admin: grantsOf(u.roles, roles).admin,
    totp: u.totpEnabled,
    disabled: u.disabled,
    roles: u.roles,
    ...(u.lockedUntil !== undefined ? { lockedUntil: u.lockedUntil } : {}),
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

export function tokenView(t: TokenRecord): TokenView {
  const { secretHash: _hash, ...view } = t;
  return view;
}

/**
 * Enabled users with administrator rights under `roles`: through the built-in role or any custom
 * role with `admin`, assigned by hand or by an LDAP group mapping, on the whole tree.
 */
export function enabledAdmins(users: readonly UserRecord[], roles: ReadonlyMap<string, Role>): number {
  return users.filter((u) => !u.disabled && grantsOf(u.roles, roles).admin).length;
}

export const LAST_ADMIN = 'this is the last administrator: give another user the administrator role first';

/** Whether at least one enabled user other than `exceptId` keeps administrator rights. */
export function anotherAdminRemains(users: readonly UserRecord[], roles: ReadonlyMap<string, Role>, exceptId: string): boolean {
  return users.some((u) => u.id !== exceptId && !u.disabled && grantsOf(u.roles, roles).admin);
}
