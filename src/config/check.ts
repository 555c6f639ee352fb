// Checks a config document that is already plain data (from YAML, or a JSON body sent to the API):
// the registry-generated schema first, then the whole-tree checks. Problems carry paths; the YAML
// loader adds line and column, the API answers with paths alone.

import type { Tree } from '../core/tree.ts';
import { SENSOR_KINDS } from '../sensors/registry.ts';
import type { AnySensorKind } from '../sensors/sensor.ts';
import { buildTree } from './build.ts';
import type { ConfigDocument } from './document.ts';
import type { Problem } from './issues.ts';
import { createErrorMap, issuesToProblems } from './issues.ts';
import { formatPath } from './positions.ts';
import { buildConfigSchema } from './schema.ts';
import { checkReferences } from './semantic.ts';
import { alertingTreeProblems, type AlertingConfig } from '../alerting/config.ts';

export type DocumentCheck = { readonly ok: true; readonly tree: Tree; readonly warnings: Problem[] } | { readonly ok: false; readonly problems: Problem[] };

/** Builds the schema once for these kinds; the returned function checks one document. */
export function createDocumentChecker(kinds: readonly AnySensorKind[] = SENSOR_KINDS): (raw: unknown) => DocumentCheck {
  const schema = buildConfigSchema(kinds);
  return (raw) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return { ok: false, problems: [{ path: [], message: `expected a mapping with at least "sites" at the top level, got ${Array.isArray(raw) ? 'a list' : JSON.stringify(raw)}` }] };
    }
    const known = new WeakMap<object, readonly string[]>();
    const parsed = schema.safeParse(raw, { error: createErrorMap(known), reportInput: true });
    if (!parsed.success) return { ok: false, problems: issuesToProblems(parsed.error.issues, known) };
    const built = buildTree(parsed.data as ConfigDocument, raw, kinds);
    // Both kinds of problem are reported together, so that one run shows everything to fix.
    const alerting = (parsed.data as { alerting?: AlertingConfig }).alerting;
    const alertingProblems = alerting ? alertingTreeProblems(alerting, built.tree).map((p) => ({ path: ['alerting', ...p.path], message: p.message })) : [];
    const problems = [...built.problems, ...checkReferences(built.tree, built.paths), ...alertingProblems];
    return problems.length > 0 ? { ok: false, problems } : { ok: true, tree: built.tree, warnings: built.warnings };
  };
}

export interface DocumentError {
  readonly path: string;
  readonly message: string;
}

/** For the API: a document as JSON, checked exactly like a YAML file; errors name the field path. */
export function checkConfigDocument(
  doc: unknown,
  kinds: readonly AnySensorKind[] = SENSOR_KINDS,
): { readonly ok: true; readonly tree: Tree; readonly warnings: DocumentError[] } | { readonly ok: false; readonly errors: DocumentError[] } {
  const r = createDocumentChecker(kinds)(doc);
  const plain = (p: Problem): DocumentError => ({ path: formatPath(p.path), message: p.message + (p.related ? ` (also at ${formatPath(p.related)})` : '') });
  return r.ok ? { ok: true, tree: r.tree, warnings: r.warnings.map(plain) } : { ok: false, errors: r.problems.map(plain) };
}
