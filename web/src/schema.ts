// The configuration's JSON Schema (GET /api/config/schema, generated on the server from the same
// zod schemas and sensor registry that validate the YAML), narrowed to one object of the tree, so
// that the edit form offers the settings that object may have, with their descriptions and types.

import { api } from './api.ts';

export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly default?: unknown;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly $defs?: Readonly<Record<string, JsonSchema>>;
}

export type FieldKind = 'text' | 'number' | 'boolean' | 'list' | 'json' | 'choice';

/** Lists of children are edited in the tree, not as a setting of their parent. */
export const CHILD_KEYS: ReadonlySet<string> = new Set(['probes', 'groups', 'devices', 'sensors']);

let cached: Promise<JsonSchema> | undefined;

/** The schema, fetched once per page load (it changes only with a new Wardwatch version). */
export function configSchema(): Promise<JsonSchema> {
  cached ??= api<JsonSchema>('/api/config/schema').catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}

export function deref(root: JsonSchema, s: JsonSchema | undefined): JsonSchema | undefined {
  let cur = s;
  for (let i = 0; cur?.$ref !== undefined && i < 10; i++) {
    const m = /^#\/\$defs\/(.+)$/.exec(cur.$ref);
    cur = m?.[1] !== undefined ? root.$defs?.[m[1]] : undefined;
  }
  return cur;
}

const CHILD_OF: Readonly<Record<string, string>> = { site: 'sites', probe: 'probes', group: 'groups', device: 'devices', sensor: 'sensors' };
const PARENT_OF: Readonly<Record<string, string | undefined>> = { site: undefined, probe: 'site', group: 'probe', device: 'group', sensor: 'device' };

/** The schema of one object of the tree (a sensor's by its kind), or undefined when not found. */
export function entrySchema(root: JsonSchema, type: string, kind?: string): JsonSchema | undefined {
  const parentType = PARENT_OF[type];
  const key = CHILD_OF[type];
  if (key === undefined) return undefined;
  const holder = parentType === undefined ? root : entrySchema(root, parentType);
  const list = deref(root, holder?.properties?.[key]);
  const item = deref(root, list?.items);
  const branches = item?.oneOf ?? item?.anyOf;
  if (!branches) return item;
  if (kind === undefined) return undefined;
  return branches.map((b) => deref(root, b)).find((b) => b?.properties?.kind?.const === kind || b?.properties?.kind?.enum?.includes(kind));
}

function types(s: JsonSchema): string[] {
  const t = s.type;
  if (t === undefined) return [...(s.anyOf ?? s.oneOf ?? []).flatMap(types)];
  return typeof t === 'string' ? [t] : [...t];
}

/** How a setting is edited, from its schema. */
export function fieldKindOf(root: JsonSchema, p: JsonSchema): FieldKind {
  const s = deref(root, p) ?? p;
  if (s.enum && s.enum.every((v) => typeof v === 'string')) return 'choice';
  const t = types(s);
  if (t.length === 1 && (t[0] === 'number' || t[0] === 'integer')) return 'number';
  if (t.length === 1 && t[0] === 'boolean') return 'boolean';
  if (t.length === 1 && t[0] === 'array') {
    const items = deref(root, s.items);
    return items && types(items).every((x) => x === 'string') ? 'list' : 'json';
  }
  if (t.includes('object') || t.includes('array')) return 'json';
  return 'text';
}
