// What the auth layer's routes answer, as zod schemas: documentation only (the OpenAPI document's
// success responses, like ./schemas.ts), never used to check an answer at run time. They follow
// ../auth/views.ts and ../auth/types.ts, which never show a password hash, a sealed TOTP secret, a
// token's secret hash or a credential's value; the only secrets here are the ones shown once.

import { z } from 'zod';
import { ACCESS_LEVELS } from '../access.ts';
import { CREDENTIAL_KINDS } from '../auth/credentials.ts';

const epochMs = z.number().int().describe('Epoch milliseconds');
const METHODS = ['password', 'ldap'] as const;

export const grantSchema = z
  .object({ nodeId: z.string().describe('A node id, or * for the whole tree'), level: z.enum(ACCESS_LEVELS) })
  .meta({ id: 'Grant', description: 'A level of access on a subtree' });

export const roleAssignmentSchema = z
  .object({
    roleId: z.string(),
    nodeId: z.string().optional().describe('The subtree the role applies to; absent: the whole tree'),
    source: z.enum(['manual', 'ldap']).describe('ldap: from a directory group mapping, replaced at every directory login'),
  })
  .meta({ id: 'RoleAssignment' });

export const userSchema = z
  .object({
    id: z.string(),
    login: z.string(),
    name: z.string(),
    method: z.enum(METHODS).describe('password: a local account; ldap: checked against the directory'),
    admin: z.boolean().describe('Administrator rights through any of its roles'),
    totp: z.boolean().describe('Two-factor authentication (TOTP) is on'),
    disabled: z.boolean(),
    roles: z.array(roleAssignmentSchema),
    lockedUntil: epochMs.optional().describe('Locked after repeated failed logins until then'),
    createdAt: epochMs,
    updatedAt: epochMs,
  })
  .meta({ id: 'User', description: 'A user as the API shows it: never a password hash or a TOTP secret' });

export const roleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    admin: z.boolean().describe('Administers users, roles, tokens, credentials, settings and the audit trail'),
    grants: z.array(grantSchema),
    builtin: z.boolean().describe('administrator, operator and read-only: fixed'),
  })
  .meta({ id: 'Role' });

const tokenScopeSchema = z.union([z.object({ roleId: z.string() }), z.object({ grants: z.array(grantSchema) })]).describe('A role, or explicit grants');

export const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    userId: z.string().describe('The user the token acts for; it never has more rights than they have'),
    scope: tokenScopeSchema,
    expiresAt: epochMs.optional().describe('Absent: never expires'),
    createdAt: epochMs,
    lastUsedAt: epochMs.optional().describe('To the minute'),
  })
  .meta({ id: 'ApiToken', description: 'An API token without its secret' });

export const newTokenSchema = z
  .object({ token: tokenSchema, secret: z.string().describe('Send as "Authorization: Bearer <secret>". Shown this once: only its SHA-256 is kept') })
  .meta({ id: 'NewApiToken' });

export const credentialSchema = z
  .object({
    name: z.string(),
    kind: z.enum(CREDENTIAL_KINDS),
    description: z.string().optional(),
    createdAt: epochMs,
    updatedAt: epochMs,
    updatedBy: z.string(),
  })
  .meta({ id: 'Credential', description: 'A stored secret’s name and kind: its value never comes back out' });

const sessionUserSchema = z
  .object({ id: z.string(), login: z.string(), name: z.string(), admin: z.boolean(), method: z.enum(METHODS), totp: z.boolean() })
  .meta({ id: 'SessionUser', description: 'Who is logged in (for a token: the token, by its name)' });

export const authStateSchema = z
  .object({
    setupRequired: z.boolean().describe('No user exists yet: the first administrator is made with /api/auth/setup'),
    user: sessionUserSchema.optional().describe('Absent when nobody is logged in'),
    csrfToken: z.string().optional().describe('Of a cookie session: send it as X-CSRF-Token on unsafe methods'),
  })
  .meta({ id: 'AuthState' });

export const sessionSchema = z
  .object({ user: sessionUserSchema, csrfToken: z.string().describe('Send it as X-CSRF-Token on unsafe methods') })
  .meta({ id: 'Session', description: 'A new session; its id comes in the HttpOnly ww_session cookie' });

export const totpEnrolmentSchema = z
  .object({ secret: z.string().describe('Base32; shown this once, for the authenticator app'), otpauthUrl: z.string().describe('The same as an otpauth:// URL (for a QR code)') })
  .meta({ id: 'TotpEnrolment', description: 'Pending until confirmed with a code' });

const anchorSchema = z.object({ seq: z.number().int().describe('The newest row anchored'), hash: z.string(), at: epochMs }).meta({ id: 'AuditAnchor' });

export const auditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: epochMs,
    time: z.string().describe('`at` as ISO 8601'),
    actor: z.string(),
    actorId: z.string().optional(),
    action: z.string().describe('Dotted verb: login, user.create, sensor.update...'),
    target: z.string().optional(),
    ip: z.string().optional(),
    outcome: z.enum(['ok', 'denied', 'failed']),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
    detail: z.string().optional(),
    prevHash: z.string(),
    hash: z.string().describe('SHA-256 of prevHash and the row: an edited or deleted row breaks the chain'),
  })
  .meta({ id: 'AuditEntry' });

export const auditPageSchema = z
  .object({ entries: z.array(auditEntrySchema).describe('Newest first'), next: z.number().int().optional().describe('Cursor for the next page (`before`); absent at the end') })
  .meta({ id: 'AuditPage' });

export const auditVerifySchema = z
  .union([
    z.object({ ok: z.literal(true), rows: z.number().int(), lastSeq: z.number().int(), lastHash: z.string(), anchoredSeq: z.number().int().optional().describe('The row the anchor names') }),
    z.object({ ok: z.literal(false), rows: z.number().int(), brokenAt: z.number().int().describe('The first row where the chain breaks'), reason: z.string() }),
  ])
  .meta({ id: 'AuditVerification' });

export const auditReanchorSchema = z.object({ previous: anchorSchema.optional(), anchor: anchorSchema }).meta({ id: 'AuditReanchor' });
