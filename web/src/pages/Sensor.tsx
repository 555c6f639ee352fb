// A sensor: its state and why, channels with live values, a graph of a channel over a chosen range
// with its limits, the state history, and the actions an operator takes (check now, pause/resume,
// acknowledge with a note).

import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, errorText, qs } from '../api.ts';
import { useApi, useNow } from '../hooks.ts';
import { subscribeLive } from '../live.ts';
import { Link, nodeHref } from '../router.tsx';
import { StateBadge, type State } from '../components/StateBadge.tsx';
import { ErrorBox } from '../components/Field.tsx';
import { Graph, type GraphLimits, type GraphPoint } from '../components/Graph.tsx';
import { EventList } from '../components/EventList.tsx';
import { LimitsEditor } from '../components/LimitsEditor.tsx';
import { formatDuration, formatTime, formatValue } from '../format.ts';
import { effectiveDark, storedTheme } from '../theme.ts';

interface Channel {
  readonly key: string;
  readonly name: string;
  readonly unit: string;
  readonly limits?: GraphLimits;
  readonly primary?: boolean;
  readonly lastValue: number | null;
}

interface SensorStatus {
  readonly state: State;
  readonly pauseReason?: string;
  readonly acknowledged?: { by: string; at: number; note?: string };
  readonly since: number;
  readonly message?: string;
  readonly error?: string;
  readonly lastCheck?: number;
  readonly lastValues?: Record<string, number>;
}

export interface SensorView {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly kindTitle?: string;
  readonly path: readonly { id: string; type: string; name: string }[];
  readonly status: SensorStatus | null;
  readonly channels: readonly Channel[];
  readonly errorMessage?: string;
}

interface History {
  readonly resolution: string;
  readonly points: readonly GraphPoint[];
}

export const RANGES = [
  { key: '1h', label: '1 hour', ms: 3_600_000 },
  { key: '6h', label: '6 hours', ms: 6 * 3_600_000 },
  { key: '24h', label: '24 hours', ms: 86_400_000 },
  { key: '7d', label: '7 days', ms: 7 * 86_400_000 },
  { key: '30d', label: '30 days', ms: 30 * 86_400_000 },
  { key: '1y', label: '1 year', ms: 365 * 86_400_000 },
] as const;

export function SensorPage({ id }: { id: string }) {
  const enc = encodeURIComponent(id);
  const sensor = useApi<SensorView>(`/api/sensors/${enc}`);
  const [status, setStatus] = useState<SensorStatus | null>(null);
  const [values, setValues] = useState<Record<string, number>>({});
  // The channel picked by the operator; until then the server's default (the kind's primary one).
  const [picked, setChannel] = useState<string | undefined>();
  const [range, setRange] = useState<(typeof RANGES)[number]>(RANGES[0]);
  const [anchor, setAnchor] = useState(() => Date.now());
  const [eventsTick, setEventsTick] = useState(0);
  const [editing, setEditing] = useState<string | undefined>();
  const now = useNow();
  const s = sensor.data;
  const { reload } = sensor;

  useEffect(() => {
    if (!s) return;
    setStatus(s.status);
    setValues(Object.fromEntries(s.channels.filter((c) => c.lastValue !== null).map((c) => [c.key, c.lastValue!])));
  }, [s]);

  const to = anchor;
  const from = to - range.ms;
  // Requested at once, beside the sensor itself: the graph does not wait for the sensor's answer.
  const hist = useApi<History & { channel?: string }>(`/api/sensors/${enc}/history${qs({ channel: picked, from, to, points: 600 })}`);
  const channel = picked ?? hist.data?.channel ?? (s?.channels.find((x) => x.primary) ?? s?.channels[0])?.key;
  const [live, setLive] = useState<GraphPoint[]>([]);
  useEffect(
    () =>
      subscribeLive(
        [id],
        {
          onState: (e) => {
            if (e.sensorId !== id) return;
            // The delta carries the essentials; the full status (acknowledgement note, error) is re-read.
            reload();
            setEventsTick((t) => t + 1);
          },
          onValues: (e) => {
            if (e.sensorId !== id) return;
            setValues((v) => ({ ...v, ...e.values }));
            if (channel !== undefined && typeof e.values[channel] === 'number') {
              const val = e.values[channel];
              setLive((l) => [...l.slice(-500), { ts: e.ts, min: val, avg: val, max: val }]);
            }
          },
        },
      ),
    [id, channel, reload],
  );

  useEffect(() => setLive([]), [channel, range, anchor]);
  // Live points extend the graph only for the shortest range; longer ones are rollups.
  const points = useMemo(() => [...(hist.data?.points ?? []), ...(range.key === '1h' ? live.filter((p) => p.ts > to) : [])], [hist.data, live, range, to]);
  const ch = s?.channels.find((c) => c.key === channel);

  if (sensor.error && !s)
    return (
      <section>
        <h1 tabIndex={-1}>Sensor</h1>
        <ErrorBox error={sensor.error} />
      </section>
    );
  if (!s) return <p aria-busy="true">Loading…</p>;
  const st = status ?? s.status;

  return (
    <section className="sensor-page">
      <nav aria-label="Breadcrumb" className="crumbs">
        {s.path.slice(0, -1).map((p) => (
          <span key={p.id}>
            <Link to={nodeHref(p.id)}>{p.name}</Link> ›{' '}
          </span>
        ))}
      </nav>
      <h1 tabIndex={-1}>{s.name}</h1>
      <p className="muted">
        {s.kindTitle ?? s.kind} · <code>{s.id}</code> · <Link to={nodeHref(s.id)}>Edit settings</Link>
      </p>
      <div className="panel status-panel" aria-live="polite">
        <StateBadge state={st?.state ?? 'unknown'} acknowledged={Boolean(st?.acknowledged)} pauseReason={st?.pauseReason} />
        <span>{st ? `for ${formatDuration(now - st.since)} (since ${formatTime(st.since)})` : 'not checked yet'}</span>
        {st?.message ? <span className="status-message">{st.message}</span> : null}
        {st?.error ? <code className="muted">{st.error}</code> : null}
        {st?.lastCheck ? <span className="muted small">last check {formatTime(st.lastCheck)}</span> : null}
        {st?.acknowledged ? (
          <p className="ack-note">
            Acknowledged by {st.acknowledged.by} at {formatTime(st.acknowledged.at)}
            {st.acknowledged.note ? `: “${st.acknowledged.note}”` : ''}
          </p>
        ) : null}
      </div>
      <Actions
        id={id}
        status={st}
        onDone={() => {
          reload();
          setEventsTick((t) => t + 1);
        }}
      />
      <h2>Channels</h2>
      <table className="channels">
        <thead>
          <tr>
            <th scope="col">Channel</th>
            <th scope="col">Last value</th>
            <th scope="col">Limits</th>
            <th scope="col">Graph</th>
          </tr>
        </thead>
        <tbody>
          {s.channels.map((c) => (
            <tr key={c.key} className={c.key === channel ? 'selected' : undefined}>
              <th scope="row">{c.name}</th>
              <td className="value">{formatValue(values[c.key] ?? null, c.unit)}</td>
              <td className="muted small">{limitText(c.limits, c.unit)}</td>
              <td className="row-actions">
                <button type="button" aria-pressed={c.key === channel} onClick={() => setChannel(c.key)}>
                  Show graph of {c.name}
                </button>
                <button type="button" className="ghost" onClick={() => setEditing(c.key)}>
                  Edit limits of {c.name}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {editing !== undefined ? (
        <LimitsEditor
          sensorId={id}
          channel={editing}
          name={s.channels.find((c) => c.key === editing)?.name ?? editing}
          unit={s.channels.find((c) => c.key === editing)?.unit ?? ''}
          limits={s.channels.find((c) => c.key === editing)?.limits}
          onSaved={reload}
          onClose={() => setEditing(undefined)}
        />
      ) : null}
      {ch ? (
        <>
          <h2 id="graph-heading">
            {ch.name} over {range.label}
          </h2>
          <div className="toolbar" role="group" aria-label="Time range">
            {RANGES.map((r) => (
              <button
                key={r.key}
                type="button"
                aria-pressed={r.key === range.key}
                onClick={() => {
                  setRange(r);
                  setAnchor(Date.now());
                }}
              >
                {r.label}
              </button>
            ))}
            <button type="button" className="ghost" onClick={() => setAnchor(Date.now())}>
              Refresh
            </button>
            {hist.data ? <span className="muted small">resolution {hist.data.resolution}</span> : null}
          </div>
          <ErrorBox error={hist.error} />
          <Graph title={ch.name} unit={ch.unit} points={points} limits={ch.limits} from={from} to={Math.max(to, points.at(-1)?.ts ?? to)} dark={effectiveDark(storedTheme())} />
        </>
      ) : null}
      <h2>State history</h2>
      <EventList sensorId={id} tick={eventsTick} />
    </section>
  );
}

function limitText(l: GraphLimits | undefined, unit: string): string {
  if (!l) return '—';
  const parts: string[] = [];
  if (l.lowerError !== undefined) parts.push(`error < ${l.lowerError}`);
  if (l.lowerWarning !== undefined) parts.push(`warning < ${l.lowerWarning}`);
  if (l.upperWarning !== undefined) parts.push(`warning > ${l.upperWarning}`);
  if (l.upperError !== undefined) parts.push(`error > ${l.upperError}`);
  return parts.length ? `${parts.join(', ')} ${unit}` : '—';
}

function Actions({ id, status, onDone }: { id: string; status: SensorStatus | null; onDone: () => void }) {
  const enc = encodeURIComponent(id);
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [note, setNote] = useState('');
  const [done, setDone] = useState<string | undefined>();

  const run = useCallback(
    (what: string, path: string, body: unknown = {}) => {
      setBusy(what);
      setError(undefined);
      setDone(undefined);
      api(path, { method: 'POST', body }).then(
        () => {
          setBusy(undefined);
          setDone(`${what}: done`);
          onDone();
        },
        (e: unknown) => {
          setBusy(undefined);
          setError(new Error(`${what}: ${errorText(e)}`));
        },
      );
    },
    [onDone],
  );

  const ack = (e: FormEvent) => {
    e.preventDefault();
    run('Acknowledge', `/api/sensors/${enc}/acknowledge`, note.trim() ? { note: note.trim() } : {});
  };
  const paused = status?.state === 'paused' && status.pauseReason === 'user';
  const canAck = status?.state === 'down' && !status.acknowledged;
  return (
    <div className="panel actions">
      <button type="button" disabled={busy !== undefined} onClick={() => run('Check now', `/api/nodes/${enc}/check-now`)}>
        Check now
      </button>
      {paused ? (
        <button type="button" disabled={busy !== undefined} onClick={() => run('Resume', `/api/nodes/${enc}/resume`)}>
          Resume
        </button>
      ) : (
        <button type="button" disabled={busy !== undefined} onClick={() => run('Pause', `/api/nodes/${enc}/pause`)}>
          Pause
        </button>
      )}
      {canAck ? (
        <form className="ack-form" onSubmit={ack}>
          <label>
            Note <input value={note} onChange={(e) => setNote(e.target.value)} placeholder="who is on it, ticket…" maxLength={500} />
          </label>
          <button type="submit" className="primary" disabled={busy !== undefined}>
            Acknowledge
          </button>
        </form>
      ) : null}
      {busy ? <span aria-live="polite">{busy}…</span> : null}
      {done ? (
        <span className="ok-text" role="status">
          {done}
        </span>
      ) : null}
      <ErrorBox error={error} />
    </div>
  );
}

