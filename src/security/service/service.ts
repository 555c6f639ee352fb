// The security part's service: feed imports (one transaction, incremental, with progress), SBOM
// and hand-entered inventories, and the scan that turns matches into stored findings with risk,
// runbook and KEV / critical notifications. Triage and VEX are in triage.ts, reports in ../report.

import { createHash } from 'node:crypto';
import type { Clock } from '../../core/clock.ts';
import type { Tree } from '../../core/tree.ts';
import { clinicalSystemOf } from '../../core/tree.ts';
import type { SecurityFindingNotice } from '../../alerting/service.ts';
import { readFeedText } from '../feeds/detect.ts';
import type { FeedKind } from '../feeds/detect.ts';
import type { KevEntry } from '../feeds/kev/kev.ts';
import type { DeviceInventory, InventoryComponent, ModelInventory, NtiaReport } from '../inventory/model.ts';
import { isEndOfSupport } from '../inventory/model.ts';
import { kevOf, matchInventory } from '../match/all.ts';
import type { VulnMatch } from '../match/all.ts';
import type { VulnDb } from '../match/db.ts';
import { vulnDbFromRows } from '../match/load.ts';
import { exposureFrom } from '../risk/exposure.ts';
import type { ExposureReader } from '../risk/exposure.ts';
import { riskScore } from '../risk/risk.ts';
import { runbookFor } from '../risk/runbook.ts';
import { parseSbomText } from '../sbom/parse.ts';
import type { SecurityStore, StoredFinding, StoredVuln, UpsertCounts } from '../store.ts';
import { subjectsOf, toSubjectComponent } from './subjects.ts';
import type { Subject } from './subjects.ts';

export interface SecurityServiceOptions {
  readonly store: SecurityStore;
  readonly clock: Pick<Clock, 'now'>;
  /** The monitored tree, for clinical systems; without it the clinical factor is left out. */
  readonly tree?: () => Tree;
  readonly exposure?: ExposureReader;
  /** AlertingService.securityFinding, for new KEV and new critical findings. */
  readonly notify?: (n: SecurityFindingNotice) => Promise<void>;
}

export interface ImportProgress {
  readonly phase: 'read' | 'store' | 'match';
  readonly file?: string;
  readonly kind?: FeedKind;
  /** Records read so far (phase read), written (store), findings matched (match). */
  readonly records: number;
  readonly matched?: number;
  readonly elapsedMs: number;
}

export interface ImportSummary {
  readonly files: ReadonlyArray<{ readonly file: string; readonly kind: FeedKind; readonly records: number }>;
  readonly vulns: UpsertCounts;
  readonly kev: UpsertCounts;
  readonly scan: ScanSummary;
}

export interface ScanSummary {
  readonly findings: number;
  readonly open: number;
  readonly added: number;
  readonly resolved: number;
  readonly notified: number;
  readonly problems: readonly string[];
}

export class SecurityInputError extends Error {}

export function findingId(subject: string, componentId: string, vulnId: string): string {
  return createHash('sha256').update(`${subject}\u0000${componentId}\u0000${vulnId}`).digest('hex').slice(0, 20);
}

const CLOSED_STATES: ReadonlySet<string> = new Set(['resolved', 'resolved_with_pedigree', 'not_affected', 'false_positive']);

export class SecurityService {
  readonly store: SecurityStore;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #opts: SecurityServiceOptions;
  #db: { db: VulnDb; problems: string[]; version: string | undefined } | undefined;

  constructor(opts: SecurityServiceOptions) {
    this.store = opts.store;
    this.#clock = opts.clock;
    this.#opts = opts;
  }

  /**
   * Reads every file first (any malformed file rejects the whole import, naming the file and the
   * JSON path), stores all records in one transaction, then re-scans the inventories.
   */
  async importFeeds(files: ReadonlyArray<{ readonly name: string; readonly text: string }>, progress?: (p: ImportProgress) => void, elapsed: () => number = () => 0): Promise<ImportSummary> {
    const vulns: StoredVuln[] = [];
    const kev: KevEntry[] = [];
    const read: Array<{ file: string; kind: FeedKind; records: number }> = [];
    let total = 0;
    for (const f of files) {
      const r = readFeedText(f.text, f.name);
      if (!r.ok) throw new SecurityInputError(r.error);
      vulns.push(...r.value.vulns);
      kev.push(...r.value.kev);
      total += r.value.records;
      read.push({ file: f.name, kind: r.value.kind, records: r.value.records });
      progress?.({ phase: 'read', file: f.name, kind: r.value.kind, records: total, elapsedMs: elapsed() });
    }
    const counts = await this.store.upsertFeeds(vulns, kev, (n) => progress?.({ phase: 'store', records: n, elapsedMs: elapsed() }));
    const scan = await this.scan();
    progress?.({ phase: 'match', records: total, matched: scan.findings, elapsedMs: elapsed() });
    return { files: read, vulns: counts.vulns, kev: counts.kev, scan };
  }

  /** Imports an SBOM for one device or one model; nothing is stored if it does not read. */
  async importSbom(text: string, target: { readonly deviceId: string } | { readonly model: string }, fileName = 'the SBOM'): Promise<{ readonly components: number; readonly ntia: NtiaReport; readonly scan: ScanSummary }> {
    const r = parseSbomText(text, fileName);
    if (!r.ok) throw new SecurityInputError(r.error.startsWith(fileName) ? r.error : `${fileName}: ${r.error}`);
    const s = r.value;
    if ('deviceId' in target) {
      const prev = await this.store.device(target.deviceId);
      await this.store.putDevice({
        deviceId: target.deviceId,
        manufacturer: prev?.manufacturer ?? s.subject?.supplier,
        model: prev?.model,
        version: prev?.version ?? s.subject?.version,
        components: s.components,
        sbom: s.source,
      });
    } else {
      const prev = await this.store.model(target.model);
      await this.store.putModel({ name: target.model, manufacturer: prev?.manufacturer ?? s.subject?.supplier, version: prev?.version ?? s.subject?.version, components: s.components, sbom: s.source });
    }
    return { components: s.components.length, ntia: s.ntia, scan: await this.scan() };
  }

  async setDevice(inv: DeviceInventory): Promise<ScanSummary> {
    checkComponents(inv.components, `device ${inv.deviceId}`);
    await this.store.putDevice(inv);
    return this.scan();
  }

  async setModel(m: ModelInventory): Promise<ScanSummary> {
    checkComponents(m.components, `model ${m.name}`);
    await this.store.putModel(m);
    return this.scan();
  }

  /** The index, rebuilt when any process sharing the store imported feeds since it was built. */
  async vulnDb(): Promise<{ db: VulnDb; problems: string[] }> {
    const version = await this.store.feedsVersion();
    if (this.#db === undefined || this.#db.version !== version) this.#db = { ...vulnDbFromRows(await this.store.vulns(), await this.store.kev()), version };
    return this.#db;
  }

  /** Matches every inventory, stores what changed, notifies new KEV / critical findings. */
  async scan(): Promise<ScanSummary> {
    const { db, problems } = await this.vulnDb();
    const now = this.#clock.now();
    const today = new Date(now).toISOString().slice(0, 10);
    const existing = new Map((await this.store.findings()).map((f) => [f.id, f]));
    const subjects = subjectsOf(await this.store.devices(), await this.store.models());
    const tree = this.#opts.tree?.();
    const seen = new Set<string>();
    const changed: StoredFinding[] = [];
    const notices: SecurityFindingNotice[] = [];
    let added = 0;
    let resolved = 0;
    for (const s of subjects) {
      const byId = new Map(s.components.map((c) => [c.id, c]));
      const exposure = s.deviceId !== undefined ? exposureFrom(this.#opts.exposure?.observations(s.deviceId) ?? []) : undefined;
      const clinicalSystem = s.deviceId !== undefined && tree !== undefined ? clinicalSystemOf(tree, s.deviceId) : undefined;
      for (const m of matchInventory(s.components.map(toSubjectComponent), db, s.manufacturer)) {
        const f = this.#finding(s, byId.get(m.componentId), m, db, existing, now, today, { exposure, clinicalSystem });
        seen.add(f.id);
        const prev = existing.get(f.id);
        if (prev === undefined) added++;
        if (prev === undefined || JSON.stringify({ ...prev, lastSeen: 0 }) !== JSON.stringify({ ...f, lastSeen: 0 })) changed.push(f);
        const newKev = f.kev !== undefined && prev?.kev === undefined;
        // New, or newly critical (a new KEV entry, a new exposure): both are news for the operator.
        const newCritical = f.risk.severity === 'critical' && prev?.risk.severity !== 'critical';
        // A model nobody runs yet has no node for alerting rules to scope to: shown, not notified.
        if (f.open && f.deviceId !== undefined && (newKev || newCritical)) notices.push(notice(f));
      }
    }
    for (const f of existing.values()) {
      if (seen.has(f.id) || f.resolvedAt !== undefined) continue;
      // The match went away: the component was updated or removed, or the record withdrawn.
      changed.push({ ...f, open: false, resolvedAt: now });
      resolved++;
    }
    if (changed.length > 0) await this.store.saveFindings(changed);
    for (const n of notices) await this.#opts.notify?.(n);
    const all = await this.store.findings();
    return { findings: all.length, open: all.filter((f) => f.open).length, added, resolved, notified: notices.length, problems };
  }

  #finding(s: Subject, c: InventoryComponent | undefined, m: VulnMatch, db: VulnDb, existing: ReadonlyMap<string, StoredFinding>, now: number, today: string, ctx: Pick<Parameters<typeof riskScore>[0], 'exposure' | 'clinicalSystem'>): StoredFinding {
    const id = findingId(s.id, m.componentId, m.vulnId);
    const prev = existing.get(id);
    const k = kevOf(db, [m.vulnId, ...m.aliases]);
    const risk = riskScore({ cvss: m.cvss, kev: k, possible: m.status === 'possible', ...ctx });
    const analysis = prev?.analysis;
    const runbook = runbookFor({
      status: m.status, analysisState: analysis?.state, remediations: m.remediations, reachable: ctx.exposure?.reachable,
      endOfSupport: c !== undefined && isEndOfSupport(c, today),
      kev: k !== undefined ? { dueDate: k.dueDate, requiredAction: k.requiredAction } : undefined,
    });
    const closedByAnalysis = analysis !== undefined && CLOSED_STATES.has(analysis.state);
    const resolvedByAnalysis = analysis?.state === 'resolved' || analysis?.state === 'resolved_with_pedigree';
    return {
      id, subject: s.id, deviceId: s.deviceId, model: s.model,
      componentId: m.componentId, componentName: c?.name ?? m.componentId, componentVersion: c?.version, componentPurl: c?.purl,
      vulnId: m.vulnId, aliases: m.aliases, title: m.title, status: m.status, reasons: m.reasons, why: m.why,
      kev: k !== undefined ? { dateAdded: k.dateAdded, dueDate: k.dueDate, ransomware: k.ransomware } : undefined,
      cvss: m.cvss, remediations: m.remediations, risk, runbook,
      firstSeen: prev?.firstSeen ?? now, lastSeen: now,
      resolvedAt: resolvedByAnalysis ? (prev?.resolvedAt ?? analysis.at) : undefined,
      open: !closedByAnalysis,
      analysis,
    };
  }
}

function notice(f: StoredFinding): SecurityFindingNotice {
  return {
    findingId: f.id,
    deviceId: f.deviceId ?? f.subject,
    title: `${f.vulnId} in ${f.componentName}${f.componentVersion ? ` ${f.componentVersion}` : ''}${f.kev ? ' (known exploited)' : ''}: risk ${f.risk.score} ${f.risk.severity}`,
    severity: f.kev !== undefined || f.risk.severity === 'critical' ? 'critical' : f.risk.severity === 'high' ? 'warning' : 'info',
    kev: f.kev !== undefined,
    runbook: f.runbook.steps.join('\n'),
  };
}

function checkComponents(list: readonly InventoryComponent[], where: string): void {
  const ids = new Set<string>();
  for (const [i, c] of list.entries()) {
    if (c.id === '' || c.name === '') throw new SecurityInputError(`${where}: components[${i}] needs an id and a name`);
    if (ids.has(c.id)) throw new SecurityInputError(`${where}: components[${i}].id "${c.id}" is used twice`);
    ids.add(c.id);
  }
}
