// Security posture (#7): open findings by risk, each with why it scored as it did and what to do
// now (the runbook), and their triage as a CycloneDX VEX analysis. The server decides who may see
// and triage what (read / write on the device); administrators also see the feed import status.

import { useId, useState, type FormEvent } from 'react';
import { api, errorText, qs } from '../api.ts';
import { ErrorBox } from '../components/Field.tsx';
import { formatTime } from '../format.ts';
import { useApi } from '../hooks.ts';
import { Link, nodeHref } from '../router.tsx';

type Severity = 'none' | 'low' | 'medium' | 'high' | 'critical';

interface Finding {
  readonly id: string;
  readonly subject: string;
  readonly deviceId?: string;
  readonly model?: string;
  readonly componentName: string;
  readonly componentVersion?: string;
  readonly vulnId: string;
  readonly aliases: readonly string[];
  readonly title?: string;
  readonly status: 'affected' | 'possible';
  readonly kev?: { readonly dateAdded: string; readonly dueDate: string; readonly ransomware: boolean };
  readonly risk: { readonly score: number; readonly severity: Severity; readonly factors: readonly { readonly factor: string; readonly detail: string; readonly contribution: number }[] };
  readonly runbook: { readonly type: string; readonly steps: readonly string[] };
  readonly firstSeen: number;
  readonly resolvedAt?: number;
  readonly open: boolean;
  readonly analysis?: { readonly state: string; readonly justification?: string; readonly responses: readonly string[]; readonly detail?: string; readonly by: string; readonly at: number };
}

interface FeedImport {
  readonly running: { readonly phase: string; readonly records: number; readonly elapsedMs: number; readonly startedAt: number } | null;
  readonly last: (Record<string, unknown> & { readonly finishedAt?: number }) | null;
}

// Severity reads without colour: a shape and the word; the colour classes only add to it.
const SEVERITY: Readonly<Record<Severity, { icon: string; cls: string }>> = {
  critical: { icon: '✖', cls: 'severity-critical' },
  high: { icon: '▲', cls: 'severity-critical' },
  medium: { icon: '◆', cls: 'severity-warning' },
  low: { icon: '▽', cls: '' },
  none: { icon: '·', cls: 'muted' },
};

const RUNBOOK_LABEL: Readonly<Record<string, string>> = {
  kev: 'Exploited in the wild', 'vendor-fix': 'Manufacturer fix available', 'no-fix': 'No fix: mitigate', possible: 'Possible match: confirm',
  'not-affected': 'Not affected', resolved: 'Resolved', standard: 'Plan the update',
};

// CycloneDX VEX vocabularies (src/security/store.ts), in words an engineer uses.
const STATES = [
  ['in_triage', 'In triage'], ['exploitable', 'Exploitable'], ['not_affected', 'Not affected'], ['false_positive', 'False positive'],
  ['resolved', 'Resolved'], ['resolved_with_pedigree', 'Resolved (with pedigree)'],
] as const;
const JUSTIFICATIONS = [
  ['code_not_present', 'Code not present'], ['code_not_reachable', 'Code not reachable'], ['requires_configuration', 'Requires configuration'],
  ['requires_dependency', 'Requires dependency'], ['requires_environment', 'Requires environment'], ['protected_by_compiler', 'Protected by compiler'],
  ['protected_at_runtime', 'Protected at runtime'], ['protected_at_perimeter', 'Protected at perimeter'], ['protected_by_mitigating_control', 'Protected by mitigating control'],
] as const;
const RESPONSES = [['update', 'Update'], ['workaround_available', 'Workaround available'], ['rollback', 'Roll back'], ['can_not_fix', 'Cannot fix'], ['will_not_fix', 'Will not fix']] as const;

const stateWord = (s: string): string => STATES.find(([k]) => k === s)?.[1] ?? s;

export function SeverityBadge({ severity, score }: { severity: Severity; score?: number }) {
  const look = SEVERITY[severity] ?? SEVERITY.none;
  return (
    <span className={`severity ${look.cls}`}>
      <span aria-hidden="true">{look.icon}</span> {severity}
      {score !== undefined ? ` ${score.toFixed(1)}` : ''}
    </span>
  );
}

export function SecurityPage({ admin, device }: { admin: boolean; device?: string | undefined }) {
  const [scope, setScope] = useState<'open' | 'all' | 'kev'>('open');
  const findings = useApi<Finding[]>(`/api/security/findings${qs({ device, open: scope === 'all' ? undefined : 'true', kev: scope === 'kev' ? 'true' : undefined })}`);
  const list = findings.data ?? [];
  const [saved, setSaved] = useState<string | undefined>();
  const changed = (f: Finding) => {
    // A finding analysed as not affected or resolved leaves the open list: say where it went.
    setSaved(`Saved: ${f.vulnId} on ${f.subject} is now “${stateWord(f.analysis?.state ?? '')}”${f.open ? '' : ' (closed: see “All, with closed”)'}.`);
    findings.reload();
  };
  return (
    <section>
      <h1 tabIndex={-1}>Security findings</h1>
      {device !== undefined ? (
        <p>
          Device <Link to={nodeHref(device)}>{device}</Link> only · <Link to="/security">all devices</Link>
        </p>
      ) : null}
      <div className="toolbar" role="group" aria-label="Which findings">
        {(
          [
            ['open', 'Open'],
            ['kev', 'Open, exploited (KEV)'],
            ['all', 'All, with closed'],
          ] as const
        ).map(([k, label]) => (
          <button key={k} type="button" aria-pressed={scope === k} onClick={() => setScope(k)}>
            {label}
          </button>
        ))}
        <a className="button" href="/api/security/report?format=csv" download>
          Posture report (CSV)
        </a>
        <a className="button" href="/api/security/vex" download="wardwatch-vex.json">
          Export VEX
        </a>
      </div>
      {admin ? <FeedStatus /> : null}
      {saved ? <p role="status">{saved}</p> : null}
      <ErrorBox error={findings.error} />
      {findings.loading && !findings.data ? <p aria-busy="true">Loading…</p> : null}
      {findings.data && list.length === 0 ? <p className="muted">No findings{scope === 'all' ? '' : ' open'}.</p> : null}
      <p className="muted small" role="status">
        {findings.data ? `${list.length} finding${list.length === 1 ? '' : 's'}, highest risk first` : ''}
      </p>
      {list.length > 0 ? (
        <table className="findings">
          <thead>
            <tr>
              <th scope="col">Risk</th>
              <th scope="col">Vulnerability</th>
              <th scope="col">Device</th>
              <th scope="col">Component</th>
              <th scope="col">Triage</th>
            </tr>
          </thead>
          <tbody>
            {list.map((f) => (
              <FindingRow key={f.id} finding={f} onChanged={changed} />
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function FindingRow({ finding: f, onChanged }: { finding: Finding; onChanged: (f: Finding) => void }) {
  return (
    <tr>
      <td>
        <SeverityBadge severity={f.risk.severity} score={f.risk.score} />
        {f.kev ? (
          <div className="severity-critical small" title={`in CISA KEV since ${f.kev.dateAdded}, due ${f.kev.dueDate}`}>
            <span aria-hidden="true">⚠</span> KEV{f.kev.ransomware ? ', ransomware' : ''}
          </div>
        ) : null}
      </td>
      <td>
        <strong>{f.vulnId}</strong>
        {f.title ? <div>{f.title}</div> : null}
        <div className="muted small">
          {f.status === 'possible' ? 'possible match · ' : ''}first seen {formatTime(f.firstSeen)}
          {f.open ? '' : ` · closed${f.resolvedAt !== undefined ? ` ${formatTime(f.resolvedAt)}` : ''}`}
        </div>
        <details>
          <summary>
            Runbook: {RUNBOOK_LABEL[f.runbook.type] ?? f.runbook.type}
          </summary>
          <ol aria-label={`Runbook for ${f.vulnId}`}>
            {f.runbook.steps.map((s) => (
              <li key={s}>{s}</li>
            ))}
          </ol>
          <h4>Why this risk</h4>
          <ul>
            {f.risk.factors.map((x) => (
              <li key={`${x.factor}-${x.detail}`}>
                {x.detail} ({x.contribution >= 0 ? '+' : ''}
                {x.contribution})
              </li>
            ))}
          </ul>
        </details>
      </td>
      <td>{f.deviceId !== undefined ? <Link to={nodeHref(f.deviceId)}>{f.deviceId}</Link> : <span>model {f.model ?? f.subject}</span>}</td>
      <td>
        {f.componentName}
        {f.componentVersion ? ` ${f.componentVersion}` : ''}
      </td>
      <td>
        {f.analysis ? (
          <p className="small">
            <strong>{stateWord(f.analysis.state)}</strong>
            {f.analysis.justification ? ` (${JUSTIFICATIONS.find(([k]) => k === f.analysis?.justification)?.[1] ?? f.analysis.justification})` : ''} by {f.analysis.by}, {formatTime(f.analysis.at)}
            {f.analysis.detail ? `: “${f.analysis.detail}”` : ''}
          </p>
        ) : (
          <p className="small muted">Not triaged</p>
        )}
        <TriageForm finding={f} onDone={onChanged} />
      </td>
    </tr>
  );
}

function TriageForm({ finding: f, onDone }: { finding: Finding; onDone: (f: Finding) => void }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [state, setState] = useState(f.analysis?.state ?? 'in_triage');
  const [justification, setJustification] = useState(f.analysis?.justification ?? '');
  const [responses, setResponses] = useState<readonly string[]>(f.analysis?.responses ?? []);
  const [detail, setDetail] = useState(f.analysis?.detail ?? '');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)} aria-label={`Triage ${f.vulnId} on ${f.subject}`}>
        Triage
      </button>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const body = {
      state,
      ...(state === 'not_affected' && justification ? { justification } : {}),
      responses,
      ...(detail.trim() ? { detail: detail.trim() } : {}),
    };
    api<Finding>(`/api/security/findings/${encodeURIComponent(f.id)}/analysis`, { method: 'PUT', body }).then(
      (next) => {
        setBusy(false);
        setOpen(false);
        onDone(next);
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorText(err));
      },
    );
  };
  return (
    <form className="triage-form" onSubmit={submit} aria-label={`Triage of ${f.vulnId} on ${f.subject}`}>
      <div className="field">
        <label htmlFor={`${id}-state`}>Analysis</label>
        <select id={`${id}-state`} value={state} onChange={(e) => setState(e.target.value)}>
          {STATES.map(([k, label]) => (
            <option key={k} value={k}>
              {label}
            </option>
          ))}
        </select>
      </div>
      {state === 'not_affected' ? (
        <div className="field">
          <label htmlFor={`${id}-just`}>Justification</label>
          <select id={`${id}-just`} value={justification} onChange={(e) => setJustification(e.target.value)}>
            <option value="">(none)</option>
            {JUSTIFICATIONS.map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <fieldset>
        <legend>Response</legend>
        {RESPONSES.map(([k, label]) => (
          <div key={k}>
            <label>
              <input type="checkbox" checked={responses.includes(k)} onChange={(e) => setResponses((r) => (e.target.checked ? [...r, k] : r.filter((x) => x !== k)))} /> {label}
            </label>
          </div>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-detail`}>Detail</label>
        <textarea id={`${id}-detail`} value={detail} onChange={(e) => setDetail(e.target.value)} maxLength={4000} rows={2} />
      </div>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Save triage
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}

function FeedStatus() {
  const feeds = useApi<FeedImport>('/api/security/feeds/import');
  const d = feeds.data;
  return (
    <div className="panel" aria-label="Vulnerability feed import">
      <strong>Feed import: </strong>
      {feeds.error ? <ErrorBox error={feeds.error} /> : null}
      {d?.running ? (
        <span role="status">
          <span aria-hidden="true">⟳</span> running since {formatTime(d.running.startedAt)}: {d.running.phase}, {d.running.records} records
        </span>
      ) : d ? (
        <span>
          {d.last ? `last finished ${formatTime(d.last.finishedAt)}: ${summarizeImport(d.last)}` : 'no import since the server started'}{' '}
          <button type="button" className="ghost" onClick={feeds.reload}>
            Refresh
          </button>
        </span>
      ) : null}
    </div>
  );
}

/** "nvd 3 new, 1 updated; kev 2 unchanged" from the import summary's per-feed counts. */
function summarizeImport(last: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [feed, v] of Object.entries(last)) {
    if (typeof v !== 'object' || v === null) continue;
    const c = v as { inserted?: unknown; updated?: unknown; unchanged?: unknown; open?: unknown };
    if (feed === 'scan' && typeof c.open === 'number') parts.push(`${c.open} open findings after the re-scan`);
    if (typeof c.inserted !== 'number') continue;
    parts.push(`${feed} ${c.inserted} new, ${String(c.updated)} updated, ${String(c.unchanged)} unchanged`);
  }
  return parts.length > 0 ? parts.join('; ') : 'nothing changed';
}
