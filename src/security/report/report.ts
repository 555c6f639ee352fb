// Security posture reports per device and per clinical system: open findings by severity and KEV,
// end-of-support components, patch metrics (share resolved, median days to resolve), as rows that
// render to JSON or CSV.

import type { Tree } from '../../core/tree.ts';
import { clinicalSystemOf } from '../../core/tree.ts';
import type { DeviceInventory, ModelInventory } from '../inventory/model.ts';
import { isEndOfSupport } from '../inventory/model.ts';
import type { StoredFinding } from '../store.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'none'] as const;

export interface ReportRow {
  readonly scope: 'device' | 'clinical-system';
  /** Device id (or "model:<name>"), or the clinical system ("unassigned" for devices outside any group). */
  readonly key: string;
  readonly open: number;
  readonly openBySeverity: Readonly<Record<(typeof SEVERITIES)[number], number>>;
  readonly openKev: number;
  /** "name version" of components past their end of support. */
  readonly endOfSupport: readonly string[];
  readonly findings: number;
  readonly resolved: number;
  /** resolved / findings, null when there are none. */
  readonly resolvedShare: number | null;
  readonly medianDaysToResolve: number | null;
}

const DAY = 86_400_000;

function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function row(scope: ReportRow['scope'], key: string, fs: readonly StoredFinding[], eos: readonly string[]): ReportRow {
  const open = fs.filter((f) => f.open);
  const bySev = { critical: 0, high: 0, medium: 0, low: 0, none: 0 };
  for (const f of open) bySev[f.risk.severity]++;
  const resolved = fs.filter((f) => f.resolvedAt !== undefined);
  const med = median(resolved.map((f) => (f.resolvedAt! - f.firstSeen) / DAY));
  return {
    scope, key, open: open.length, openBySeverity: bySev, openKev: open.filter((f) => f.kev !== undefined).length,
    endOfSupport: eos, findings: fs.length, resolved: resolved.length,
    resolvedShare: fs.length === 0 ? null : Math.round((resolved.length / fs.length) * 1000) / 1000,
    medianDaysToResolve: med === null ? null : Math.round(med * 10) / 10,
  };
}

export interface ReportInput {
  readonly findings: readonly StoredFinding[];
  readonly devices: readonly DeviceInventory[];
  readonly models: readonly ModelInventory[];
  readonly tree?: Tree | undefined;
  readonly now: number;
}

export function buildReport(i: ReportInput): ReportRow[] {
  const today = new Date(i.now).toISOString().slice(0, 10);
  const models = new Map(i.models.map((m) => [m.name, m]));
  const eosOf = (comps: ReadonlyArray<{ name: string; version?: string | undefined; endOfSupport?: string | undefined; levelOfSupport?: string | undefined; id: string; dependsOn: readonly string[] }>) =>
    comps.filter((c) => isEndOfSupport(c, today)).map((c) => (c.version ? `${c.name} ${c.version}` : c.name));
  const subjects = new Map<string, string[]>();
  for (const d of i.devices) {
    const m = d.model !== undefined ? models.get(d.model) : undefined;
    subjects.set(d.deviceId, [...new Set([...eosOf(d.components), ...eosOf(m?.components ?? [])])]);
  }
  for (const m of i.models) if (!i.devices.some((d) => d.model === m.name)) subjects.set(`model:${m.name}`, eosOf(m.components));
  const bySubject = new Map<string, StoredFinding[]>();
  for (const f of i.findings) bySubject.set(f.subject, [...(bySubject.get(f.subject) ?? []), f]);
  for (const k of bySubject.keys()) if (!subjects.has(k)) subjects.set(k, []);
  const rows: ReportRow[] = [];
  const systems = new Map<string, { fs: StoredFinding[]; eos: string[] }>();
  for (const [key, eos] of [...subjects].sort(([a], [b]) => a.localeCompare(b))) {
    const fs = bySubject.get(key) ?? [];
    rows.push(row('device', key, fs, eos));
    const system = (i.tree !== undefined && !key.startsWith('model:') ? clinicalSystemOf(i.tree, key) : undefined) ?? 'unassigned';
    const agg = systems.get(system) ?? { fs: [], eos: [] };
    agg.fs.push(...fs);
    agg.eos.push(...eos.map((e) => `${key}: ${e}`));
    systems.set(system, agg);
  }
  for (const [system, agg] of [...systems].sort(([a], [b]) => a.localeCompare(b))) rows.push(row('clinical-system', system, agg.fs, agg.eos));
  return rows;
}

function csvCell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) || /^[=+\-@]/.test(s) ? `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;
}

export const CSV_HEADER = ['scope', 'key', 'open', 'critical', 'high', 'medium', 'low', 'none', 'open_kev', 'end_of_support_count', 'end_of_support', 'findings', 'resolved', 'resolved_share', 'median_days_to_resolve'];

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are quoted and prefixed. */
export function reportCsv(rows: readonly ReportRow[]): string {
  const lines = [CSV_HEADER.join(',')];
  for (const r of rows) {
    const s = r.openBySeverity;
    lines.push([r.scope, r.key, r.open, s.critical, s.high, s.medium, s.low, s.none, r.openKev, r.endOfSupport.length, r.endOfSupport.join('; '), r.findings, r.resolved, r.resolvedShare, r.medianDaysToResolve].map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
