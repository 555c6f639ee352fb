// THE list of alert channel kinds. The config schema of `alerting.channels`, the API enum and the
// console's forms come from here; nothing else lists channel kinds or switches on them.

import { z } from 'zod';
import { describeGot, duration } from '../../sensors/fields.ts';
import { templateProblems } from '../templates/index.ts';
import type { AnyChannelKind } from './channel.ts';
import { emailKind } from './email/index.ts';
import { webhookKind } from './webhook/index.ts';
import { slackKind } from './slack/index.ts';
import { teamsKind } from './teams/index.ts';
import { syslogKind } from './syslog/index.ts';
import { pagerdutyKind } from './pagerduty/index.ts';
import { commandKind } from './command/index.ts';

export type { AnyChannelKind, ChannelKind, ChannelContext, SendResult } from './channel.ts';

export const CHANNEL_KINDS: readonly AnyChannelKind[] = [
  // people
  emailKind,
  slackKind,
  teamsKind,
  pagerdutyKind,
  // systems
  webhookKind,
  syslogKind,
  commandKind,
];

const byKind = new Map(CHANNEL_KINDS.map((k) => [k.kind, k]));

export function channelKind(kind: string): AnyChannelKind | undefined {
  return byKind.get(kind);
}

export function channelKindNames(): string[] {
  return CHANNEL_KINDS.map((k) => k.kind);
}

/** Default time a notification keeps being retried before it counts as failed. */
export const DEFAULT_RETRY_FOR_S = 3600;
/** Default longest single attempt. */
export const DEFAULT_TIMEOUT_S = 30;

const channelName = z
  .string({ error: (i) => `expected a channel name (text), got ${describeGot(i.input)}` })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: (i) => `expected a channel name (letters, digits, ".", "_", "-"), got ${describeGot(i.input)}` });

/** The fields every channel instance has, whatever its kind. */
export const commonChannelShape = {
  name: channelName.describe('Name rules and fallbacks refer to'),
  fallback: channelName.optional().describe('Channel to tell when a notification through this one finally fails'),
  retryFor: duration({ min: 1 }).default(DEFAULT_RETRY_FOR_S).describe('How long a failing notification is retried before it counts as failed (default 1h)'),
  timeout: duration({ min: 0.1 }).default(DEFAULT_TIMEOUT_S).describe('Longest one attempt may take (default 30s)'),
  templates: z.record(z.string(), z.string({ error: (i) => `expected template text, got ${describeGot(i.input)}` })).optional().describe('Overrides of the kind\'s message templates, by name'),
} as const;

export const COMMON_CHANNEL_KEYS: ReadonlySet<string> = new Set([...Object.keys(commonChannelShape), 'kind']);

function settingsShape(schema: z.ZodType): Readonly<Record<string, z.ZodType>> {
  if (schema instanceof z.ZodObject) return schema.shape;
  throw new Error('a channel kind\'s settings must be a z.strictObject');
}

function channelEntry(kind: AnyChannelKind) {
  const own = settingsShape(kind.settings);
  const clashes = Object.keys(own).filter((k) => COMMON_CHANNEL_KEYS.has(k));
  if (clashes.length > 0) throw new Error(`channel kind "${kind.kind}" declares ${clashes.map((k) => `"${k}"`).join(', ')}, which clash with the common channel keys (${[...COMMON_CHANNEL_KEYS].join(', ')})`);
  const names = Object.keys(kind.templates);
  const fieldsOnly = z.strictObject(own);
  return z
    .strictObject({ ...commonChannelShape, kind: z.literal(kind.kind).describe(kind.title), ...own })
    .superRefine((v, ctx) => {
      // The kind's own cross-field rules (e.g. username needs passwordSecret) run on its fields alone;
      // what the fields say by themselves was reported already, so only the rest is added.
      const picked: Record<string, unknown> = {};
      for (const k of Object.keys(own)) if (k in v) picked[k] = (v as Record<string, unknown>)[k];
      const r = kind.settings.safeParse(picked);
      if (!r.success) {
        const fieldLevel = new Set((fieldsOnly.safeParse(picked).error?.issues ?? []).map((i) => `${i.path.join('.')}:${i.message}`));
        for (const iss of r.error.issues) {
          if (fieldLevel.has(`${iss.path.join('.')}:${iss.message}`)) continue;
          ctx.addIssue({ code: 'custom', message: iss.message, path: iss.path.map((p) => (typeof p === 'symbol' ? String(p) : p)) });
        }
      }
      for (const p of templateProblems(v.templates ?? {}, names)) ctx.addIssue({ code: 'custom', message: p.message, path: ['templates', p.path] });
    })
    .describe(kind.description);
}

function instanceSchema(kinds: readonly AnyChannelKind[]) {
  const names = kinds.map((k) => k.kind);
  const expected = `expected one of ${names.join(', ')}`;
  const error = (iss: { code?: string; input?: unknown }) => {
    if (iss.code !== 'invalid_union') return undefined;
    const input = iss.input as { kind?: unknown } | undefined;
    const kind = typeof input === 'object' && input !== null ? input.kind : undefined;
    return kind === undefined ? `missing required key "kind" (${expected})` : `unknown channel kind: ${expected}, got ${describeGot(kind)}`;
  };
  const [first, ...rest] = kinds;
  if (!first) return z.never({ error: 'no channel kinds are registered' });
  return z.discriminatedUnion('kind', [channelEntry(first), ...rest.map(channelEntry)], { error });
}

/** One entry of `alerting.channels`: { name, kind, fallback?, retryFor?, timeout?, templates?, ...kind settings }. */
export const channelInstanceSchema = instanceSchema(CHANNEL_KINDS);

/** A parsed channel instance (durations in seconds, defaults filled). */
export interface ChannelInstance {
  readonly name: string;
  readonly kind: string;
  readonly fallback?: string;
  readonly retryFor: number;
  readonly timeout: number;
  readonly templates?: Readonly<Record<string, string>>;
  readonly [setting: string]: unknown;
}

/**
 * The whole `alerting.channels` list: names unique, fallbacks naming a configured channel, and no
 * fallback chain that comes back to where it started (a failure notice must never loop).
 */
export const channelListSchema = z.array(channelInstanceSchema).superRefine((list, ctx) => {
  const seen = new Map<string, number>();
  list.forEach((c, i) => {
    const first = seen.get(c.name);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate channel name "${c.name}" (also at index ${first})` });
    else seen.set(c.name, i);
  });
  const byName = new Map(list.map((c) => [c.name, c]));
  list.forEach((c, i) => {
    if (c.fallback === undefined) return;
    if (!byName.has(c.fallback)) {
      ctx.addIssue({ code: 'custom', path: [i, 'fallback'], message: `unknown channel "${c.fallback}" (configured: ${[...byName.keys()].join(', ')})` });
      return;
    }
    const chain = [c.name];
    for (let next: string | undefined = c.fallback; next !== undefined; next = byName.get(next)?.fallback) {
      if (chain.includes(next)) {
        ctx.addIssue({ code: 'custom', path: [i, 'fallback'], message: `fallback chain loops: ${[...chain, next].join(' → ')}` });
        return;
      }
      chain.push(next);
    }
  });
});

/** Splits a parsed instance into the kind and the kind's own settings (parsed by the kind's schema). */
export function instanceSettings(instance: ChannelInstance): { kind: AnyChannelKind; settings: unknown } {
  const kind = channelKind(instance.kind);
  if (!kind) throw new Error(`channel "${instance.name}": unknown channel kind "${instance.kind}" (expected one of ${channelKindNames().join(', ')})`);
  const own: Record<string, unknown> = {};
  for (const k of Object.keys(settingsShape(kind.settings))) if (k in instance) own[k] = instance[k];
  return { kind, settings: kind.settings.parse(own) };
}
