// OSV JSON import (https://ossf.github.io/osv-schema/): one record, an array of records or a
// `{ vulns: [...] }` query answer. Ranges of type SEMVER and ECOSYSTEM are evaluated with the
// shared version order; GIT ranges need a commit, so they are kept as text for "cannot compare".

import { z } from 'zod';
import { parsePurl } from '../../purl/purl.ts';
import { cvss3BaseScore } from '../../risk/cvss3.ts';
import { cvss4BaseScore, cvss4Nomenclature } from '../../risk/cvss4.ts';
import { compareVersions } from '../../versions/compare.ts';
import type { VersionRange } from '../../versions/compare.ts';
import { describeValue, formatIssues, parseJsonText } from '../result.ts';
import type { FeedResult } from '../result.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, { error: (i) => `expected an RFC 3339 date-time, got ${describeValue(i.input)}` });

const event = z.union([
  z.object({ introduced: z.string() }), z.object({ fixed: z.string() }), z.object({ last_affected: z.string() }), z.object({ limit: z.string() }),
], { error: (i) => `expected an event with introduced, fixed, last_affected or limit, got ${describeValue(i.input)}` });

const range = z.object({ type: z.enum(['SEMVER', 'ECOSYSTEM', 'GIT']), repo: z.string().optional(), events: z.array(event).min(1) });

export const osvSchema = z.object({
  schema_version: z.string().optional(),
  id: z.string().min(1),
  modified: isoDate,
  published: isoDate.optional(),
  withdrawn: isoDate.optional(),
  aliases: z.array(z.string()).optional(),
  summary: z.string().optional(),
  details: z.string().optional(),
  severity: z.array(z.object({ type: z.string(), score: z.string() })).optional(),
  affected: z.array(z.object({
    package: z.object({ ecosystem: z.string(), name: z.string(), purl: z.string().optional() }).optional(),
    ranges: z.array(range).optional(),
    versions: z.array(z.string()).optional(),
  })).optional(),
  references: z.array(z.object({ type: z.string(), url: z.string() })).optional(),
  database_specific: z.object({ severity: z.string().optional() }).loose().optional(),
});

export type RawOsv = z.infer<typeof osvSchema>;

export interface OsvAffected {
  readonly ecosystem: string;
  readonly name: string;
  readonly purl?: string | undefined;
  /** Intervals built from the events of SEMVER/ECOSYSTEM ranges. */
  readonly ranges: readonly VersionRange[];
  readonly versions: readonly string[];
  /** How the ranges were written, for the finding's "why". */
  readonly rangeText: string;
  /**
   * The GIT ranges as written ("GIT https://repo: introduced abc, fixed def"), empty when none. They
   * name commits, which an inventory does not have: matching reports them as "cannot compare".
   */
  readonly gitRangeText: string;
}

export interface OsvRecord {
  readonly id: string;
  readonly modified: string;
  readonly withdrawn: boolean;
  readonly aliases: readonly string[];
  readonly summary: string | undefined;
  /** `nomenclature` for a v4.0 score (computed over the whole vector: CVSS-B, -BT, -BE or -BTE). */
  readonly cvss: { readonly version: string; readonly vector: string; readonly baseScore: number | undefined; readonly nomenclature?: string | undefined } | undefined;
  readonly databaseSeverity: string | undefined;
  readonly affected: readonly OsvAffected[];
}

type Ev = z.infer<typeof event>;

/** OSV's evaluation: each "introduced" opens an interval that the next fixed/last_affected closes. */
export function eventsToRanges(events: readonly Ev[]): VersionRange[] {
  const points: Array<{ kind: 'introduced' | 'fixed' | 'last_affected'; v: string }> = [];
  for (const e of events) {
    if ('introduced' in e) points.push({ kind: 'introduced', v: e.introduced });
    else if ('fixed' in e) points.push({ kind: 'fixed', v: e.fixed });
    else if ('last_affected' in e) points.push({ kind: 'last_affected', v: e.last_affected });
  }
  const key = (v: string) => (v === '0' ? '' : v);
  points.sort((a, b) => {
    if (key(a.v) === '' || key(b.v) === '') return key(a.v) === key(b.v) ? 0 : key(a.v) === '' ? -1 : 1;
    const c = compareVersions(a.v, b.v);
    return c === 'incomparable' ? 0 : c;
  });
  const out: VersionRange[] = [];
  let open: string | undefined;
  for (const p of points) {
    if (p.kind === 'introduced') {
      if (open === undefined) open = p.v;
      continue;
    }
    if (open === undefined) continue;
    const start = open === '0' ? {} : { startIncluding: open };
    out.push({ ...start, ...(p.kind === 'fixed' ? { endExcluding: p.v } : { endIncluding: p.v }) });
    open = undefined;
  }
  if (open !== undefined) out.push(open === '0' ? {} : { startIncluding: open });
  return out;
}

function eventText(events: readonly Ev[]): string {
  return events.map((e) => Object.entries(e).map(([k, v]) => `${k} ${v}`).join('')).join(', ');
}

function toRecord(r: RawOsv): OsvRecord {
  const v3 = r.severity?.find((s) => s.type === 'CVSS_V3');
  const v4 = r.severity?.find((s) => s.type === 'CVSS_V4');
  const v3Score = v3 !== undefined ? cvss3BaseScore(v3.score) : undefined;
  const v4Score = v4 !== undefined ? cvss4BaseScore(v4.score) : undefined;
  // With both, the v3 score stays the one used (as before v4 was scored), so a record's risk does not
  // move when its advisory gains a v4 vector; v4 is used when it is the only vector that scores.
  const useV4 = v4 !== undefined && (v3 === undefined || (v3Score === undefined && v4Score !== undefined));
  const cvss: OsvRecord['cvss'] = useV4
    ? { version: '4.0', vector: v4.score, baseScore: v4Score, ...(v4Score !== undefined ? { nomenclature: cvss4Nomenclature(v4.score) } : {}) }
    : v3 !== undefined ? { version: v3.score.startsWith('CVSS:3.0') ? '3.0' : '3.1', vector: v3.score, baseScore: v3Score } : undefined;
  return {
    id: r.id,
    modified: r.modified,
    withdrawn: r.withdrawn !== undefined,
    aliases: r.aliases ?? [],
    summary: r.summary,
    cvss,
    databaseSeverity: r.database_specific?.severity,
    affected: (r.affected ?? []).filter((a) => a.package !== undefined).map((a) => {
      const semver = (a.ranges ?? []).filter((x) => x.type !== 'GIT');
      const git = (a.ranges ?? []).filter((x) => x.type === 'GIT');
      return {
        ecosystem: a.package!.ecosystem,
        name: a.package!.name,
        purl: a.package!.purl,
        ranges: semver.flatMap((x) => eventsToRanges(x.events)),
        versions: a.versions ?? [],
        rangeText: semver.map((x) => `${x.type}: ${eventText(x.events)}`).join('; '),
        gitRangeText: git.map((x) => `GIT${x.repo !== undefined ? ` ${x.repo}` : ''}: ${eventText(x.events)}`).join('; '),
      };
    }),
  };
}

/** Checks one raw record (used by the store when it reads records back). */
export function parseOsvRecord(json: unknown, at: readonly PropertyKey[] = []): FeedResult<OsvRecord> {
  const r = osvSchema.safeParse(json);
  if (!r.success) return { ok: false, error: formatIssues(r.error, json, at) };
  for (const [i, a] of (r.data.affected ?? []).entries()) {
    if (a.package?.purl !== undefined) {
      const p = parsePurl(a.package.purl);
      if (!p.ok) return { ok: false, error: `${[...at].map((x) => (typeof x === 'number' ? `[${x}]` : String(x))).join('')}${at.length > 0 ? '.' : ''}affected[${i}].package.purl: ${p.error}` };
    }
  }
  return { ok: true, value: toRecord(r.data) };
}

/** The raw records of an OSV file (object, array or `{ vulns }`), each validated. */
export function parseOsv(json: unknown): FeedResult<ReadonlyArray<{ readonly record: OsvRecord; readonly raw: unknown }>> {
  let list: unknown[];
  let prefix: (i: number) => PropertyKey[];
  if (Array.isArray(json)) {
    list = json;
    prefix = (i) => [i];
  } else if (json !== null && typeof json === 'object' && Array.isArray((json as { vulns?: unknown }).vulns)) {
    list = (json as { vulns: unknown[] }).vulns;
    prefix = (i) => ['vulns', i];
  } else {
    list = [json];
    prefix = () => [];
  }
  const out: Array<{ record: OsvRecord; raw: unknown }> = [];
  for (const [i, raw] of list.entries()) {
    const r = parseOsvRecord(raw, prefix(i));
    if (!r.ok) return r;
    out.push({ record: r.value, raw });
  }
  return { ok: true, value: out };
}

export function parseOsvText(text: string): FeedResult<ReadonlyArray<{ readonly record: OsvRecord; readonly raw: unknown }>> {
  const j = parseJsonText(text, 'the OSV file');
  return j.ok ? parseOsv(j.value) : j;
}
