// Reads a feed file of any kind Wardwatch knows (NVD CVE JSON 2.0 bulk or single, CISA KEV, OSV,
// CSAF 2.0) by looking at its shape, and turns it into store rows. All or nothing per file.

import type { KevEntry } from './kev/kev.ts';
import { parseKev } from './kev/kev.ts';
import { parseNvd } from './nvd/parse.ts';
import { parseOsv } from './osv/osv.ts';
import { parseCsaf } from './csaf/csaf.ts';
import { parseJsonText } from './result.ts';
import type { FeedResult } from './result.ts';
import type { StoredVuln } from '../store.ts';

export type FeedKind = 'nvd' | 'kev' | 'osv' | 'csaf';

export interface ReadFeed {
  readonly kind: FeedKind;
  readonly vulns: readonly StoredVuln[];
  readonly kev: readonly KevEntry[];
  /** Records in the file. */
  readonly records: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function detectFeed(json: unknown): FeedKind | undefined {
  if (Array.isArray(json)) return 'osv';
  if (!isObject(json)) return undefined;
  if (isObject(json.document) && 'csaf_version' in json.document) return 'csaf';
  if (Array.isArray(json.vulnerabilities)) {
    const first: unknown = json.vulnerabilities[0];
    if (isObject(first) && 'cveID' in first) return 'kev';
    if (isObject(first) && 'cve' in first) return 'nvd';
    if ('catalogVersion' in json) return 'kev';
    if (json.format === 'NVD_CVE') return 'nvd';
    return undefined;
  }
  if ('cve' in json) return 'nvd';
  if (typeof json.id === 'string' && /^CVE-/.test(json.id) && 'descriptions' in json) return 'nvd';
  if (Array.isArray(json.vulns)) return 'osv';
  if (typeof json.id === 'string' && 'modified' in json) return 'osv';
  return undefined;
}

/** Parses one decoded feed document into rows for the store. */
export function readFeed(json: unknown): FeedResult<ReadFeed> {
  const kind = detectFeed(json);
  switch (kind) {
    case 'nvd': {
      const r = parseNvd(json);
      if (!r.ok) return r;
      const raws: unknown[] = isObject(json) && Array.isArray(json.vulnerabilities)
        ? (json.vulnerabilities as Array<{ cve: unknown }>).map((v) => v.cve)
        : [isObject(json) && 'cve' in json ? json.cve : json];
      return { ok: true, value: { kind, records: r.value.length, kev: [], vulns: r.value.map((rec, i) => ({ source: 'nvd', id: rec.id, modified: rec.lastModified, doc: raws[i] })) } };
    }
    case 'kev': {
      const r = parseKev(json);
      if (!r.ok) return r;
      return { ok: true, value: { kind, records: r.value.entries.size, vulns: [], kev: [...r.value.entries.values()] } };
    }
    case 'osv': {
      const r = parseOsv(json);
      if (!r.ok) return r;
      return { ok: true, value: { kind, records: r.value.length, kev: [], vulns: r.value.map((x) => ({ source: 'osv', id: x.record.id, modified: x.record.modified, doc: x.raw })) } };
    }
    case 'csaf': {
      const r = parseCsaf(json);
      if (!r.ok) return r;
      return { ok: true, value: { kind, records: r.value.vulnerabilities.length, kev: [], vulns: [{ source: 'csaf', id: r.value.id, modified: r.value.modified, doc: json }] } };
    }
    case undefined:
      return { ok: false, error: '(top level): not a feed Wardwatch reads: expected NVD CVE JSON 2.0, the CISA KEV catalog, OSV JSON or a CSAF 2.0 document' };
  }
}

export function readFeedText(text: string, file: string): FeedResult<ReadFeed> {
  const j = parseJsonText(text, file);
  if (!j.ok) return j;
  const r = readFeed(j.value);
  return r.ok ? r : { ok: false, error: `${file}: ${r.error}` };
}
