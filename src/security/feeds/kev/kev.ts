// CISA Known Exploited Vulnerabilities catalog import: validates the whole catalog JSON, then
// maps it to KevEntry keyed by CVE id. All or nothing, like the NVD import.

import { z } from 'zod';
import { cveId } from '../nvd/schema.ts';
import { describeValue, formatIssues, parseJsonText } from '../result.ts';
import type { FeedResult } from '../result.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: (i) => `expected a date like 2022-06-30, got ${describeValue(i.input)}` });

const entry = z.object({
  cveID: cveId,
  vendorProject: z.string(),
  product: z.string(),
  vulnerabilityName: z.string().optional(),
  dateAdded: day,
  shortDescription: z.string().optional(),
  requiredAction: z.string(),
  dueDate: day,
  knownRansomwareCampaignUse: z.enum(['Known', 'Unknown']).optional(),
  notes: z.string().optional(),
  cwes: z.array(z.string()).optional(),
});

const catalog = z.object({
  title: z.string().optional(),
  catalogVersion: z.string().optional(),
  dateReleased: z.string().optional(),
  vulnerabilities: z.array(entry),
});

export interface KevEntry {
  readonly cveId: string;
  readonly vendorProject: string;
  readonly product: string;
  readonly name: string | undefined;
  readonly dateAdded: string;
  readonly dueDate: string;
  /** CISA's knownRansomwareCampaignUse === 'Known'. */
  readonly ransomware: boolean;
  readonly requiredAction: string;
  readonly notes: string | undefined;
}

export interface KevCatalog {
  readonly version: string | undefined;
  readonly released: string | undefined;
  readonly entries: ReadonlyMap<string, KevEntry>;
}

export function parseKev(json: unknown): FeedResult<KevCatalog> {
  const r = catalog.safeParse(json);
  if (!r.success) return { ok: false, error: formatIssues(r.error, json) };
  const entries = new Map<string, KevEntry>();
  for (const e of r.data.vulnerabilities) {
    entries.set(e.cveID, {
      cveId: e.cveID, vendorProject: e.vendorProject, product: e.product, name: e.vulnerabilityName,
      dateAdded: e.dateAdded, dueDate: e.dueDate, ransomware: e.knownRansomwareCampaignUse === 'Known',
      requiredAction: e.requiredAction, notes: e.notes,
    });
  }
  return { ok: true, value: { version: r.data.catalogVersion, released: r.data.dateReleased, entries } };
}

export function parseKevText(text: string): FeedResult<KevCatalog> {
  const j = parseJsonText(text, 'the KEV catalog');
  return j.ok ? parseKev(j.value) : j;
}
