// Rebuilds the VulnDb from the store's rows (each record re-read by its own feed parser, so a row
// written by an older release is checked again rather than trusted).

import { parseCsaf } from '../feeds/csaf/csaf.ts';
import type { CsafAdvisory } from '../feeds/csaf/csaf.ts';
import type { KevEntry } from '../feeds/kev/kev.ts';
import { parseNvd } from '../feeds/nvd/parse.ts';
import type { NvdRecord } from '../feeds/nvd/parse.ts';
import { parseOsvRecord } from '../feeds/osv/osv.ts';
import type { OsvRecord } from '../feeds/osv/osv.ts';
import type { StoredVuln } from '../store.ts';
import { buildVulnDb } from './db.ts';
import type { VulnDb } from './db.ts';

export function vulnDbFromRows(rows: readonly StoredVuln[], kev: readonly KevEntry[]): { db: VulnDb; problems: string[] } {
  const nvd: NvdRecord[] = [];
  const osv: OsvRecord[] = [];
  const csaf: CsafAdvisory[] = [];
  const problems: string[] = [];
  for (const row of rows) {
    if (row.source === 'nvd') {
      const r = parseNvd(row.doc);
      if (r.ok) nvd.push(...r.value);
      else problems.push(`stored NVD record ${row.id}: ${r.error}`);
    } else if (row.source === 'osv') {
      const r = parseOsvRecord(row.doc);
      if (r.ok) osv.push(r.value);
      else problems.push(`stored OSV record ${row.id}: ${r.error}`);
    } else {
      const r = parseCsaf(row.doc);
      if (r.ok) csaf.push(r.value);
      else problems.push(`stored CSAF document ${row.id}: ${r.error}`);
    }
  }
  return { db: buildVulnDb(nvd, osv, csaf, kev), problems };
}
