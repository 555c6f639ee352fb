// Turns a user's role assignments, or an API token's scope, into the Principal the routes check:
// the grants of every role (rebased onto the subtree an assignment names) and the admin flag.

import { ALL_NODES, type Grant, type Principal } from '../access.ts';
import type { AuthStore, Role, RoleAssignment, TokenRecord, UserRecord } from './types.ts';

export function grantsOf(assignments: readonly RoleAssignment[], roles: ReadonlyMap<string, Role>): { grants: Grant[]; admin: boolean } {
  const grants: Grant[] = [];
  let admin = false;
  for (const a of assignments) {
    const role = roles.get(a.roleId);
    if (!role) continue; // a deleted role simply gives nothing
    // Each assignment is its own source: rights from different roles add up, never cancel.
    const source = `${a.roleId}@${a.nodeId ?? ALL_NODES}`;
    if (a.nodeId === undefined || a.nodeId === ALL_NODES) {
      grants.push(...role.grants.map((g) => ({ ...g, source })));
      admin ||= role.admin;
      continue;
    }
    // On a subtree only the whole-tree grant applies, at the subtree's root: nothing reaches outside.
    const whole = role.grants.filter((g) => g.nodeId === ALL_NODES);
    for (const g of whole) grants.push({ nodeId: a.nodeId, level: g.level, source });
    if (role.admin && whole.length === 0) grants.push({ nodeId: a.nodeId, level: 'full', source });
  }
  return { grants, admin };
}

export async function rolesById(store: AuthStore): Promise<Map<string, Role>> {
  return new Map((await store.roles()).map((r) => [r.id, r]));
}

export async function principalForUser(store: AuthStore, user: UserRecord): Promise<Principal> {
  const { grants, admin } = grantsOf(user.roles, await rolesById(store));
  return { kind: 'user', id: user.id, name: user.login, grants, admin, method: user.method };
}

/**
 * A token acts with its scope, never beyond: a role scope gives that role's grants (and admin only
 * if the role is an administrator role and the owner is still an administrator).
 */
export async function principalForToken(store: AuthStore, token: TokenRecord, owner: UserRecord): Promise<Principal> {
  const roles = await rolesById(store);
  const ownerRights = grantsOf(owner.roles, roles);
  let grants: Grant[];
  let admin = false;
  if ('roleId' in token.scope) {
    const r = grantsOf([{ roleId: token.scope.roleId, source: 'manual' }], roles);
    grants = r.grants;
    admin = r.admin && ownerRights.admin;
  } else {
    grants = [...token.scope.grants];
  }
  return { kind: 'token', id: token.id, name: `token:${token.name} (${owner.login})`, grants, admin, method: 'token' };
}
