// Loads a YAML config into a Tree, or into every error it contains, each at file:line:column with the
// field path and what was expected. Order: YAML syntax, then the registry-generated schema, then the
// checks that need the whole tree (ids, references, cycles). An invalid file never yields a Tree.

import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { Tree } from '../core/tree.ts';
import { SENSOR_KINDS } from '../sensors/registry.ts';
import type { AnySensorKind } from '../sensors/sensor.ts';
import { createDocumentChecker } from './check.ts';
import type { Problem } from './issues.ts';
import { formatPath, locate } from './positions.ts';

export interface ConfigError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Field path such as `sites[0].probes[0].groups[1].devices[3].sensors[0].port` ('' for the file itself). */
  readonly path: string;
  readonly message: string;
}

export type ConfigResult =
  | { readonly ok: true; readonly tree: Tree; readonly document: unknown; readonly warnings: string[] }
  | { readonly ok: false; readonly errors: ConfigError[] };

export interface ConfigLoaderOptions {
  /** Sensor kinds the schema accepts (default: the registry). */
  readonly kinds?: readonly AnySensorKind[];
}

/** `hospital.yaml:42:7 sites[0].probes[0].groups[1].devices[3].sensors[0].port: expected integer 1–65535, got "abc"` */
export function formatConfigError(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.column} ${e.path === '' ? '' : `${e.path}: `}${e.message}`;
}

function byPosition(a: ConfigError, b: ConfigError): number {
  return a.line - b.line || a.column - b.column || a.path.localeCompare(b.path) || a.message.localeCompare(b.message);
}

/** "Tabs are not allowed as indentation" → "tabs are not allowed as indentation" */
function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}

const YAML_HINTS: Readonly<Record<string, string>> = {
  TAB_AS_INDENT: ' (indent with spaces)',
  BAD_INDENT: ' (check the indentation)',
  DUPLICATE_KEY: ' (a key appears twice in the same mapping)',
};

function syntaxErrors(doc: Document, lc: LineCounter, file: string): ConfigError[] {
  const seen = new Set<number>();
  const out: ConfigError[] = [];
  for (const err of doc.errors) {
    const p = lc.linePos(err.pos[0]);
    // One problem often produces several parser errors on the same line: the first says it best.
    if (seen.has(p.line)) continue;
    seen.add(p.line);
    out.push({ file, line: p.line, column: p.col, path: '', message: `invalid YAML: ${lowerFirst(err.message)}${YAML_HINTS[err.code] ?? ''}` });
  }
  return out;
}

/** Creates a parser for the given kinds; it builds the schema once and may be reused for every reload. */
export function createConfigParser(options: ConfigLoaderOptions = {}): (text: string, fileName: string) => ConfigResult {
  const check = createDocumentChecker(options.kinds ?? SENSOR_KINDS);
  return (text, file) => {
    const lc = new LineCounter();
    // Merge keys (`<<: *common`) let a file share sensor settings without repeating them.
    const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, merge: true });
    if (doc.errors.length > 0) return { ok: false, errors: syntaxErrors(doc, lc, file).sort(byPosition) };
    const toError = (p: Problem): ConfigError => {
      const pos = locate(doc, lc, p.path, p.onKey);
      let message = p.message;
      if (p.related) {
        const r = locate(doc, lc, p.related);
        message += ` (also at ${file}:${r.line}:${r.column} ${formatPath(p.related)})`;
      }
      return { file, line: pos.line, column: pos.column, path: formatPath(p.path), message };
    };
    if (doc.contents === null) return { ok: false, errors: [{ file, line: 1, column: 1, path: '', message: 'the file is empty: expected a mapping with at least "sites"' }] };

    let raw: unknown;
    try {
      raw = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      return { ok: false, errors: [{ file, line: 1, column: 1, path: '', message: `invalid YAML: ${lowerFirst((err as Error).message)}` }] };
    }
    const r = check(raw);
    if (!r.ok) return { ok: false, errors: r.problems.map(toError).sort(byPosition) };
    return { ok: true, tree: r.tree, document: raw, warnings: r.warnings.map(toError).sort(byPosition).map(formatConfigError) };
  };
}

export function parseConfig(text: string, fileName: string, options: ConfigLoaderOptions = {}): ConfigResult {
  return createConfigParser(options)(text, fileName);
}

export async function loadConfigFile(path: string, options: ConfigLoaderOptions = {}): Promise<ConfigResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'is a directory, not a file' : (err as Error).message;
    return { ok: false, errors: [{ file: path, line: 1, column: 1, path: '', message: `cannot read the file: ${why}` }] };
  }
  return parseConfig(text, path, options);
}
