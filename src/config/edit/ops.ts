// Edits to the config document as path operations, so that the same edit applies to the plain
// document (validated and stored) and to the YAML file's Document (written back with its comments):
// the file and the API stay one model.

import { isDeepStrictEqual } from 'node:util';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import type { PathSegment } from '../issues.ts';
import { formatPath } from '../positions.ts';

export type EditOp =
  /** Sets the value at path (creating mappings on the way). */
  | { readonly op: 'set'; readonly path: readonly PathSegment[]; readonly value: unknown }
  /** Removes the key or list item at path. */
  | { readonly op: 'delete'; readonly path: readonly PathSegment[] }
  /** Appends to the list at path (creating it when missing). */
  | { readonly op: 'append'; readonly path: readonly PathSegment[]; readonly value: unknown };

type Container = Record<string | number, unknown> | unknown[];

function isContainer(v: unknown): v is Container {
  return typeof v === 'object' && v !== null;
}

export function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let cur = root;
  for (const seg of path) cur = isContainer(cur) ? (cur as Record<PathSegment, unknown>)[seg] : undefined;
  return cur;
}

/** The parent container of path, created as mappings (or a list before a numeric key) when missing. */
function parentOf(root: Container, path: readonly PathSegment[]): Container {
  let cur: Container = root;
  for (let i = 0; i < path.length - 1; i++) {
    const seg = path[i]!;
    const next = (cur as Record<PathSegment, unknown>)[seg];
    if (isContainer(next)) cur = next;
    else {
      const made: Container = typeof path[i + 1] === 'number' ? [] : {};
      (cur as Record<PathSegment, unknown>)[seg] = made;
      cur = made;
    }
  }
  return cur;
}

/** Applies ops to a copy of the plain document; the input is never changed. */
export function applyOps(document: unknown, ops: readonly EditOp[]): unknown {
  const root = structuredClone<Container>(isContainer(document) ? document : {});
  for (const op of ops) {
    if (op.path.length === 0) throw new Error(`${op.op}: an edit needs a path inside the document`);
    const parent = parentOf(root, op.path);
    const last = op.path.at(-1)!;
    if (op.op === 'set') (parent as Record<PathSegment, unknown>)[last] = structuredClone(op.value);
    else if (op.op === 'delete') {
      if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
      else delete (parent as Record<PathSegment, unknown>)[last];
    } else {
      const list = (parent as Record<PathSegment, unknown>)[last];
      if (Array.isArray(list)) list.push(structuredClone(op.value));
      else (parent as Record<PathSegment, unknown>)[last] = [structuredClone(op.value)];
    }
  }
  return root;
}

/**
 * Applies ops to the YAML file's text through the yaml Document API, which keeps comments, key
 * order and formatting of everything the edit does not touch. Returns undefined when the result
 * would not read back as `expected` (anchors and merge keys can make a path mean something else in
 * the file): the caller then writes the whole document instead.
 */
export function applyOpsToYaml(text: string, ops: readonly EditOp[], expected: unknown): string | undefined {
  const doc: Document = parseDocument(text, { merge: true, uniqueKeys: true });
  if (doc.errors.length > 0) return undefined;
  try {
    for (const op of ops) {
      if (op.op === 'set') doc.setIn(op.path, doc.createNode(op.value));
      else if (op.op === 'delete') doc.deleteIn(op.path);
      else {
        const list = doc.getIn(op.path, true);
        if (isSeq(list)) list.add(doc.createNode(op.value));
        else if (list === undefined) doc.setIn(op.path, doc.createNode([op.value]));
        else return undefined;
      }
    }
  } catch {
    return undefined;
  }
  if (!isMap(doc.contents)) return undefined;
  const out = doc.toString({ lineWidth: 0 });
  const back = parseDocument(out, { merge: true }).toJS({ maxAliasCount: 1000 }) as unknown;
  return isDeepStrictEqual(back, expected) ? out : undefined;
}

export function describeOps(ops: readonly EditOp[]): string {
  return ops.map((o) => `${o.op} ${formatPath(o.path)}`).join(', ');
}
