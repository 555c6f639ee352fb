// All alerts by state: open (unacknowledged first), acknowledged, resolved; acknowledge from here.
// The lists follow alert changes live; a slow poll covers a stream that cannot connect.

import { useCallback, useEffect, useState } from 'react';
import { qs } from '../api.ts';
import { useApi, useNow } from '../hooks.ts';
import { useLiveAlerts } from '../live-alerts.ts';
import { ProblemError } from '../api.ts';
import { Link } from '../router.tsx';
import { ErrorBox } from '../components/Field.tsx';
import { AlertTable, type AlertSummary } from '../components/AlertTable.tsx';

const STATES = [
  { key: 'active', label: 'Open and acknowledged' },
  { key: 'open', label: 'Open' },
  { key: 'acknowledged', label: 'Acknowledged' },
  { key: 'resolved', label: 'Resolved' },
] as const;

function isUnavailable(e: unknown): boolean {
  return e instanceof ProblemError && e.code === 'API_UNAVAILABLE';
}

interface AlertPage {
  readonly items: readonly AlertSummary[];
  readonly next?: string | null;
}

export function AlertsPage() {
  const [state, setState] = useState<(typeof STATES)[number]['key']>('active');
  const open = useApi<AlertPage>(state === 'active' || state === 'open' ? `/api/alerts${qs({ state: 'open', limit: 500 })}` : undefined);
  const acked = useApi<AlertPage>(state === 'active' || state === 'acknowledged' ? `/api/alerts${qs({ state: 'acknowledged', limit: 500 })}` : undefined);
  const resolved = useApi<AlertPage>(state === 'resolved' ? `/api/alerts${qs({ state: 'resolved', limit: 500 })}` : undefined);
  const reloadAll = () => {
    open.reload();
    acked.reload();
    resolved.reload();
  };
  const { reload: r1 } = open;
  const { reload: r2 } = acked;
  const { reload: r3 } = resolved;
  // Alerts open and close with rules' timing (held for, escalation): the live stream says when.
  useLiveAlerts(
    useCallback(() => {
      r1();
      r2();
      r3();
    }, [r1, r2, r3]),
  );
  // A safety net only (a proxy that drops the stream, another core process acknowledging).
  const tick = useNow(60_000);
  useEffect(() => {
    r1();
    r2();
  }, [tick, r1, r2]);
  const list = [...(state === 'active' || state === 'open' ? (open.data?.items ?? []) : []), ...(state === 'active' || state === 'acknowledged' ? (acked.data?.items ?? []) : []), ...(state === 'resolved' ? (resolved.data?.items ?? []) : [])];
  const error: unknown = open.error ?? acked.error ?? resolved.error;
  return (
    <section>
      <h1 tabIndex={-1}>Alerts</h1>
      <div className="toolbar" role="group" aria-label="Which alerts">
        {STATES.map((s) => (
          <button key={s.key} type="button" aria-pressed={s.key === state} onClick={() => setState(s.key)}>
            {s.label}
          </button>
        ))}
      </div>
      {isUnavailable(error) ? (
        <p className="panel" role="status">
          Alerting is not running in this Wardwatch (no notification rules are configured). Down sensors are listed on the <Link to="/">overview</Link> and acknowledged on their own page.
        </p>
      ) : (
        <>
          <ErrorBox error={error} />
          <AlertTable alerts={list} onChanged={reloadAll} />
        </>
      )}
    </section>
  );
}
