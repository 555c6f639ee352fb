// SPDX 2.3 JSON reader: packages with purl / CPE external references, supplier, checksums,
// validUntilDate (end of support), "level of support" annotations and the DEPENDS_ON / CONTAINS
// relationships. Errors name the JSON path; nothing is returned unless the whole document reads.

import { z } from 'zod';
import { parseCpe, plainText } from '../cpe/cpe.ts';
import type { InventoryComponent } from '../inventory/model.ts';
import { ntiaReport } from '../inventory/model.ts';
import { parsePurl } from '../purl/purl.ts';
import { describeValue, formatIssues } from '../feeds/result.ts';
import type { FeedResult } from '../feeds/result.ts';
import { supportFromProperties } from './types.ts';
import type { ParsedSbom } from './types.ts';

const pkg = z.object({
  SPDXID: z.string().regex(/^SPDXRef-[A-Za-z0-9.-]+$/, { error: (i) => `expected an SPDX id like SPDXRef-Package-1, got ${describeValue(i.input)}` }),
  name: z.string().min(1, { error: 'a package needs a name' }),
  versionInfo: z.string().optional(),
  supplier: z.string().optional(),
  originator: z.string().optional(),
  externalRefs: z.array(z.object({ referenceCategory: z.string(), referenceType: z.string(), referenceLocator: z.string() })).optional(),
  checksums: z.array(z.object({ algorithm: z.string(), checksumValue: z.string() })).optional(),
  validUntilDate: z.string().regex(/^\d{4}-\d{2}-\d{2}/, { error: (i) => `expected a date-time like 2027-12-31T00:00:00Z, got ${describeValue(i.input)}` }).optional(),
  annotations: z.array(z.object({ comment: z.string() })).optional(),
  comment: z.string().optional(),
});

const doc = z.object({
  spdxVersion: z.literal('SPDX-2.3', { error: (i) => `expected "SPDX-2.3", got ${describeValue(i.input)}` }),
  SPDXID: z.string(),
  name: z.string().optional(),
  documentNamespace: z.string().optional(),
  creationInfo: z.object({ created: z.string(), creators: z.array(z.string()) }),
  packages: z.array(pkg).optional(),
  relationships: z.array(z.object({ spdxElementId: z.string(), relationshipType: z.string(), relatedSpdxElement: z.string() })).optional(),
});

/** "Organization: OFFIS e.V. (x@y)" → "OFFIS e.V."; NOASSERTION → undefined. */
function actor(s: string | undefined): string | undefined {
  if (s === undefined || s === 'NOASSERTION' || s === '') return undefined;
  return s.replace(/^(Organization|Person|Tool):\s*/, '').replace(/\s*\([^)]*\)\s*$/, '').trim() || undefined;
}

/** Annotations written as "levelOfSupport: ..." / "end-of-support: ..." lines. */
function annotationProps(comments: readonly string[]): Array<{ name: string; value: string }> {
  const out: Array<{ name: string; value: string }> = [];
  for (const c of comments) {
    const m = /^\s*([A-Za-z][A-Za-z _-]*)\s*[:=]\s*(.+?)\s*$/.exec(c);
    if (m) out.push({ name: m[1] as string, value: m[2] as string });
  }
  return out;
}

export function parseSpdx(json: unknown): FeedResult<ParsedSbom> {
  const r = doc.safeParse(json);
  if (!r.success) return { ok: false, error: formatIssues(r.error, json) };
  const d = r.data;
  const packages = d.packages ?? [];
  const index = new Map<string, number>();
  for (const [i, p] of packages.entries()) {
    if (index.has(p.SPDXID)) return { ok: false, error: `packages[${i}].SPDXID: "${p.SPDXID}" is used twice` };
    index.set(p.SPDXID, i);
  }
  const deps = new Map<string, string[]>();
  const describes: string[] = [];
  const link = (from: string, to: string) => deps.set(from, [...(deps.get(from) ?? []), to]);
  for (const [i, rel] of (d.relationships ?? []).entries()) {
    const known = (id: string) => index.has(id) || id === d.SPDXID || id.startsWith('DocumentRef-') || id === 'NOASSERTION' || id === 'NONE';
    if (!known(rel.spdxElementId)) return { ok: false, error: `relationships[${i}].spdxElementId: no package has the SPDXID "${rel.spdxElementId}"` };
    if (!known(rel.relatedSpdxElement)) return { ok: false, error: `relationships[${i}].relatedSpdxElement: no package has the SPDXID "${rel.relatedSpdxElement}"` };
    const a = rel.spdxElementId;
    const b = rel.relatedSpdxElement;
    if (!index.has(a) || !index.has(b)) {
      if (rel.relationshipType === 'DESCRIBES' && index.has(b)) describes.push(b);
      continue;
    }
    if (['DEPENDS_ON', 'CONTAINS', 'STATIC_LINK', 'DYNAMIC_LINK', 'HAS_PREREQUISITE'].includes(rel.relationshipType)) link(a, b);
    else if (['DEPENDENCY_OF', 'CONTAINED_BY', 'PREREQUISITE_FOR'].includes(rel.relationshipType)) link(b, a);
  }
  const components: InventoryComponent[] = [];
  for (const [i, p] of packages.entries()) {
    let purl: string | undefined;
    let cpe: string | undefined;
    let vendor: string | undefined;
    for (const [j, ref] of (p.externalRefs ?? []).entries()) {
      const where = `packages[${i}].externalRefs[${j}].referenceLocator`;
      if (ref.referenceType === 'purl') {
        const pp = parsePurl(ref.referenceLocator);
        if (!pp.ok) return { ok: false, error: `${where}: ${pp.error}` };
        purl ??= ref.referenceLocator;
      } else if (ref.referenceType === 'cpe23Type') {
        const cp = parseCpe(ref.referenceLocator);
        if (!cp.ok) return { ok: false, error: `${where}: ${cp.error}` };
        cpe ??= ref.referenceLocator;
        vendor ??= plainText(cp.cpe.vendor);
      }
    }
    const props = annotationProps([...(p.annotations ?? []).map((a) => a.comment), ...(p.comment !== undefined ? [p.comment] : [])]);
    const support = supportFromProperties(props);
    components.push({
      id: p.SPDXID,
      name: p.name,
      version: p.versionInfo || undefined,
      supplier: actor(p.supplier) ?? actor(p.originator),
      vendor, purl, cpe,
      hashes: (p.checksums ?? []).map((c) => `${c.algorithm}:${c.checksumValue}`),
      dependsOn: deps.get(p.SPDXID) ?? [],
      ...support,
      ...(p.validUntilDate !== undefined ? { endOfSupport: p.validUntilDate.slice(0, 10) } : {}),
    });
  }
  const creators = d.creationInfo.creators.filter((c) => !c.startsWith('Tool:')).map(actor).filter((c) => c !== undefined);
  const source = { format: 'spdx' as const, specVersion: '2.3', serial: d.documentNamespace, author: creators.join(', ') || undefined, timestamp: d.creationInfo.created, lifecycles: [] };
  const main = describes[0] !== undefined ? components.find((c) => c.id === describes[0]) : undefined;
  return {
    ok: true,
    value: { source, subject: main ? { name: main.name, version: main.version, supplier: main.supplier } : undefined, components, ntia: ntiaReport(components, source) },
  };
}
