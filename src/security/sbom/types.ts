// What an SBOM parser returns: the components in inventory form, the document's metadata, the
// product it describes, and the NTIA gaps. Shared by the CycloneDX and SPDX readers.

import type { InventoryComponent, NtiaReport, SbomSource } from '../inventory/model.ts';

export interface ParsedSbom {
  readonly source: SbomSource;
  /** The product the SBOM describes (CycloneDX metadata.component, SPDX DESCRIBES), if stated. */
  readonly subject?: { readonly name: string; readonly version?: string | undefined; readonly supplier?: string | undefined } | undefined;
  readonly components: readonly InventoryComponent[];
  readonly ntia: NtiaReport;
}

const EOS_NAME = /end[-_ ]?of[-_ ]?(support|life)|\beos\b|\beol\b/i;
const LOS_NAME = /level[-_ ]?of[-_ ]?support|support[-_ ]?level/i;

/** Reads the FDA extra fields from name/value properties, whatever namespace the manufacturer used. */
export function supportFromProperties(props: ReadonlyArray<{ readonly name: string; readonly value?: string | undefined }>): { endOfSupport?: string; levelOfSupport?: string } {
  const out: { endOfSupport?: string; levelOfSupport?: string } = {};
  for (const p of props) {
    if (p.value === undefined || p.value === '') continue;
    if (LOS_NAME.test(p.name)) out.levelOfSupport = p.value;
    else if (EOS_NAME.test(p.name)) out.endOfSupport = p.value;
  }
  return out;
}

export const DATE = /^\d{4}-\d{2}-\d{2}/;
