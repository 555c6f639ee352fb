// zod schema of the parts of a CSAF 2.0 document Wardwatch uses (product tree, vulnerabilities
// with product_status, scores, remediations, flags); other keys are ignored.

import { z } from 'zod';
import { describeValue } from '../result.ts';

const helper = z.object({
  cpe: z.string().optional(),
  purl: z.string().optional(),
  model_numbers: z.array(z.string()).optional(),
  skus: z.array(z.string()).optional(),
}).loose();

export const fullProductName = z.object({
  name: z.string(),
  product_id: z.string().min(1),
  product_identification_helper: helper.optional(),
});

export interface RawBranch {
  category: string;
  name: string;
  branches?: RawBranch[] | undefined;
  product?: z.infer<typeof fullProductName> | undefined;
}

export const branch: z.ZodType<RawBranch> = z.lazy(() => z.object({
  category: z.string(),
  name: z.string(),
  branches: z.array(branch).optional(),
  product: fullProductName.optional(),
}));

const ids = z.array(z.string()).optional();

const score = z.object({
  products: z.array(z.string()),
  cvss_v3: z.object({ baseScore: z.number().min(0).max(10), vectorString: z.string(), baseSeverity: z.string().optional() }).loose().optional(),
  cvss_v2: z.object({ baseScore: z.number().min(0).max(10), vectorString: z.string() }).loose().optional(),
  // CSAF 2.1's CVSS v4.0 object; some 2.0 producers already send it. Its baseScore may be left out:
  // then it is computed from the vector.
  cvss_v4: z.object({ baseScore: z.number().min(0).max(10).optional(), vectorString: z.string() }).loose().optional(),
});

export const csafSchema = z.object({
  document: z.object({
    category: z.string(),
    csaf_version: z.literal('2.0', { error: (i) => `expected "2.0", got ${describeValue(i.input)}` }),
    title: z.string(),
    publisher: z.object({ name: z.string(), category: z.string().optional(), namespace: z.string().optional() }),
    tracking: z.object({
      id: z.string().min(1),
      current_release_date: z.string().regex(/^\d{4}-\d{2}-\d{2}T/, { error: (i) => `expected an ISO date-time, got ${describeValue(i.input)}` }),
      initial_release_date: z.string().optional(),
      status: z.string().optional(),
      version: z.string().optional(),
    }),
  }),
  product_tree: z.object({
    branches: z.array(branch).optional(),
    full_product_names: z.array(fullProductName).optional(),
    relationships: z.array(z.object({
      category: z.string(),
      product_reference: z.string(),
      relates_to_product_reference: z.string(),
      full_product_name: fullProductName,
    })).optional(),
    product_groups: z.array(z.object({ group_id: z.string(), product_ids: z.array(z.string()) })).optional(),
  }).optional(),
  vulnerabilities: z.array(z.object({
    cve: z.string().regex(/^CVE-\d{4}-\d{4,}$/, { error: (i) => `expected a CVE id like CVE-2022-2119, got ${describeValue(i.input)}` }).optional(),
    ids: z.array(z.object({ system_name: z.string(), text: z.string() })).optional(),
    title: z.string().optional(),
    product_status: z.object({
      known_affected: ids, first_affected: ids, last_affected: ids, fixed: ids, first_fixed: ids,
      known_not_affected: ids, recommended: ids, under_investigation: ids,
    }).optional(),
    remediations: z.array(z.object({
      category: z.enum(['mitigation', 'no_fix_planned', 'none_available', 'vendor_fix', 'workaround', 'fix_planned', 'optional_patch']),
      details: z.string(),
      product_ids: ids,
      group_ids: ids,
      url: z.string().optional(),
    })).optional(),
    scores: z.array(score).optional(),
    flags: z.array(z.object({ label: z.string(), product_ids: ids, group_ids: ids })).optional(),
    threats: z.array(z.object({ category: z.string(), details: z.string(), product_ids: ids })).optional(),
    notes: z.array(z.object({ category: z.string(), text: z.string(), title: z.string().optional() })).optional(),
  })).optional(),
});

export type RawCsaf = z.infer<typeof csafSchema>;
