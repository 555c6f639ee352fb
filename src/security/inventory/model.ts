// The software inventory Wardwatch keeps per device and per model: what runs on a device, from
// an SBOM or entered by hand. Plain data, stored as JSON by the security store module.

export interface InventoryComponent {
  /** bom-ref, SPDXID or a given id; unique within its inventory. */
  readonly id: string;
  readonly name: string;
  readonly version?: string | undefined;
  /** Who supplies it (CycloneDX supplier/publisher, SPDX supplier). */
  readonly supplier?: string | undefined;
  /** The CPE vendor name, when known (from the CPE, or given by hand). */
  readonly vendor?: string | undefined;
  readonly purl?: string | undefined;
  readonly cpe?: string | undefined;
  readonly hashes?: readonly string[] | undefined;
  /** Ids of the components this one depends on. */
  readonly dependsOn: readonly string[];
  /** End-of-support date (YYYY-MM-DD) as the manufacturer states it. */
  readonly endOfSupport?: string | undefined;
  /** Level of support as the manufacturer states it ("actively maintained", "no longer supported"...). */
  readonly levelOfSupport?: string | undefined;
}

export interface SbomSource {
  readonly format: 'cyclonedx' | 'spdx';
  readonly specVersion: string;
  readonly serial?: string | undefined;
  readonly author?: string | undefined;
  readonly timestamp?: string | undefined;
  /** CycloneDX metadata.lifecycles phases (design, build, operations...). */
  readonly lifecycles: readonly string[];
}

export interface DeviceInventory {
  /** The tree's device node id. */
  readonly deviceId: string;
  readonly manufacturer?: string | undefined;
  /** Name of a ModelInventory whose components this device also runs. */
  readonly model?: string | undefined;
  readonly version?: string | undefined;
  readonly components: readonly InventoryComponent[];
  readonly sbom?: SbomSource | undefined;
}

export interface ModelInventory {
  readonly name: string;
  readonly manufacturer?: string | undefined;
  readonly version?: string | undefined;
  readonly components: readonly InventoryComponent[];
  readonly sbom?: SbomSource | undefined;
}

/** The NTIA minimum elements a component can miss (document-level ones are reported once). */
export type NtiaElement = 'supplier' | 'name' | 'version' | 'unique identifier' | 'dependency relationship';

export interface NtiaGap {
  readonly componentId: string;
  readonly missing: readonly NtiaElement[];
}

export interface NtiaReport {
  readonly document: ReadonlyArray<'author' | 'timestamp'>;
  readonly components: readonly NtiaGap[];
}

/** NTIA "Minimum Elements for an SBOM" (2021) checked per component. */
export function ntiaReport(components: readonly InventoryComponent[], doc: Pick<SbomSource, 'author' | 'timestamp'> | undefined): NtiaReport {
  const referenced = new Set<string>();
  for (const c of components) for (const d of c.dependsOn) referenced.add(d);
  const gaps: NtiaGap[] = [];
  for (const c of components) {
    const missing: NtiaElement[] = [];
    if (!c.supplier) missing.push('supplier');
    if (!c.name) missing.push('name');
    if (!c.version) missing.push('version');
    if (!c.purl && !c.cpe && (c.hashes ?? []).length === 0) missing.push('unique identifier');
    if (c.dependsOn.length === 0 && !referenced.has(c.id)) missing.push('dependency relationship');
    if (missing.length > 0) gaps.push({ componentId: c.id, missing });
  }
  const document: Array<'author' | 'timestamp'> = [];
  if (!doc?.author) document.push('author');
  if (!doc?.timestamp) document.push('timestamp');
  return { document, components: gaps };
}

/** A component is out of support when its end-of-support date has passed or its level says so. */
export function isEndOfSupport(c: InventoryComponent, todayIso: string): boolean {
  if (c.endOfSupport !== undefined && c.endOfSupport.slice(0, 10) <= todayIso.slice(0, 10)) return true;
  return c.levelOfSupport !== undefined && /\b(none|no longer|end[- ]of[- ](support|life)|unsupported|eol|eos)\b/i.test(c.levelOfSupport);
}
