// Reference docs generated from the registry, so that they never drift from the code: one Markdown
// page per sensor kind (settings, defaults, channels, limits, a YAML example), an index page, and the
// plain-text help of `wardwatch check KIND --help`. Everything is read from the kind's zod schema.

import { stringify } from 'yaml';
import { z } from 'zod';
import type { ChannelSpec, Limits } from '../core/model.ts';
import type { AnySensorKind } from './sensor.ts';

/** One setting of a kind, as the docs and the CLI help show it. */
export interface SettingDoc {
  readonly key: string;
  /** "integer 1–65535", "duration", "one of A, AAAA, MX", "list of text". */
  readonly type: string;
  /** The default as written in YAML ("53", "30s"), if the setting has one. */
  readonly default?: string;
  readonly required: boolean;
  readonly description?: string;
}

/** Does this field accept durations (fields.ts's duration(): "30s" becomes 30 seconds)? */
export function isDurationField(schema: z.ZodType): boolean {
  const r = schema.safeParse('30s');
  return r.success && r.data === 30;
}

/** Seconds as the shortest exact duration text: 7200 → "2h", 90 → "90s", 0.25 → "250ms". */
export function formatDuration(seconds: number): string {
  if (seconds > 0 && seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds > 0 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds > 0 && seconds % 60 === 0) return `${seconds / 60}m`;
  if (Number.isInteger(seconds)) return `${seconds}s`;
  return `${Math.round(seconds * 1000)}ms`;
}

/** `expectStatus` → `--expect-status` (the CLI parses the same spelling back). */
export function optionFlag(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Keys a sensor entry in YAML uses itself; the config schema refuses a kind with a setting of the same name. */
export const SENSOR_ENTRY_KEYS: readonly string[] = ['name', 'id', 'description', 'interval', 'timeout', 'retries', 'credentials', 'tags', 'dependsOn', 'maintenance', 'paused', 'channels', 'kind'];

type Json = Record<string, unknown>;
const DURATION_MARK = 'x-duration';

function jsonSchemaOf(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const s = ctx.zodSchema as unknown as z.ZodType;
      if ((s as unknown as { _zod: { def: { type: string } } })._zod.def.type === 'pipe' && isDurationField(s)) ctx.jsonSchema[DURATION_MARK] = true;
    },
  });
}

function range(p: Json): string {
  const lo = p.minimum ?? p.exclusiveMinimum;
  const hi = p.maximum ?? p.exclusiveMaximum;
  if (typeof lo === 'number' && typeof hi === 'number' && hi < Number.MAX_SAFE_INTEGER) return ` ${lo}–${hi}`;
  if (typeof lo === 'number') return p.exclusiveMinimum !== undefined ? ` > ${lo}` : ` ≥ ${lo}`;
  if (typeof hi === 'number' && hi < Number.MAX_SAFE_INTEGER) return ` ≤ ${hi}`;
  return '';
}

function typeLabel(p: Json): string {
  if (p[DURATION_MARK] === true) return 'duration';
  if (Array.isArray(p.enum)) return `one of ${p.enum.map(String).join(', ')}`;
  if (p.const !== undefined) return JSON.stringify(p.const);
  if (Array.isArray(p.anyOf)) return (p.anyOf as Json[]).map(typeLabel).join(' or ');
  switch (p.type) {
    case 'integer':
      return `integer${range(p)}`;
    case 'number':
      return `number${range(p)}`;
    case 'string':
      return 'text';
    case 'boolean':
      return 'true/false';
    case 'array':
      return `list of ${typeLabel((p.items ?? {}) as Json)}`;
    case 'object':
      return 'mapping';
    default:
      return 'value';
  }
}

/** The value a field takes when it is left out (JSON Schema drops defaults of transformed fields, so ask the field). */
function formatDefault(field: z.ZodType | undefined, p: Json): string | undefined {
  const r = field?.safeParse(undefined);
  const value: unknown = r?.success ? r.data : p.default;
  if (value === undefined) return undefined;
  if (p[DURATION_MARK] === true && typeof value === 'number') return formatDuration(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The object shape of a settings schema (looking through a pipe). */
function shapeOf(schema: z.ZodType): Readonly<Record<string, z.ZodType>> {
  if (schema instanceof z.ZodObject) return schema.shape;
  if (schema instanceof z.ZodPipe) return shapeOf(schema.in as z.ZodType);
  return {};
}

export function settingDocs(kind: AnySensorKind): SettingDoc[] {
  const js = jsonSchemaOf(kind.settings);
  const props = (js.properties ?? {}) as Record<string, Json>;
  const required = new Set((js.required ?? []) as string[]);
  const shape = shapeOf(kind.settings);
  return Object.entries(props).map(([key, p]) => {
    const dflt = formatDefault(shape[key], p);
    const fromDevice = key === 'host' && kind.usesHost;
    return {
      key,
      type: typeLabel(p),
      ...(dflt !== undefined ? { default: dflt } : fromDevice ? { default: 'the device host' } : {}),
      required: required.has(key) && !fromDevice,
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
    };
  });
}

/** "> 500 ms: error; > 200 ms: warning" */
export function describeLimits(limits: Limits | undefined, unit: string): string {
  if (!limits) return '';
  const u = unit === 'count' || unit === 'value' || unit === 'bool' ? '' : ` ${unit}`;
  const parts: string[] = [];
  if (limits.upperError !== undefined) parts.push(`> ${limits.upperError}${u}: error`);
  if (limits.upperWarning !== undefined) parts.push(`> ${limits.upperWarning}${u}: warning`);
  if (limits.lowerWarning !== undefined) parts.push(`< ${limits.lowerWarning}${u}: warning`);
  if (limits.lowerError !== undefined) parts.push(`< ${limits.lowerError}${u}: error`);
  return parts.join('; ');
}

function cell(s: string | undefined): string {
  return (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** A value to show for a required setting in the example. */
function exampleValue(s: SettingDoc): unknown {
  if (s.type.startsWith('one of ')) return s.type.slice(7).split(', ')[0];
  if (s.type.startsWith('integer') || s.type.startsWith('number')) return Number(/-?\d+(\.\d+)?/.exec(s.type)?.[0] ?? 1);
  if (s.type === 'duration') return '30s';
  if (s.type === 'true/false') return true;
  if (s.type.startsWith('list of')) return [`<${s.key}>`];
  return `<${s.key}>`;
}

/** A sensor entry for a device's `sensors:` list: required settings set, optional ones as comments. */
export function renderKindExample(kind: AnySensorKind): string {
  const settings = settingDocs(kind);
  const entry: Record<string, unknown> = { name: kind.title, kind: kind.kind };
  for (const s of settings.filter((x) => x.required)) entry[s.key] = exampleValue(s);
  const body = stringify([entry], { lineWidth: 0 }).trimEnd();
  const optional = settings.filter((s) => !s.required);
  // A default that is prose ("the device host") is not a YAML value: leave the value out.
  const heads = optional.map((s) => `  # ${s.key}:${s.default !== undefined && !s.default.includes(' ') ? ` ${s.default}` : ''}`);
  const width = Math.max(0, ...heads.map((h) => h.length)) + 2;
  const comments = optional.map((s, i) => (s.description ? `${heads[i]!.padEnd(width)}# ${s.description}` : heads[i]!));
  return [body, ...comments].join('\n');
}

export function renderKindMarkdown(kind: AnySensorKind): string {
  const settings = settingDocs(kind);
  const lines = [`# ${kind.title} (\`${kind.kind}\`)`, '', kind.description, ''];
  lines.push('## Settings', '');
  if (settings.length === 0) lines.push('This kind has no settings of its own.', '');
  else {
    lines.push('| Setting | Type | Default | Required | Description |', '|---|---|---|---|---|');
    for (const s of settings) lines.push(`| \`${s.key}\` | ${cell(s.type)} | ${s.default === undefined ? '' : s.default.includes(' ') ? cell(s.default) : `\`${cell(s.default)}\``} | ${s.required ? 'yes' : 'no'} | ${cell(s.description)} |`);
    lines.push('');
  }
  lines.push('## Channels', '', '| Channel | Name | Unit | Default limits | Description |', '|---|---|---|---|---|');
  for (const c of kind.channels) lines.push(`| \`${c.key}\`${c.primary ? ' (primary)' : ''} | ${cell(c.name)} | ${cell(c.unit)} | ${cell(describeLimits(c.limits, c.unit))} | ${cell(c.description)} |`);
  lines.push('', '## Example', '', 'In a device\'s `sensors:` list:', '', '```yaml', renderKindExample(kind), '```', '');
  lines.push('## Command line', '', '```', renderKindHelp(kind), '```', '');
  return lines.join('\n');
}

function channelLines(channels: readonly ChannelSpec[]): string[] {
  const heads = channels.map((c) => `  ${c.key} (${c.unit})`);
  const width = Math.max(0, ...heads.map((h) => h.length)) + 2;
  return channels.map((c, i) => {
    const limits = describeLimits(c.limits, c.unit);
    return `${heads[i]!.padEnd(width)}${c.name}${limits ? `; ${limits}` : ''}`;
  });
}

/** Plain text for `wardwatch check KIND --help`. */
export function renderKindHelp(kind: AnySensorKind): string {
  const settings = settingDocs(kind);
  const usage = settings.filter((s) => s.required).map((s) => `${optionFlag(s.key)} <${s.key}>`);
  const rows: (readonly [string, string])[] = settings.map((s) => {
    // Many descriptions already say "(default 53)": do not say it twice.
    const saysDefault = /\bdefault\b/i.test(s.description ?? '');
    const what = [s.description, s.required ? 'required' : undefined, s.default !== undefined && !saysDefault ? `default: ${s.default}` : undefined].filter(Boolean).join('; ');
    return [`  ${optionFlag(s.key)} <${s.type}>`, what] as const;
  });
  // The flags `wardwatch check` keeps for itself (src/cli/check.ts); no kind setting may use these names.
  rows.push(['  --timeout <duration>', 'Longest the check may take; default: 10s'], ['  --json', 'Print the result as JSON instead of a status line']);
  const width = Math.min(40, Math.max(...rows.map(([flag]) => flag.length)) + 2);
  const options = rows.map(([flag, what]) => (flag.length + 2 > width ? `${flag}\n${' '.repeat(width)}${what}` : flag.padEnd(width) + what));
  return [
    `Usage: wardwatch check ${kind.kind} ${[...usage, '[--option value ...]', '[--timeout 10s]', '[--json]'].join(' ')}`,
    '',
    `${kind.title}: ${kind.description}`,
    '',
    'Options:',
    ...options,
    '',
    'Channels:',
    ...channelLines(kind.channels),
    '',
    'Exit status (Nagios plugin conventions): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.',
  ].join('\n');
}

/** The index page: one row per kind, linking to `<kind>.md`. */
export function renderDocsIndex(kinds: readonly AnySensorKind[]): string {
  const lines = ['# Sensor kinds', '', 'Generated from the sensor registry (`src/sensors/registry.ts`); do not edit by hand.', ''];
  lines.push('| Kind | Title | Channels | Description |', '|---|---|---|---|');
  for (const k of kinds) {
    const firstSentence = /^.*?[.!?](\s|$)/.exec(k.description)?.[0].trim() ?? k.description;
    lines.push(`| [\`${k.kind}\`](${k.kind}.md) | ${cell(k.title)} | ${k.channels.map((c) => `\`${c.key}\``).join(', ')} | ${cell(firstSentence)} |`);
  }
  lines.push('');
  return lines.join('\n');
}

/** Every page of the sensor reference, by file name (`index.md`, `<kind>.md`): the CLI writes them to docs/sensors. */
export function renderAllDocs(kinds: readonly AnySensorKind[]): Map<string, string> {
  return new Map([['index.md', renderDocsIndex(kinds)], ...kinds.map((k) => [`${k.kind}.md`, renderKindMarkdown(k)] as [string, string])]);
}
