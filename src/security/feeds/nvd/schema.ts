// zod schema of the NVD CVE JSON 2.0 shape (only the parts Wardwatch uses; unknown keys are
// ignored) with messages that say what was expected; parse.ts maps it to our record type.

import { z } from 'zod';
import { parseCpe } from '../../cpe/cpe.ts';
import type { Cpe } from '../../cpe/cpe.ts';
import { describeValue } from '../result.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, { error: (i) => `expected an ISO date-time, got ${describeValue(i.input)}` });

export const cveId = z.string().regex(/^CVE-\d{4}-\d{4,}$/, { error: (i) => `expected a CVE id like CVE-2022-2119, got ${describeValue(i.input)}` });

/** A CPE 2.3 string, parsed once here so matching never parses again. */
const cpeCriteria = z.unknown().transform((v, ctx): { readonly text: string; readonly cpe: Cpe } => {
  if (typeof v !== 'string') {
    ctx.issues.push({ code: 'custom', message: `expected a CPE 2.3 string, got ${describeValue(v)}`, input: v });
    return z.NEVER;
  }
  const r = parseCpe(v);
  if (!r.ok) {
    ctx.issues.push({ code: 'custom', message: `expected a CPE 2.3 string, got ${r.error}`, input: v });
    return z.NEVER;
  }
  return { text: v, cpe: r.cpe };
});

const cpeMatch = z.object({
  vulnerable: z.boolean(),
  criteria: cpeCriteria,
  matchCriteriaId: z.string().optional(),
  versionStartIncluding: z.string().optional(),
  versionStartExcluding: z.string().optional(),
  versionEndIncluding: z.string().optional(),
  versionEndExcluding: z.string().optional(),
});

const operator = z.enum(['AND', 'OR']);

const node = z.object({
  operator,
  negate: z.boolean().optional(),
  cpeMatch: z.array(cpeMatch),
});

const configuration = z.object({
  operator: operator.optional(),
  negate: z.boolean().optional(),
  nodes: z.array(node),
});

const scoreMsg = { error: (i: { input?: unknown }) => `expected a CVSS score from 0 to 10, got ${describeValue(i.input)}` };
const score = z.number().min(0, scoreMsg).max(10, scoreMsg);

const metricType = z.enum(['Primary', 'Secondary']);

const cvss3Data = z.object({ version: z.string(), vectorString: z.string(), baseScore: score, baseSeverity: z.string() });

const metrics = z.object({
  cvssMetricV40: z.array(z.object({ source: z.string(), type: metricType, cvssData: cvss3Data })).optional(),
  cvssMetricV31: z.array(z.object({ source: z.string(), type: metricType, cvssData: cvss3Data })).optional(),
  cvssMetricV30: z.array(z.object({ source: z.string(), type: metricType, cvssData: cvss3Data })).optional(),
  cvssMetricV2: z.array(z.object({
    source: z.string(), type: metricType, baseSeverity: z.string().optional(),
    cvssData: z.object({ version: z.string(), vectorString: z.string(), baseScore: score }),
  })).optional(),
});

const langString = z.object({ lang: z.string(), value: z.string() });

export const cveSchema = z.object({
  id: cveId,
  sourceIdentifier: z.string().optional(),
  published: isoDate,
  lastModified: isoDate,
  vulnStatus: z.string().optional(),
  descriptions: z.array(langString),
  metrics: metrics.optional(),
  weaknesses: z.array(z.object({ source: z.string(), type: z.string(), description: z.array(langString) })).optional(),
  configurations: z.array(configuration).optional(),
});

export type RawCve = z.infer<typeof cveSchema>;

export const bulkSchema = z.object({ vulnerabilities: z.array(z.object({ cve: cveSchema })) });
