// C-FIND matching as PS3.4 C.2.2.2 describes it, simplified for a simulator: universal (empty),
// single value, wildcard (* ?), list of UIDs, date/time range, and sequence matching; the response
// carries exactly the keys that were asked for.

import { isStringVr, type DataSet, type DataElement } from '../../protocols/dicom/dataset.ts';

const IGNORED = new Set([0x00080005, 0x00080052]);

function wildcard(pattern: string): RegExp {
  const esc = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${esc}$`);
}

function matchString(vr: string, query: string, value: string): boolean {
  if ((vr === 'DA' || vr === 'TM' || vr === 'DT') && query.includes('-')) {
    const [from, to] = query.split('-') as [string, string];
    return (from === '' || value >= from) && (to === '' || value <= to.padEnd(value.length, '9'));
  }
  if (vr === 'UI') return query.split('\\').includes(value);
  if (query.includes('*') || query.includes('?')) return wildcard(query).test(value);
  if (vr === 'PN') return query.toUpperCase() === value.toUpperCase();
  return value.split('\\').includes(query) || value === query;
}

function matchElement(q: DataElement, v: DataElement | undefined): boolean {
  if (q.vr === 'SQ') {
    const items = q.value as readonly DataSet[];
    const pattern = items[0];
    if (!pattern || pattern.size === 0) return true;
    if (!v || v.vr !== 'SQ') return false;
    return (v.value as readonly DataSet[]).some((item) => matches(pattern, item));
  }
  if (typeof q.value !== 'string' || q.value === '') return true;
  if (!v || typeof v.value !== 'string' || !isStringVr(q.vr)) return false;
  return matchString(q.vr, q.value, v.value);
}

export function matches(query: DataSet, record: DataSet): boolean {
  for (const [tag, q] of query) {
    if (IGNORED.has(tag)) continue;
    if (!matchElement(q, record.get(tag))) return false;
  }
  return true;
}

/** The response identifier: each asked key with the record's value (empty when it has none). */
export function project(query: DataSet, record: DataSet): DataSet {
  const out: DataSet = new Map();
  for (const [tag, q] of query) {
    if (tag === 0x00080005) continue;
    if (tag === 0x00080052) {
      out.set(tag, q);
      continue;
    }
    const v = record.get(tag);
    if (q.vr === 'SQ') {
      const pattern: DataSet = (q.value as readonly DataSet[])[0] ?? new Map<number, DataElement>();
      const items = v?.vr === 'SQ' ? (v.value as readonly DataSet[]) : [];
      out.set(tag, { vr: 'SQ', value: items.filter((i) => matches(pattern, i)).map((i) => project(pattern, i)) });
    } else {
      out.set(tag, v ?? { vr: q.vr, value: typeof q.value === 'string' ? '' : q.value });
    }
  }
  return out;
}
