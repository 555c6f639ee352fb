// Remote probes (#8): which probes have said hello to the core, which wait for approval, and how
// the approved ones are doing (heartbeat, outbox, CPU). Administrators approve or reject here; a
// probe gets no work until it is approved.

import { useEffect, useState } from 'react';
import { api, errorText } from '../api.ts';
import { ErrorBox } from '../components/Field.tsx';
import { formatTime } from '../format.ts';
import { useApi, useNow } from '../hooks.ts';

type Approval = 'pending' | 'approved' | 'rejected';

interface ProbeView {
  readonly name: string;
  readonly state: Approval;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly decidedBy: string | null;
  readonly decidedAt: number | null;
  readonly health: {
    readonly connected: boolean;
    readonly lastHeartbeat: number | null;
    readonly disconnectedSince: number | null;
    readonly bufferDepth: number | null;
    readonly bufferBytes: number | null;
    readonly bufferDropped: number | null;
    readonly cpuPct: number | null;
  } | null;
}

interface ProbeList {
  readonly enabled: boolean;
  readonly probes: readonly ProbeView[];
}

const APPROVAL: Readonly<Record<Approval, { icon: string; word: string; cls: string }>> = {
  pending: { icon: '◔', word: 'Pending approval', cls: 'state-warning' },
  approved: { icon: '✔', word: 'Approved', cls: 'state-up' },
  rejected: { icon: '⛔', word: 'Rejected', cls: 'state-down' },
};

function ApprovalBadge({ state }: { state: Approval }) {
  const look = APPROVAL[state];
  return (
    <span className={`state ${look.cls}`}>
      <span className="state-icon" aria-hidden="true">
        {look.icon}
      </span>
      {look.word}
    </span>
  );
}

function Connection({ p }: { p: ProbeView }) {
  if (p.state !== 'approved') return <span className="muted">— (no work given)</span>;
  if (!p.health) return <span className="muted">? No heartbeat yet</span>;
  if (p.health.connected)
    return (
      <span className="state state-up">
        <span className="state-icon" aria-hidden="true">
          ▲
        </span>
        Connected
      </span>
    );
  return (
    <span className="state state-down">
      <span className="state-icon" aria-hidden="true">
        ✖
      </span>
      Disconnected{p.health.disconnectedSince !== null ? ` since ${formatTime(p.health.disconnectedSince)}` : ''}
    </span>
  );
}

export function ProbesPage({ admin }: { admin: boolean }) {
  const probes = useApi<ProbeList>('/api/probes');
  const [message, setMessage] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  // Rejecting an approved probe stops the monitoring of its whole site: asked twice.
  const [confirming, setConfirming] = useState<string | undefined>();
  // Heartbeats come every few seconds; re-reading twice a minute keeps "connected" honest.
  const tick = useNow(30_000);
  const { reload } = probes;
  useEffect(() => reload(), [tick, reload]);

  const decide = (name: string, verb: 'approve' | 'reject') => {
    setBusy(name);
    setConfirming(undefined);
    setError(undefined);
    api<ProbeView>(`/api/probes/${encodeURIComponent(name)}/${verb}`, { method: 'POST', body: {} }).then(
      (p) => {
        setBusy(undefined);
        setMessage(`Probe ${p.name}: ${APPROVAL[p.state].word.toLowerCase()}.`);
        reload();
      },
      (e: unknown) => {
        setBusy(undefined);
        setError(errorText(e));
      },
    );
  };

  const d = probes.data;
  return (
    <section>
      <h1 tabIndex={-1}>Remote probes</h1>
      <ErrorBox error={probes.error ?? error} />
      {message ? <p role="status">{message}</p> : null}
      {d && !d.enabled ? (
        <p className="panel" role="status">
          Remote probes are not configured in this Wardwatch: set <code>cluster.nats</code> so that probes at other sites can connect.
        </p>
      ) : null}
      {d?.enabled && d.probes.length === 0 ? <p className="muted">No probe has connected yet. Start one with <code>wardwatch probe</code>; it appears here, pending approval.</p> : null}
      {d && d.probes.length > 0 ? (
        <table className="probes">
          <thead>
            <tr>
              <th scope="col">Probe</th>
              <th scope="col">Approval</th>
              <th scope="col">Connection</th>
              <th scope="col">Last seen</th>
              <th scope="col">Outbox</th>
              <th scope="col">CPU</th>
              {admin ? <th scope="col">Decide</th> : null}
            </tr>
          </thead>
          <tbody>
            {d.probes.map((p) => (
              <tr key={p.name} className={p.state === 'pending' ? 'unacked' : undefined}>
                <th scope="row">{p.name}</th>
                <td>
                  <ApprovalBadge state={p.state} />
                  {p.decidedBy !== null ? (
                    <div className="muted small">
                      by {p.decidedBy}, {formatTime(p.decidedAt)}
                    </div>
                  ) : (
                    <div className="muted small">first seen {formatTime(p.firstSeen)}</div>
                  )}
                </td>
                <td>
                  <Connection p={p} />
                </td>
                <td>{formatTime(p.health?.lastHeartbeat ?? p.lastSeen)}</td>
                <td>
                  {p.health?.bufferDepth != null ? `${p.health.bufferDepth} waiting` : '—'}
                  {p.health?.bufferDropped ? <div className="severity-critical small">{p.health.bufferDropped} dropped</div> : null}
                </td>
                <td>{p.health?.cpuPct != null ? `${p.health.cpuPct.toFixed(1)} %` : '—'}</td>
                {admin ? (
                  <td>
                    <div className="row-actions">
                      {p.state !== 'approved' ? (
                        <button type="button" className="primary" disabled={busy === p.name} onClick={() => decide(p.name, 'approve')} aria-label={`Approve probe ${p.name}`}>
                          Approve
                        </button>
                      ) : null}
                      {p.state !== 'rejected' && confirming !== p.name ? (
                        <button type="button" disabled={busy === p.name} onClick={() => (p.state === 'approved' ? setConfirming(p.name) : decide(p.name, 'reject'))} aria-label={`Reject probe ${p.name}`}>
                          Reject
                        </button>
                      ) : null}
                      {confirming === p.name ? (
                        <span role="group" aria-label={`Confirm rejecting probe ${p.name}`}>
                          Its sensors stop being checked.{' '}
                          <button type="button" className="primary" onClick={() => decide(p.name, 'reject')}>
                            Reject {p.name}
                          </button>{' '}
                          <button type="button" onClick={() => setConfirming(undefined)}>
                            Keep it
                          </button>
                        </span>
                      ) : null}
                    </div>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
