// Turns `--option value` pairs into a settings object for a sensor kind: values are read as YAML
// scalars (so numbers, booleans and [lists] keep their type), dotted names nest (--tls.ca x) and
// kebab-case names become the camelCase setting names (--expect-status → expectStatus).

import { parse as parseYaml } from 'yaml';

export class ArgsError extends Error {}

export function optionsToSettings(args: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) throw new ArgsError(`unexpected argument "${a}": options are written --name value`);
    let name = a.slice(2);
    let raw: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      raw = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else if (i + 1 < args.length && !args[i + 1]!.startsWith('--')) {
      raw = args[++i];
    }
    const value = raw === undefined ? true : readScalar(raw);
    setPath(out, name.split('.').map(camelCase), value, a);
  }
  return out;
}

/** `expect-status` → `expectStatus`, the inverse of the help's optionFlag; camelCase stays as it is. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function readScalar(raw: string): unknown {
  try {
    const v: unknown = parseYaml(raw);
    // Keep strings that YAML would turn into null or objects by accident ("~", "a: b").
    if (v === null || (typeof v === 'object' && !Array.isArray(v))) return raw;
    return v;
  } catch {
    return raw;
  }
}

function setPath(obj: Record<string, unknown>, path: string[], value: unknown, original: string): void {
  let cur = obj;
  for (const [i, key] of path.entries()) {
    if (key === '' || key === '__proto__' || key === 'constructor' || key === 'prototype') throw new ArgsError(`invalid option name ${original}`);
    if (i === path.length - 1) {
      cur[key] = value;
      return;
    }
    const next = cur[key];
    if (next === undefined) cur = cur[key] = {} as Record<string, unknown>;
    else if (typeof next === 'object' && next !== null && !Array.isArray(next)) cur = next as Record<string, unknown>;
    else throw new ArgsError(`option ${original} conflicts with --${path.slice(0, i + 1).join('.')}`);
  }
}
