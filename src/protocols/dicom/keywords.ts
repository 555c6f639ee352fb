// Builds data sets from keyword → value objects ("PatientID": "X"), so that synthetic objects and
// simulator records read like the standard rather than like tag numbers.

import type { DataElement, DataSet } from './dataset.ts';
import { lookupKeyword } from './dictionary.ts';

export type KeywordValues = Readonly<Record<string, string | readonly Readonly<Record<string, string>>[]>>;

/** Strings for string VRs; an array of objects for a sequence. Throws on an unknown keyword (a bug, not input). */
export function fromKeywords(obj: KeywordValues): DataSet {
  const ds: DataSet = new Map();
  for (const [k, v] of Object.entries(obj)) {
    const d = lookupKeyword(k);
    if (!d) throw new Error(`unknown DICOM keyword ${k}`);
    const el: DataElement = typeof v === 'string' ? { vr: d.vr, value: v } : { vr: 'SQ', value: v.map((item) => fromKeywords(item)) };
    ds.set(d.tag, el);
  }
  return ds;
}
