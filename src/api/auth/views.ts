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

/** Whether at least one enabled user other than `exceptId` keeps administrator rights. */
export function anotherAdminRemains(users: readonly UserRecord[], roles: ReadonlyMap<string, Role>, exceptId: string): boolean {
  return users.some((u) => u.id !== exceptId && !u.disabled && grantsOf(u.roles, roles).admin);
}
