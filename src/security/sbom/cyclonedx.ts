// CycloneDX JSON 1.4–1.6 reader: components (nested too) with purl, CPE, supplier, hashes,
// dependency graph, lifecycles and the end-of-support / level-of-support properties. Every
// problem is reported with its JSON path; nothing is returned unless the whole document reads.

import { z } from 'zod';
import { parseCpe, plainText } from '../cpe/cpe.ts';
import type { InventoryComponent } from '../inventory/model.ts';
import { ntiaReport } from '../inventory/model.ts';
import { parsePurl } from '../purl/purl.ts';
import { describeValue, formatIssues } from '../feeds/result.ts';
import type { FeedResult } from '../feeds/result.ts';
import { DATE, supportFromProperties } from './types.ts';
import type { ParsedSbom } from './types.ts';

const property = z.object({ name: z.string(), value: z.string().optional() });
const org = z.object({ name: z.string().optional() });

interface RawComponent {
  type: string;
  'bom-ref'?: string | undefined;
  name: string;
  group?: string | undefined;
  version?: string | undefined;
  supplier?: { name?: string | undefined } | undefined;
  manufacturer?: { name?: string | undefined } | undefined;
  publisher?: string | undefined;
  author?: string | undefined;
  purl?: string | undefined;
  cpe?: string | undefined;
  hashes?: Array<{ alg: string; content: string }> | undefined;
  properties?: Array<{ name: string; value?: string | undefined }> | undefined;
  components?: RawComponent[] | undefined;
}

const component: z.ZodType<RawComponent> = z.lazy(() => z.object({
  type: z.string(),
  'bom-ref': z.string().min(1).optional(),
  name: z.string().min(1, { error: 'a component needs a name' }),
  group: z.string().optional(),
  version: z.string().optional(),
  supplier: org.optional(),
  manufacturer: org.optional(),
  publisher: z.string().optional(),
  author: z.string().optional(),
  purl: z.string().optional(),
  cpe: z.string().optional(),
  hashes: z.array(z.object({ alg: z.string(), content: z.string() })).optional(),
  properties: z.array(property).optional(),
  components: z.array(component).optional(),
}));

const lifecycle = z.union([z.object({ phase: z.string() }), z.object({ name: z.string() })]);

const bom = z.object({
  bomFormat: z.literal('CycloneDX', { error: (i) => `expected "CycloneDX", got ${describeValue(i.input)}` }),
  specVersion: z.enum(['1.4', '1.5', '1.6']),
  serialNumber: z.string().optional(),
  metadata: z.object({
    timestamp: z.string().optional(),
    authors: z.array(z.object({ name: z.string().optional() })).optional(),
    manufacturer: org.optional(),
    manufacture: org.optional(),
    supplier: org.optional(),
    tools: z.unknown().optional(),
    lifecycles: z.array(lifecycle).optional(),
    component: component.optional(),
    properties: z.array(property).optional(),
  }).optional(),
  components: z.array(component).optional(),
  dependencies: z.array(z.object({ ref: z.string(), dependsOn: z.array(z.string()).optional() })).optional(),
});

type Bom = z.infer<typeof bom>;

/** Parses a decoded CycloneDX JSON document. */
export function parseCycloneDx(json: unknown): FeedResult<ParsedSbom> {
  const r = bom.safeParse(json);
  if (!r.success) return { ok: false, error: formatIssues(r.error, json) };
  const doc: Bom = r.data;
  const flat: Array<{ c: RawComponent; path: string }> = [];
  const walk = (list: readonly RawComponent[] | undefined, path: string): void => {
    list?.forEach((c, i) => {
      flat.push({ c, path: `${path}[${i}]` });
      walk(c.components, `${path}[${i}].components`);
    });
  };
  if (doc.metadata?.component) flat.push({ c: doc.metadata.component, path: 'metadata.component' });
  walk(doc.components, 'components');
  const ids = new Map<string, string>();
  const out: Array<Omit<InventoryComponent, 'dependsOn'> & { path: string }> = [];
  for (const { c, path } of flat) {
    const id = c['bom-ref'] ?? `${path}`;
    if (ids.has(id)) return { ok: false, error: `${path}.bom-ref: "${id}" is used twice (also at ${ids.get(id) ?? '?'})` };
    ids.set(id, path);
    let vendor: string | undefined;
    if (c.cpe !== undefined) {
      const cp = parseCpe(c.cpe);
      if (!cp.ok) return { ok: false, error: `${path}.cpe: ${cp.error}` };
      vendor = plainText(cp.cpe.vendor);
    }
    if (c.purl !== undefined) {
      const pp = parsePurl(c.purl);
      if (!pp.ok) return { ok: false, error: `${path}.purl: ${pp.error}` };
    }
    const eos = supportFromProperties(c.properties ?? []);
    if (eos.endOfSupport !== undefined && !DATE.test(eos.endOfSupport)) return { ok: false, error: `${path}.properties: end-of-support date must look like 2027-12-31, got ${describeValue(eos.endOfSupport)}` };
    out.push({
      id, path,
      name: c.group ? `${c.group}/${c.name}` : c.name,
      version: c.version || undefined,
      supplier: c.supplier?.name ?? c.manufacturer?.name ?? c.publisher ?? c.author,
      vendor, purl: c.purl, cpe: c.cpe,
      hashes: (c.hashes ?? []).map((h) => `${h.alg}:${h.content}`),
      ...eos,
    });
  }
  const deps = new Map<string, string[]>();
  for (const [i, d] of (doc.dependencies ?? []).entries()) {
    if (!ids.has(d.ref)) return { ok: false, error: `dependencies[${i}].ref: no component has the bom-ref "${d.ref}"` };
    for (const [j, t] of (d.dependsOn ?? []).entries()) {
      if (!ids.has(t)) return { ok: false, error: `dependencies[${i}].dependsOn[${j}]: no component has the bom-ref "${t}"` };
    }
    deps.set(d.ref, [...(deps.get(d.ref) ?? []), ...(d.dependsOn ?? [])]);
  }
  const components: InventoryComponent[] = out.map(({ path: _p, ...c }) => ({ ...c, dependsOn: deps.get(c.id) ?? [] }));
  const m = doc.metadata;
  const author = m?.authors?.map((a) => a.name).filter((n) => n !== undefined).join(', ') || m?.manufacturer?.name || m?.manufacture?.name || m?.supplier?.name || undefined;
  const source = {
    format: 'cyclonedx' as const,
    specVersion: doc.specVersion,
    serial: doc.serialNumber,
    author,
    timestamp: m?.timestamp,
    lifecycles: (m?.lifecycles ?? []).map((l) => ('phase' in l ? l.phase : l.name)),
  };
  const mc = m?.component;
  return {
    ok: true,
    value: {
      source,
      subject: mc ? { name: mc.name, version: mc.version, supplier: mc.supplier?.name ?? mc.manufacturer?.name ?? m.manufacturer?.name ?? m.manufacture?.name } : undefined,
      components,
      ntia: ntiaReport(components, source),
    },
  };
}
