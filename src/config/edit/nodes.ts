// What an API edit means for the document: create, update and delete tree nodes, and the named
// entries of the global lists (maintenance windows, alerting rules). Each returns path operations
// (ops.ts) and where the edited entry sits, so that validation problems can be named against the
// request body; nothing here validates: the whole document goes through the loader's checker after.

import { NODE_TYPES, type NodeType } from '../../core/model.ts';
import type { PathSegment } from '../issues.ts';
import { slug } from '../document.ts';
import { CHILD_LISTS, locateNode, segmentOf } from './locate.ts';
import { valueAt, type EditOp } from './ops.ts';

export interface Edit {
  readonly ops: readonly EditOp[];
  /** Document path of the entry the request body describes (problems under it are reported as body paths). */
  readonly entryPath: readonly PathSegment[];
  /** Full id of the node after the edit (node edits). */
  readonly id?: string;
}

export interface EditRefusal {
  readonly refused: true;
  readonly code: 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST';
  readonly detail: string;
  /** Field of the request the refusal is about. */
  readonly field?: string;
}

export type EditPlan = Edit | EditRefusal;

export function isRefusal(p: EditPlan): p is EditRefusal {
  return 'refused' in p;
}

/** Keys that hold children: edited through the node routes of the children, never replaced wholesale by a patch. */
const CHILD_KEYS = new Set(['probes', 'groups', 'devices', 'sensors']);

export function createNode(document: unknown, parentId: string | undefined, type: NodeType, body: Readonly<Record<string, unknown>>): EditPlan {
  if (!NODE_TYPES.includes(type)) return { refused: true, code: 'BAD_REQUEST', detail: `unknown node type "${String(type)}"`, field: 'type' };
  let listPath: PathSegment[];
  let parentPrefix = '';
  if (parentId === undefined) {
    if (type !== 'site') return { refused: true, code: 'BAD_REQUEST', detail: `a ${type} needs a parent`, field: 'parent' };
    listPath = ['sites'];
  } else {
    const parent = locateNode(document, parentId);
    if (!parent) return { refused: true, code: 'NOT_FOUND', detail: `no object with id "${parentId}"`, field: 'parent' };
    const key = CHILD_LISTS[parent.type][type];
    if (key === undefined) return { refused: true, code: 'BAD_REQUEST', detail: `a ${type} cannot be placed under a ${parent.type} ("${parentId}")`, field: 'type' };
    listPath = [...parent.path, key];
    parentPrefix = `${parentId}/`;
  }
  const list = valueAt(document, listPath);
  const index = Array.isArray(list) ? list.length : 0;
  const id = parentPrefix + segmentOf(body);
  return { ops: [{ op: 'append', path: listPath, value: body }], entryPath: [...listPath, index], id };
}

/**
 * Merges a patch into a node's entry: a key set to null is removed. A rename keeps the node's id (so
 * that its history, alerts and grants stay attached) by pinning the old id when the entry had none.
 */
export function updateNode(document: unknown, id: string, patch: Readonly<Record<string, unknown>>): EditPlan {
  const at = locateNode(document, id);
  if (!at) return { refused: true, code: 'NOT_FOUND', detail: `no object with id "${id}"` };
  const ops: EditOp[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (CHILD_KEYS.has(key)) return { refused: true, code: 'BAD_REQUEST', detail: `"${key}" holds child objects: create, change or delete them through /api/nodes`, field: key };
    if (key === 'kind' && value !== at.entry.kind && at.type === 'sensor') return { refused: true, code: 'BAD_REQUEST', detail: 'the kind of a sensor cannot change: delete it and create a new sensor', field: key };
    ops.push(value === null ? { op: 'delete', path: [...at.path, key] } : { op: 'set', path: [...at.path, key], value });
  }
  const renamed = typeof patch.name === 'string' && !('id' in patch) && at.entry.id === undefined && slug(patch.name) !== segmentOf(at.entry);
  if (renamed) ops.push({ op: 'set', path: [...at.path, 'id'], value: segmentOf(at.entry) });
  const seg = typeof patch.id === 'string' ? patch.id : segmentOf(at.entry);
  const parent = id.includes('/') ? id.slice(0, id.lastIndexOf('/') + 1) : '';
  return { ops, entryPath: at.path, id: parent + seg };
}

export function deleteNode(document: unknown, id: string): EditPlan {
  const at = locateNode(document, id);
  if (!at) return { refused: true, code: 'NOT_FOUND', detail: `no object with id "${id}"` };
  return { ops: [{ op: 'delete', path: at.path }], entryPath: at.path, id };
}

/** A channel override (display name and limits) of a sensor; null removes it. */
export function setChannel(document: unknown, sensorId: string, channel: string, override: Readonly<Record<string, unknown>> | null): EditPlan {
  const at = locateNode(document, sensorId);
  if (!at || at.type !== 'sensor') return { refused: true, code: 'NOT_FOUND', detail: `no sensor with id "${sensorId}"` };
  const path = [...at.path, 'channels', channel];
  if (override === null) {
    if (valueAt(document, path) === undefined) return { refused: true, code: 'NOT_FOUND', detail: `sensor "${sensorId}" has no override for channel "${channel}"` };
    const rest = Object.keys((at.entry.channels as Record<string, unknown> | undefined) ?? {}).filter((k) => k !== channel);
    // An empty `channels: {}` left behind would only be noise in the file.
    return { ops: [{ op: 'delete', path: rest.length === 0 ? [...at.path, 'channels'] : path }], entryPath: path, id: sensorId };
  }
  return { ops: [{ op: 'set', path, value: override }], entryPath: path, id: sensorId };
}

/** A list of entries with unique names at a fixed place of the document (maintenance, alerting.rules). */
export interface NamedList {
  readonly path: readonly PathSegment[];
  /** "maintenance window", "alerting rule": for messages. */
  readonly what: string;
}

export const MAINTENANCE_LIST: NamedList = { path: ['maintenance'], what: 'maintenance window' };
export const RULE_LIST: NamedList = { path: ['alerting', 'rules'], what: 'alerting rule' };

export function namedEntries(document: unknown, list: NamedList): Record<string, unknown>[] {
  const items = valueAt(document, list.path);
  return Array.isArray(items) ? items.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null) : [];
}

function indexOfName(document: unknown, list: NamedList, name: string): number {
  const items = valueAt(document, list.path);
  return Array.isArray(items) ? items.findIndex((e) => typeof e === 'object' && e !== null && (e as { name?: unknown }).name === name) : -1;
}

export function createNamed(document: unknown, list: NamedList, body: Readonly<Record<string, unknown>>): EditPlan {
  const name = body.name;
  if (typeof name === 'string' && indexOfName(document, list, name) >= 0) return { refused: true, code: 'CONFLICT', detail: `a ${list.what} named "${name}" already exists`, field: 'name' };
  const items = valueAt(document, list.path);
  return { ops: [{ op: 'append', path: list.path, value: body }], entryPath: [...list.path, Array.isArray(items) ? items.length : 0] };
}

export function replaceNamed(document: unknown, list: NamedList, name: string, body: Readonly<Record<string, unknown>>): EditPlan {
  const i = indexOfName(document, list, name);
  if (i < 0) return { refused: true, code: 'NOT_FOUND', detail: `no ${list.what} named "${name}"` };
  if (typeof body.name === 'string' && body.name !== name && indexOfName(document, list, body.name) >= 0) return { refused: true, code: 'CONFLICT', detail: `a ${list.what} named "${body.name}" already exists`, field: 'name' };
  return { ops: [{ op: 'set', path: [...list.path, i], value: body }], entryPath: [...list.path, i] };
}

export function deleteNamed(document: unknown, list: NamedList, name: string): EditPlan {
  const i = indexOfName(document, list, name);
  if (i < 0) return { refused: true, code: 'NOT_FOUND', detail: `no ${list.what} named "${name}"` };
  return { ops: [{ op: 'delete', path: [...list.path, i] }], entryPath: [...list.path, i] };
}
