// State changes, newest first, paged with "older" (the API pages by event id).

import { useEffect, useState } from 'react';
import { api, errorText, qs } from '../api.ts';
import { Link, sensorHref } from '../router.tsx';
import { StateBadge, type State } from './StateBadge.tsx';
import { ErrorBox } from './Field.tsx';
import { formatTime } from '../format.ts';

export interface EventRow {
  readonly id?: number;
  readonly sensorId: string;
  readonly ts: number;
  readonly from: State;
  readonly to: State;
  readonly pauseReason?: string;
  readonly reason: string;
  readonly message?: string;
}

interface EventPage {
  readonly events: readonly EventRow[];
  readonly next: number | null;
}

export function EventList({ sensorId, tick = 0, showSensor = false }: { sensorId?: string; tick?: number; showSensor?: boolean }) {
  const [rows, setRows] = useState<EventRow[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    api<EventPage>(`/api/events${qs({ sensor: sensorId, limit: 50 })}`, { signal: ctl.signal }).then(
      (p) => {
        setRows([...p.events]);
        setNext(p.next);
        setLoading(false);
      },
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setError(errorText(e));
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [sensorId, tick]);

  const older = () => {
    if (next === null) return;
    api<EventPage>(`/api/events${qs({ sensor: sensorId, limit: 50, before: next })}`).then(
      (p) => {
        setRows((r) => [...r, ...p.events]);
        setNext(p.next);
      },
      (e: unknown) => setError(errorText(e)),
    );
  };

  return (
    <div className="events">
      <ErrorBox error={error} />
      {loading && rows.length === 0 ? <p aria-busy="true">Loading…</p> : null}
      {!loading && rows.length === 0 ? <p className="muted">No state changes recorded.</p> : null}
      {rows.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              {showSensor ? <th scope="col">Sensor</th> : null}
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e, i) => (
              <tr key={e.id ?? `${e.ts}-${i}`}>
                <td>{formatTime(e.ts)}</td>
                {showSensor ? (
                  <td>
                    <Link to={sensorHref(e.sensorId)}>{e.sensorId}</Link>
                  </td>
                ) : null}
                <td>
                  <StateBadge state={e.from} />
                </td>
                <td>
                  <StateBadge state={e.to} pauseReason={e.pauseReason} />
                </td>
                <td>
                  {e.reason}
                  {e.message && e.message !== e.reason ? <span className="muted"> — {e.message}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {next !== null ? (
        <button type="button" onClick={older}>
          Older events
        </button>
      ) : null}
    </div>
  );
}
