// The YAML config's schema, generated from the sensor registry: every level of the tree with its
// inheritable settings, and a sensor entry per registered kind (the common sensor fields merged with
// that kind's own settings schema, selected by `kind`). Nothing here names a concrete kind.

import { Cron } from 'croner';
import { z } from 'zod';
import { CLINICAL_SYSTEMS } from '../core/model.ts';
import { WEEKDAYS } from '../core/tree.ts';
import { limitsProblem } from '../core/limits.ts';
import { describeGot, duration, host } from '../sensors/fields.ts';
import { isDurationField } from '../sensors/docs.ts';
import type { AnySensorKind } from '../sensors/sensor.ts';
import { SENSOR_KINDS } from '../sensors/registry.ts';
import { receiversSchema } from '../receivers/config.ts';
import { alertingSchema } from '../alerting/config.ts';
import { securitySchema } from '../security/config.ts';

const nameField = z
  .string({ error: (i) => `expected a name (text), got ${describeGot(i.input)}` })
  .trim()
  .min(1, { error: 'expected a name, got an empty string' })
  .max(200, { error: 'name longer than 200 characters' });

/** A local id segment; the full id is the parent's id + "/" + this. */
export const ID_SEGMENT = /^[a-z0-9][a-z0-9._-]*$/;
const idField = z
  .string({ error: (i) => `expected an id (lower-case letters, digits, ".", "_", "-"), got ${describeGot(i.input)}` })
  .regex(ID_SEGMENT, { error: (i) => `expected an id (lower-case letters, digits, ".", "_", "-"; no "/"), got ${describeGot(i.input)}` });

const tagField = z
  .string({ error: (i) => `expected a tag (text), got ${describeGot(i.input)}` })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { error: (i) => `expected a tag (letters, digits, ".", "_", ":", "-"), got ${describeGot(i.input)}` });

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const timezoneField = z
  .string({ error: (i) => `expected an IANA time zone such as Europe/Berlin, got ${describeGot(i.input)}` })
  .refine(isValidTimeZone, { error: (i) => `unknown time zone ${describeGot(i.input)} (use an IANA name such as Europe/Berlin or UTC)` });

/** Settings every level (defaults, site, probe, group, device, sensor) may set. */
export const inheritableShape = {
  interval: duration({ min: 1 }).optional().describe('Time between two checks'),
  timeout: duration({ min: 0.1 }).optional().describe('Longest a check may take (capped at the interval)'),
  retries: z.number().int().min(0).max(10).optional().describe('Failed runs re-checked at once before Down'),
  credentials: nameField.optional().describe('Name of a credential set (see `credentials`)'),
  tags: z.array(tagField).optional().describe('Tags; they accumulate downwards'),
  dependsOn: z.string().min(1).optional().describe('Full id of a sensor whose Down state pauses this subtree'),
  maintenance: z.array(nameField).optional().describe('Maintenance window names; they accumulate downwards'),
  paused: z.boolean().optional().describe('Paused by a user'),
} as const;

const nodeShape = {
  name: nameField.describe('Display name'),
  id: idField.optional().describe('Local id (default: slug of the name)'),
  description: z.string().optional().describe('Free text'),
  ...inheritableShape,
} as const;

const limitsSchema = z
  .strictObject({
    upperError: z.number().optional(),
    upperWarning: z.number().optional(),
    lowerWarning: z.number().optional(),
    lowerError: z.number().optional(),
    upperErrorMessage: z.string().optional(),
    upperWarningMessage: z.string().optional(),
    lowerWarningMessage: z.string().optional(),
    lowerErrorMessage: z.string().optional(),
  })
  .superRefine((l, ctx) => {
    const problem = limitsProblem(l);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const channelOverride = z.strictObject({
  name: nameField.optional().describe('Display name of the channel'),
  limits: limitsSchema.optional().describe('Limits replacing the kind\'s default limits'),
});

/** The fields every sensor entry has, whatever its kind. */
export const commonSensorShape = {
  ...nodeShape,
  channels: z.record(z.string(), channelOverride).optional().describe('Per-channel overrides: name and limits'),
} as const;

/** Keys that are not kind settings (plus `kind` itself). */
export const COMMON_SENSOR_KEYS: ReadonlySet<string> = new Set([...Object.keys(commonSensorShape), 'kind']);

type Shape = Readonly<Record<string, z.ZodType>>;

/** The object shape of a kind's settings schema (looking through a pipe), or undefined when it is not an object. */
export function settingsShape(schema: z.ZodType): Shape | undefined {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodPipe) return settingsShape(schema.in as z.ZodType);
  return undefined;
}

/**
 * A kind's settings sit inline next to the common sensor fields, so a setting named like one of them
 * could never be told apart: refuse such a kind when the schema is built, not at the first config load.
 */
export function assertNoCommonKeyClash(kind: AnySensorKind): void {
  const clashes = Object.keys(settingsShape(kind.settings) ?? {}).filter((k) => COMMON_SENSOR_KEYS.has(k));
  if (clashes.length > 0) {
    const list = clashes.map((k) => `"${k}"`).join(', ');
    throw new Error(`sensor kind "${kind.kind}" declares setting${clashes.length === 1 ? '' : 's'} ${list}, which ${clashes.length === 1 ? 'is a common sensor key' : 'are common sensor keys'}: rename ${clashes.length === 1 ? 'it' : 'them'} in the kind (common keys: ${[...COMMON_SENSOR_KEYS].join(', ')})`);
  }
}

function sensorEntry(kind: AnySensorKind) {
  assertNoCommonKeyClash(kind);
  const shape = settingsShape(kind.settings);
  const own: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(shape ?? {})) {
    // In YAML the host may be left out: the loader fills it from the device.
    own[key] = key === 'host' && kind.usesHost ? field.optional() : field;
  }
  const full = { ...commonSensorShape, kind: z.literal(kind.kind).describe(kind.title), ...own };
  // Strict where the kind's fields are known, so that a typo is an error rather than ignored.
  return (shape ? z.strictObject(full) : z.looseObject(full)).describe(kind.description);
}

function sensorSchema(kinds: readonly AnySensorKind[]) {
  const names = kinds.map((k) => k.kind);
  const expected = `expected one of ${names.join(', ')}`;
  const error = (iss: { code?: string; input?: unknown }) => {
    if (iss.code !== 'invalid_union') return undefined;
    const input = iss.input as { kind?: unknown } | undefined;
    const kind = typeof input === 'object' && input !== null ? input.kind : undefined;
    return kind === undefined ? `missing required key "kind" (${expected})` : `unknown sensor kind: ${expected}, got ${describeGot(kind)}`;
  };
  const [first, ...rest] = kinds;
  if (!first) return z.never({ error: 'no sensor kinds are registered' });
  return z.discriminatedUnion('kind', [sensorEntry(first), ...rest.map(sensorEntry)], { error });
}

const device = (kinds: readonly AnySensorKind[]) =>
  z.strictObject({
    ...nodeShape,
    host: host.describe('Host name or IP address the sensors check'),
    sensors: z.array(sensorSchema(kinds)).optional(),
  });

function groupSchema(kinds: readonly AnySensorKind[]) {
  const dev = device(kinds);
  const group = z.strictObject({
    ...nodeShape,
    system: z.enum(CLINICAL_SYSTEMS).default('other').describe('Clinical system label'),
    // The annotation breaks TypeScript's inference cycle on the self-reference.
    get groups(): z.ZodOptional<z.ZodArray<z.ZodType>> {
      return z.array(group).optional();
    },
    devices: z.array(dev).optional(),
  });
  return group;
}

const localTime = /^([01]\d|2[0-3]):[0-5]\d$/;
const localDateTime = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;

function validCron(expr: string): boolean {
  try {
    new Cron(expr, { paused: true });
    return true;
  } catch {
    return false;
  }
}

const maintenanceSchema = z
  .strictObject({
    name: nameField,
    description: z.string().optional(),
    timezone: timezoneField.optional().describe('Overrides the site time zone'),
    once: z
      .strictObject({
        start: z.string().regex(localDateTime, { error: (i) => `expected a local date and time such as 2026-12-01T22:00, got ${describeGot(i.input)}` }),
        end: z.string().regex(localDateTime, { error: (i) => `expected a local date and time such as 2026-12-02T02:00, got ${describeGot(i.input)}` }),
      })
      .refine((o) => o.end > o.start, { error: 'end must be after start', path: ['end'] })
      .optional(),
    weekly: z
      .strictObject({
        days: z.array(z.enum(WEEKDAYS)).min(1, { error: 'expected at least one day (mon … sun)' }),
        start: z.string().regex(localTime, { error: (i) => `expected a time such as 02:00, got ${describeGot(i.input)}` }),
        duration: duration({ min: 60 }),
      })
      .optional(),
    cron: z
      .string()
      .refine(validCron, { error: (i) => `expected a cron expression such as "0 3 1 * *", got ${describeGot(i.input)}` })
      .optional(),
    duration: duration({ min: 60 }).optional().describe('Length of each cron window'),
  })
  .superRefine((m, ctx) => {
    const forms = (['once', 'weekly', 'cron'] as const).filter((f) => m[f] !== undefined);
    if (forms.length !== 1) ctx.addIssue({ code: 'custom', message: `expected exactly one of once, weekly or cron, got ${forms.length === 0 ? 'none' : forms.join(' and ')}` });
    if (m.cron !== undefined && m.duration === undefined) ctx.addIssue({ code: 'custom', message: 'missing required key "duration" (a cron window needs a duration)', path: ['duration'] });
    if (m.cron === undefined && m.duration !== undefined) ctx.addIssue({ code: 'custom', message: 'duration belongs to cron windows only', path: ['duration'] });
  });

const credentialSchema = z.strictObject({
  name: nameField,
  type: z.string({ error: (i) => `expected a credential type such as snmp or basic, got ${describeGot(i.input)}` }).min(1),
  description: z.string().optional(),
});

/** The whole config document's schema, for the given kinds (the registry's by default). */
export function buildConfigSchema(kinds: readonly AnySensorKind[] = SENSOR_KINDS) {
  const group = groupSchema(kinds);
  const probe = z.strictObject({ ...nodeShape, groups: z.array(group).optional() });
  const site = z.strictObject({
    ...nodeShape,
    timezone: timezoneField.default('UTC').describe('IANA time zone of the site'),
    probes: z.array(probe).optional(),
  });
  return z.strictObject({
    defaults: z.strictObject(inheritableShape).optional().describe('Settings every site inherits'),
    credentials: z.array(credentialSchema).optional().describe('Credential names and types; secrets are stored elsewhere'),
    maintenance: z.array(maintenanceSchema).optional().describe('Maintenance windows'),
    receivers: receiversSchema.optional(),
    alerting: alertingSchema.optional(),
    security: securitySchema.optional(),
    sites: z.array(site, { error: (i) => `expected a list of sites, got ${describeGot(i.input)}` }),
  });
}

/** JSON Schema of the config document, for the API and editors (YAML language server). */
export function configJsonSchema(kinds: readonly AnySensorKind[] = SENSOR_KINDS): Record<string, unknown> {
  return z.toJSONSchema(buildConfigSchema(kinds), {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const s = ctx.zodSchema as unknown as z.ZodType;
      if ((s as { _zod: { def: { type: string } } })._zod.def.type === 'pipe' && isDurationField(s)) {
        ctx.jsonSchema.anyOf = [{ type: 'number', minimum: 0 }, { type: 'string', pattern: '^\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)$' }];
      }
    },
  });
}
