// Alerts with their acknowledgement: unacknowledged first, each acknowledged with an optional note.

import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.ts';
import { Link, nodeHref, sensorHref } from '../router.tsx';
import { ErrorBox } from './Field.tsx';
import { formatTime } from '../format.ts';

export interface AlertSummary {
  readonly id: string;
  readonly ruleName: string;
  readonly nodeId: string;
  readonly title: string;
  readonly state: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly openedAt: number;
  readonly resolvedAt?: number;
  readonly acknowledged?: { by: string; at: number; note?: string; via: string };
  readonly sensorIds: readonly string[];
  readonly affectedDependents: number;
  readonly escalationStep: number;
}

const SEVERITY_ICON: Readonly<Record<string, string>> = { critical: '✖', warning: '◆', info: 'ℹ' };

export function sortAlerts(list: readonly AlertSummary[]): AlertSummary[] {
  return [...list].sort((a, b) => Number(Boolean(a.acknowledged)) - Number(Boolean(b.acknowledged)) || Number(a.state === 'resolved') - Number(b.state === 'resolved') || b.openedAt - a.openedAt);
}

export function AlertTable({ alerts, onChanged }: { alerts: readonly AlertSummary[]; onChanged: () => void }) {
  if (alerts.length === 0) return <p className="muted">No alerts.</p>;
  return (
    <table className="alerts">
      <thead>
        <tr>
          <th scope="col">Severity</th>
          <th scope="col">Alert</th>
          <th scope="col">Opened</th>
          <th scope="col">State</th>
          <th scope="col">Acknowledgement</th>
        </tr>
      </thead>
      <tbody>
        {sortAlerts(alerts).map((a) => (
          <tr key={a.id} className={a.acknowledged ? 'acked' : 'unacked'}>
            <td>
              <span className={`severity severity-${a.severity}`}>
                <span aria-hidden="true">{SEVERITY_ICON[a.severity] ?? '•'}</span> {a.severity}
              </span>
            </td>
            <td>
              <Link to={a.sensorIds.length === 1 && a.sensorIds[0] === a.nodeId ? sensorHref(a.nodeId) : nodeHref(a.nodeId)}>{a.title}</Link>
              {a.sensorIds.length > 1 ? <Members ids={a.sensorIds} /> : null}
              <div className="muted small">
                rule {a.ruleName}
                {a.sensorIds.length > 1 ? ` · ${a.sensorIds.length} sensors` : ''}
                {a.affectedDependents > 0 ? ` · ${a.affectedDependents} dependents paused` : ''}
                {a.escalationStep > 0 ? ` · escalation step ${a.escalationStep}` : ''}
              </div>
            </td>
            <td>{formatTime(a.openedAt)}</td>
            <td>{a.state === 'resolved' ? `resolved ${formatTime(a.resolvedAt)}` : a.state}</td>
            <td>{a.acknowledged ? <span>by {a.acknowledged.by} at {formatTime(a.acknowledged.at)}{a.acknowledged.note ? `: “${a.acknowledged.note}”` : ''}</span> : a.state === 'resolved' ? '—' : <AckForm alert={a} onDone={onChanged} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function AckForm({ alert, onDone }: { alert: AlertSummary; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    api(`/api/alerts/${encodeURIComponent(alert.id)}/acknowledge`, { method: 'POST', body: note.trim() ? { note: note.trim() } : {} }).then(
      () => {
        setBusy(false);
        onDone();
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorText(err));
      },
    );
  };
  return (
    <form className="ack-form" onSubmit={submit} aria-label={`Acknowledge ${alert.title}`}>
      <input aria-label="Note" value={note} onChange={(e) => setNote(e.target.value)} placeholder="note" maxLength={1000} />
      <button type="submit" className="primary" disabled={busy}>
        Acknowledge
      </button>
      <ErrorBox error={error} />
    </form>
  );
}

/** Members shown in a grouped alert's row: a grouped title names only the common parent. */
const MEMBERS_SHOWN = 6;

/** A grouped alert's sensors as device / sensor links, so that each failing device can be found in the row. */
function Members({ ids }: { readonly ids: readonly string[] }) {
  const shown = ids.slice(0, MEMBERS_SHOWN);
  return (
    <ul className="members small" aria-label="Sensors in this alert">
      {shown.map((id) => {
        const parts = id.split('/');
        return (
          <li key={id}>
            <Link to={sensorHref(id)}>{parts.slice(-2).join(' / ')}</Link>
          </li>
        );
      })}
      {ids.length > shown.length ? <li className="muted">and {ids.length - shown.length} more</li> : null}
    </ul>
  );
}
