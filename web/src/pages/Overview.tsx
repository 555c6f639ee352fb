// The first screen of a shift: counts per clinical system and per site, what is Down now and for
// how long (unacknowledged first), and the open alerts. Refreshed by the live stream (states and alerts).

import { useEffect } from 'react';
import { useApi, useNow } from '../hooks.ts';
import { useLiveAlerts } from '../live-alerts.ts';
import { subscribeLive } from '../live.ts';
import { Link, sensorHref } from '../router.tsx';
import { StateBadge, StateCounts, type State } from '../components/StateBadge.tsx';
import { ErrorBox } from '../components/Field.tsx';
import { formatDuration, formatTime } from '../format.ts';
import { AlertTable, type AlertSummary } from '../components/AlertTable.tsx';

type Counts = Partial<Record<State, number>> & { acknowledged?: number; total?: number };

export interface DownItem {
  readonly id: string;
  readonly name: string;
  /** Names from the site down to the sensor. */
  readonly path?: readonly string[];
  readonly system?: string | null;
  readonly since?: number | null;
  readonly message?: string | null;
  readonly error?: string | null;
  readonly acknowledged?: { by: string; at: number; note?: string } | null;
}

export interface Overview {
  readonly generatedAt?: number;
  readonly totals?: Counts;
  readonly bySystem?: readonly { system: string; counts: Counts }[];
  readonly bySite?: readonly { id: string; name: string; counts: Counts }[];
  readonly down?: { readonly items: readonly DownItem[]; readonly total: number };
  readonly alerts?: { readonly unacknowledged: number; readonly acknowledged: number; readonly items: readonly AlertSummary[] } | null;
}

const RELOAD_THROTTLE_MS = 2000;

const SYSTEM_NAMES: Readonly<Record<string, string>> = {
  HIS: 'HIS',
  LIMS: 'LIMS',
  RIS: 'RIS',
  PACS: 'PACS',
  modality: 'Modalities',
  'interface-engine': 'Interface engines',
  network: 'Network',
  other: 'Other',
};

/** Every clinical system in a fixed order, those without sensors too (an empty PACS row is news). */
export function systemRows(list: readonly { system: string; counts: Counts }[]): { system: string; counts: Counts }[] {
  const by = new Map(list.map((s) => [s.system, s.counts]));
  const order = Object.keys(SYSTEM_NAMES).filter((s) => s !== 'other' || by.has(s));
  return [...order, ...[...by.keys()].filter((s) => !order.includes(s))].map((system) => ({ system, counts: by.get(system) ?? {} }));
}

export function pathText(p: DownItem['path']): string {
  return (p ?? []).slice(0, -1).join(' › ');
}

export function OverviewPage() {
  const ov = useApi<Overview>('/api/overview');
  const now = useNow();
  const { reload } = ov;
  const siteIds = (ov.data?.bySite ?? []).map((s) => s.id).join(',');
  // Any state change may move a count: re-read the (server-aggregated, small) overview, at most
  // every few seconds however many sensors change at once.
  useEffect(() => {
    let timer: number | undefined;
    const close = subscribeLive(siteIds ? siteIds.split(',') : [], {
      onState: () => {
        timer ??= window.setTimeout(() => {
          timer = undefined;
          reload();
        }, RELOAD_THROTTLE_MS);
      },
    });
    return () => {
      close();
      window.clearTimeout(timer);
    };
  }, [siteIds, reload]);

  // The open-alerts panel: an alert opening, acknowledged or ending re-reads the overview at once.
  useLiveAlerts(reload, undefined, ov.data?.alerts != null);

  const data = ov.data;
  // The server sorts unacknowledged first, longest Down first within each.
  const down = data?.down?.items ?? [];
  return (
    <section className="overview">
      <h1 tabIndex={-1}>Overview</h1>
      <ErrorBox error={ov.error} />
      {!data && ov.loading ? <p aria-busy="true">Loading…</p> : null}
      {data ? (
        <>
          <div className="panel">
            <h2>Down now{data.down && data.down.total > down.length ? ` (${down.length} of ${data.down.total})` : ''}</h2>
            {down.length === 0 ? (
              <p className="all-good">
                <StateBadge state="up" /> Nothing is Down.
              </p>
            ) : (
              <table className="down-list">
                <caption className="visually-hidden">Sensors that are Down, unacknowledged first</caption>
                <thead>
                  <tr>
                    <th scope="col">State</th>
                    <th scope="col">Sensor</th>
                    <th scope="col">Where</th>
                    <th scope="col">Down for</th>
                    <th scope="col">Message</th>
                  </tr>
                </thead>
                <tbody>
                  {down.map((d) => (
                    <tr key={d.id} className={d.acknowledged ? 'acked' : 'unacked'}>
                      <td>
                        <StateBadge state="down" acknowledged={Boolean(d.acknowledged)} />
                      </td>
                      <td>
                        <Link to={sensorHref(d.id)}>{d.name}</Link>
                      </td>
                      <td className="muted">{pathText(d.path)}</td>
                      <td>{typeof d.since === 'number' ? `${formatDuration(now - d.since)} (since ${formatTime(d.since)})` : '—'}</td>
                      <td>
                        {d.message}
                        {d.acknowledged ? <span className="muted small"> — acknowledged by {d.acknowledged.by}{d.acknowledged.note ? `: ${d.acknowledged.note}` : ''}</span> : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {data.down && data.down.total > down.length ? <Link to="/tree?state=down">All {data.down.total} Down sensors</Link> : null}
          </div>
          {data.alerts ? (
            <div className="panel">
              <h2>
                Alerts: {data.alerts.unacknowledged} unacknowledged, {data.alerts.acknowledged} acknowledged
              </h2>
              <AlertTable alerts={data.alerts.items} onChanged={reload} />
            </div>
          ) : null}
          <div className="grid">
            <div className="panel">
              <h2>Clinical systems</h2>
              <table className="counts-table">
                <tbody>
                  {systemRows(data.bySystem ?? []).map((s) => (
                    <tr key={s.system}>
                      <th scope="row">
                        <Link to={`/tree?system=${encodeURIComponent(s.system)}`}>{SYSTEM_NAMES[s.system] ?? s.system}</Link>
                      </th>
                      <td>
                        <StateCounts counts={s.counts} label={`${SYSTEM_NAMES[s.system] ?? s.system}: states`} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="panel">
              <h2>Sites</h2>
              <table className="counts-table">
                <tbody>
                  {(data.bySite ?? []).map((s) => (
                    <tr key={s.id}>
                      <th scope="row">
                        <Link to={`/tree?root=${encodeURIComponent(s.id)}`}>{s.name}</Link>
                      </th>
                      <td>
                        <StateCounts counts={s.counts} label={`${s.name}: states`} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          <p className="muted small">Updated {formatTime(data.generatedAt ?? now)}</p>
        </>
      ) : null}
    </section>
  );
}
