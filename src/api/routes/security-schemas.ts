// What the security routes answer, as zod schemas: documentation only (the OpenAPI document's
// success responses, like ./schemas.ts), never used to check an answer at run time. They follow the
// security part's types (../../security/store.ts, inventory/model.ts, service/service.ts).

import { z } from 'zod';
import { REMEDIATION_CATEGORIES } from '../../security/feeds/csaf/csaf.ts';
import { SEVERITIES } from '../../security/report/report.ts';
import { ANALYSIS_STATES, JUSTIFICATIONS, RESPONSES } from '../../security/store.ts';

const epochMs = z.number().int().describe('Epoch milliseconds');
const FEED_KINDS = ['nvd', 'kev', 'osv', 'csaf'] as const;

export const scanSummarySchema = z
  .object({
    findings: z.number().int(),
    open: z.number().int(),
    added: z.number().int(),
    resolved: z.number().int(),
    notified: z.number().int().describe('Findings handed to alerting'),
    problems: z.array(z.string()).describe('Records or inventories the matcher could not use, in words'),
  })
  .meta({ id: 'SecurityScan', description: 'What a rescan of every inventory against the feeds found' });

const componentSchema = z
  .object({
    id: z.string().describe('bom-ref, SPDXID or a given id; unique within its inventory'),
    name: z.string(),
    version: z.string().optional(),
    supplier: z.string().optional(),
    vendor: z.string().optional().describe('The CPE vendor name'),
    purl: z.string().optional(),
    cpe: z.string().optional(),
    hashes: z.array(z.string()).optional(),
    dependsOn: z.array(z.string()),
    endOfSupport: z.string().optional().describe('YYYY-MM-DD, as the manufacturer states it'),
    levelOfSupport: z.string().optional(),
  })
  .meta({ id: 'InventoryComponent' });

const sbomSourceSchema = z.object({
  format: z.enum(['cyclonedx', 'spdx']),
  specVersion: z.string(),
  serial: z.string().optional(),
  author: z.string().optional(),
  timestamp: z.string().optional(),
  lifecycles: z.array(z.string()),
}).describe('The SBOM the components came from');

export const deviceInventorySchema = z
  .object({
    deviceId: z.string(),
    manufacturer: z.string().optional(),
    model: z.string().optional().describe('A model inventory whose components the device also runs'),
    version: z.string().optional(),
    components: z.array(componentSchema),
    sbom: sbomSourceSchema.optional(),
  })
  .meta({ id: 'DeviceInventory' });

export const modelInventorySchema = z
  .object({
    name: z.string(),
    manufacturer: z.string().optional(),
    version: z.string().optional(),
    components: z.array(componentSchema),
    sbom: sbomSourceSchema.optional(),
  })
  .meta({ id: 'ModelInventory' });

const analysisSchema = z.object({
  state: z.enum(ANALYSIS_STATES),
  justification: z.enum(JUSTIFICATIONS).optional(),
  responses: z.array(z.enum(RESPONSES)),
  detail: z.string().optional(),
  by: z.string().describe('A user’s name, or "vex:<document>" for an imported statement'),
  at: epochMs,
});

export const findingSchema = z
  .object({
    id: z.string().describe('Stable: subject + component + vulnerability'),
    subject: z.string().describe('The device id, or "model:<name>" for a model without devices'),
    deviceId: z.string().optional(),
    model: z.string().optional(),
    componentId: z.string(),
    componentName: z.string(),
    componentVersion: z.string().optional(),
    componentPurl: z.string().optional(),
    vulnId: z.string(),
    aliases: z.array(z.string()),
    title: z.string().optional(),
    status: z.enum(['affected', 'possible']),
    reasons: z.array(z.string()),
    why: z.array(z.object({
      rule: z.enum(['cpe', 'purl', 'osv', 'csaf']),
      source: z.string(),
      criteria: z.string(),
      range: z.string(),
      nodePath: z.string().optional(),
      requires: z.array(z.string()).optional(),
    })).describe('Which feed rule matched which component, and why'),
    kev: z.object({ dateAdded: z.string(), dueDate: z.string(), ransomware: z.boolean() }).optional(),
    cvss: z.object({ version: z.string(), baseScore: z.number(), vector: z.string().optional(), source: z.string().optional() }).optional(),
    remediations: z.array(z.object({ category: z.enum(REMEDIATION_CATEGORIES), details: z.string(), url: z.string().optional(), productIds: z.array(z.string()) })),
    risk: z.object({
      score: z.number(),
      severity: z.enum(SEVERITIES),
      factors: z.array(z.object({ factor: z.string(), detail: z.string(), contribution: z.number() })),
    }).describe('The explainable risk score: CVSS and what raised or lowered it'),
    runbook: z.object({ type: z.string(), steps: z.array(z.string()) }),
    firstSeen: epochMs,
    lastSeen: epochMs,
    resolvedAt: epochMs.optional(),
    open: z.boolean(),
    analysis: analysisSchema.optional(),
  })
  .meta({ id: 'Finding' });

const upsertCounts = z.object({ inserted: z.number().int(), updated: z.number().int(), unchanged: z.number().int() });

export const feedImportSchema = z
  .object({
    files: z.array(z.object({ file: z.string(), kind: z.enum(FEED_KINDS), records: z.number().int() })),
    vulns: upsertCounts,
    kev: upsertCounts,
    scan: scanSummarySchema,
  })
  .meta({ id: 'FeedImport' });

const progressSchema = z.object({
  phase: z.enum(['read', 'store', 'match']),
  file: z.string().optional(),
  kind: z.enum(FEED_KINDS).optional(),
  records: z.number().int(),
  matched: z.number().int().optional(),
  elapsedMs: z.number(),
  startedAt: epochMs,
});

export const feedImportStatusSchema = z
  .object({
    running: progressSchema.nullable().describe('The import in progress on this server, if any'),
    last: feedImportSchema.extend({ finishedAt: epochMs }).nullable().describe('The last import through this server since it started'),
  })
  .meta({ id: 'FeedImportStatus' });

export const sbomImportSchema = z
  .object({
    components: z.number().int(),
    ntia: z.object({
      document: z.array(z.enum(['author', 'timestamp'])),
      components: z.array(z.object({ componentId: z.string(), missing: z.array(z.enum(['supplier', 'name', 'version', 'unique identifier', 'dependency relationship'])) })),
    }).describe('NTIA minimum elements the SBOM lacks'),
    scan: scanSummarySchema,
  })
  .meta({ id: 'SbomImport' });

export const vexImportSchema = z
  .object({ format: z.enum(['cyclonedx', 'csaf']), document: z.string(), applied: z.number().int(), unmatched: z.array(z.string()) })
  .meta({ id: 'VexImport' });

export const reportRowSchema = z
  .object({
    scope: z.enum(['device', 'clinical-system']),
    key: z.string().describe('Device id (or "model:<name>"), or the clinical system'),
    open: z.number().int(),
    openBySeverity: z.object(Object.fromEntries(SEVERITIES.map((s) => [s, z.number().int()])) as Record<(typeof SEVERITIES)[number], z.ZodNumber>),
    openKev: z.number().int(),
    endOfSupport: z.array(z.string()).describe('"name version" of components past their end of support'),
    findings: z.number().int(),
    resolved: z.number().int(),
    resolvedShare: z.number().nullable(),
    medianDaysToResolve: z.number().nullable(),
  })
  .meta({ id: 'SecurityReportRow' });
