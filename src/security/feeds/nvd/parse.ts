// NVD CVE JSON 2.0 import: validates a bulk file (`{ vulnerabilities: [{ cve }] }`), a single
// `{ cve }` item or a bare CVE object completely, then maps it to NvdRecord. Nothing is returned
// unless everything parsed, so a caller never stores half a file.

import type { Cpe } from '../../cpe/cpe.ts';
import type { VersionRange } from '../../versions/compare.ts';
import { formatIssues, parseJsonText } from '../result.ts';
import type { FeedResult } from '../result.ts';
import { bulkSchema, cveSchema } from './schema.ts';
import type { RawCve } from './schema.ts';

export interface CvssMetric {
  readonly version: '4.0' | '3.1' | '3.0' | '2.0';
  readonly source: string;
  readonly type: 'Primary' | 'Secondary';
  readonly baseScore: number;
  readonly severity: string | undefined;
  readonly vector: string;
}

export interface NvdCpeMatch {
  readonly vulnerable: boolean;
  /** The criteria string as NVD wrote it, for the finding's "why". */
  readonly criteria: string;
  readonly cpe: Cpe;
  readonly matchCriteriaId: string | undefined;
  readonly range: VersionRange;
}

export interface NvdNode {
  readonly operator: 'AND' | 'OR';
  readonly negate: boolean;
  readonly cpeMatch: readonly NvdCpeMatch[];
}

export interface NvdConfiguration {
  /** NVD leaves it out for single-node configurations, which behave as OR. */
  readonly operator: 'AND' | 'OR';
  readonly negate: boolean;
  readonly nodes: readonly NvdNode[];
}

export interface NvdRecord {
  readonly id: string;
  readonly published: string;
  readonly lastModified: string;
  readonly status: string | undefined;
  readonly description: string | undefined;
  readonly cvss: {
    readonly v40?: CvssMetric | undefined;
    readonly v31?: CvssMetric | undefined;
    readonly v30?: CvssMetric | undefined;
    readonly v2?: CvssMetric | undefined;
  };
  readonly cwes: readonly string[];
  readonly configurations: readonly NvdConfiguration[];
}

/** The newest CVSS version present (v4.0, then v3.1, v3.0, v2). */
export function bestCvss(r: NvdRecord): CvssMetric | undefined {
  return r.cvss.v40 ?? r.cvss.v31 ?? r.cvss.v30 ?? r.cvss.v2;
}

type MetricIn = { source: string; type: 'Primary' | 'Secondary'; baseSeverity?: string | undefined; cvssData: { vectorString: string; baseScore: number; baseSeverity?: string } };

/** NVD can carry one metric per source; the Primary (NVD's own) one wins. */
function pick(list: readonly MetricIn[] | undefined, version: CvssMetric['version']): CvssMetric | undefined {
  const m = list?.find((x) => x.type === 'Primary') ?? list?.[0];
  if (m === undefined) return undefined;
  return { version, source: m.source, type: m.type, baseScore: m.cvssData.baseScore, severity: m.cvssData.baseSeverity ?? m.baseSeverity, vector: m.cvssData.vectorString };
}

function toRecord(c: RawCve): NvdRecord {
  const cwes = new Set<string>();
  for (const w of c.weaknesses ?? []) for (const d of w.description) if (/^CWE-\d+$/.test(d.value)) cwes.add(d.value);
  return {
    id: c.id,
    published: c.published,
    lastModified: c.lastModified,
    status: c.vulnStatus,
    description: c.descriptions.find((d) => d.lang === 'en')?.value,
    cvss: {
      v40: pick(c.metrics?.cvssMetricV40, '4.0'),
      v31: pick(c.metrics?.cvssMetricV31, '3.1'),
      v30: pick(c.metrics?.cvssMetricV30, '3.0'),
      v2: pick(c.metrics?.cvssMetricV2, '2.0'),
    },
    cwes: [...cwes],
    configurations: (c.configurations ?? []).map((cfg) => ({
      operator: cfg.operator ?? 'OR',
      negate: cfg.negate ?? false,
      nodes: cfg.nodes.map((n) => ({
        operator: n.operator,
        negate: n.negate ?? false,
        cpeMatch: n.cpeMatch.map((m) => ({
          vulnerable: m.vulnerable,
          criteria: m.criteria.text,
          cpe: m.criteria.cpe,
          matchCriteriaId: m.matchCriteriaId,
          range: {
            ...(m.versionStartIncluding !== undefined ? { startIncluding: m.versionStartIncluding } : {}),
            ...(m.versionStartExcluding !== undefined ? { startExcluding: m.versionStartExcluding } : {}),
            ...(m.versionEndIncluding !== undefined ? { endIncluding: m.versionEndIncluding } : {}),
            ...(m.versionEndExcluding !== undefined ? { endExcluding: m.versionEndExcluding } : {}),
          },
        })),
      })),
    })),
  };
}

/** Parses an already-decoded NVD JSON value: a bulk file, one `{ cve }` item or a bare CVE. */
export function parseNvd(json: unknown): FeedResult<readonly NvdRecord[]> {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, error: `(top level): expected an NVD CVE JSON 2.0 object, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}` };
  }
  const obj = json as Record<string, unknown>;
  if ('vulnerabilities' in obj) {
    const r = bulkSchema.safeParse(json);
    if (!r.success) return { ok: false, error: formatIssues(r.error, json) };
    return { ok: true, value: r.data.vulnerabilities.map((v) => toRecord(v.cve)) };
  }
  const single = 'cve' in obj ? obj.cve : json;
  const r = cveSchema.safeParse(single);
  if (!r.success) return { ok: false, error: formatIssues(r.error, single, 'cve' in obj ? ['cve'] : []) };
  return { ok: true, value: [toRecord(r.data)] };
}

/** Parses the text of an NVD JSON file. */
export function parseNvdText(text: string): FeedResult<readonly NvdRecord[]> {
  const j = parseJsonText(text, 'the NVD file');
  return j.ok ? parseNvd(j.value) : j;
}
