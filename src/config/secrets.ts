// Credential secrets: the YAML tree names credential sets, their values live in a separate
// secrets file (`name: { key: value }`) readable only by Wardwatch's user. They are never copied
// into the tree, the store or the API.

import { readFile, stat } from 'node:fs/promises';
import { parse } from 'yaml';
import type { Credential } from '../sensors/sensor.ts';
import type { Tree } from '../core/tree.ts';

export interface SecretsResult {
  readonly credentials: ReadonlyMap<string, Credential>;
  readonly warnings: readonly string[];
}

export async function loadSecrets(path: string, tree: Tree): Promise<SecretsResult> {
  const warnings: string[] = [];
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) warnings.push(`${path}: readable by other users (mode ${(info.mode & 0o777).toString(8)}); run chmod 600 ${path}`);
  const doc: unknown = parse(await readFile(path, 'utf8'));
  if (doc !== null && (typeof doc !== 'object' || Array.isArray(doc))) throw new Error(`${path}: expected a mapping of credential names to their values`);
  const out = new Map<string, Credential>();
  for (const [name, values] of Object.entries((doc ?? {}) as Record<string, unknown>)) {
    if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new Error(`${path}: ${name}: expected a mapping of keys to values`);
    const ref = tree.credentials.get(name);
    if (!ref) {
      warnings.push(`${path}: ${name}: no credential of that name in the configuration (ignored)`);
      continue;
    }
    const strings: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new Error(`${path}: ${name}.${k}: expected text`);
      strings[k] = String(v);
    }
    out.set(name, { name, type: ref.type, values: strings });
  }
  for (const name of tree.credentials.keys()) if (!out.has(name)) warnings.push(`credential ${name} has no values in ${path}`);
  return { credentials: out, warnings };
}
