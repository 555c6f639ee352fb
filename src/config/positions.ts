// Maps a path in the config document (sites[0].probes[0]...port) back to the YAML node it came from,
// so that every problem is reported at a line and column. A path that does not exist in the file (a
// missing key) is reported at the nearest enclosing node: the mapping the key is missing from.

import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';
import type { PathSegment } from './issues.ts';

export interface Position {
  readonly line: number;
  readonly column: number;
}

function child(doc: Document, node: unknown, seg: PathSegment): { value: unknown; key?: unknown } | undefined {
  const n = isAlias(node) ? node.resolve(doc) : node;
  if (isSeq(n) && typeof seg === 'number') {
    const item = n.items[seg];
    return item === undefined ? undefined : { value: item };
  }
  if (isMap(n)) {
    for (const pair of n.items) {
      if (!isPair(pair)) continue;
      const k: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
      if (k === seg || (typeof seg === 'number' && k === String(seg))) return { value: pair.value ?? pair.key, key: pair.key };
    }
  }
  return undefined;
}

function startOf(node: unknown): number | undefined {
  const range = (node as Partial<Node> | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** Line and column (1-based) of the node at `path`: its value, or its key when `onKey`. */
export function locate(doc: Document, lc: LineCounter, path: readonly PathSegment[], onKey = false): Position {
  let node: unknown = doc.contents;
  let offset = startOf(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const next = child(doc, node, path[i]!);
    if (!next) break;
    node = next.value;
    const last = i === path.length - 1;
    // An empty value (`name:`) has a zero-length node: its key is the better place to point at.
    const valueStart = startOf(next.value);
    const keyStart = startOf(next.key);
    const emptyValue = isScalar(next.value) && next.value.value === null && next.value.source === '';
    offset = (last && onKey) || emptyValue ? (keyStart ?? valueStart ?? offset) : (valueStart ?? keyStart ?? offset);
  }
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/** `sites[0].probes[0].groups[1].devices[3].sensors[0].port` */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
