// Notification delivery (#5 "nothing dropped without a trace"): every message the durable queue
// holds, who it was for and through which channel, and — opened — what each attempt answered.

import { Fragment, useEffect, useState } from 'react';
import { ProblemError, api, errorText, qs } from '../api.ts';
import { ErrorBox } from '../components/Field.tsx';
import { formatTime } from '../format.ts';
import { useApi, useNow } from '../hooks.ts';
import { Link, nodeHref } from '../router.tsx';

type Status = 'pending' | 'sending' | 'delivered' | 'failed';

interface NotificationSummary {
  readonly id: number;
  readonly key: string;
  readonly alertId: string;
  readonly nodeId: string | null;
  readonly ruleName: string;
  readonly kind: string;
  readonly channel: string;
  readonly fallbackChannel?: string;
  readonly recipient: string;
  readonly title: string;
  readonly status: Status;
  readonly attempts: number;
  readonly enqueuedAt: number;
  readonly dueAt: number;
  readonly deliveredAt?: number;
  readonly failedAt?: number;
  readonly lastStatus?: string;
  readonly lastError?: string;
}

interface Attempt {
  readonly attempt: number;
  readonly startedAt: number;
  readonly durationMs: number;
  readonly ok: boolean;
  readonly status: string;
  readonly response: string | null;
  readonly error: string | null;
  readonly retryable: boolean | null;
  readonly owner: string;
}

interface NotificationDetail extends NotificationSummary {
  readonly address: string | null;
  readonly attemptLog: readonly Attempt[];
}

interface Page {
  readonly items: readonly NotificationSummary[];
  readonly next: number | null;
}

type Counts = Record<Status, number> & { readonly partial: boolean };

const STATUS: Readonly<Record<Status, { icon: string; word: string; cls: string }>> = {
  pending: { icon: '◔', word: 'Pending', cls: 'state-warning' },
  sending: { icon: '⟳', word: 'Sending', cls: 'state-paused' },
  delivered: { icon: '✔', word: 'Delivered', cls: 'state-up' },
  failed: { icon: '✖', word: 'Failed', cls: 'state-down' },
};
const ORDER: readonly Status[] = ['failed', 'pending', 'sending', 'delivered'];

function StatusBadge({ status }: { status: Status }) {
  const look = STATUS[status];
  return (
    <span className={`state ${look.cls}`}>
      <span className="state-icon" aria-hidden="true">
        {look.icon}
      </span>
      {look.word}
    </span>
  );
}

export function NotificationsPage() {
  const [status, setStatus] = useState<Status | undefined>();
  const [older, setOlder] = useState<{ items: NotificationSummary[]; next: number | null } | undefined>();
  const [moreError, setMoreError] = useState<string | undefined>();
  const [openKey, setOpenKey] = useState<string | undefined>();
  const page = useApi<Page>(`/api/notifications${qs({ status, limit: 100 })}`);
  const counts = useApi<Counts>('/api/notifications/counts');
  // Retries and deliveries happen on their own: the first page and the counts are re-read every half minute.
  const tick = useNow(30_000);
  const { reload: reloadPage } = page;
  const { reload: reloadCounts } = counts;
  useEffect(() => {
    reloadPage();
    reloadCounts();
  }, [tick, reloadPage, reloadCounts]);

  const unavailable = page.error instanceof ProblemError && page.error.code === 'API_UNAVAILABLE';
  const items = [...(page.data?.items ?? []), ...(older?.items ?? [])];
  const next = older ? older.next : (page.data?.next ?? null);

  const choose = (s: Status | undefined) => {
    setStatus(s);
    setOlder(undefined);
    setOpenKey(undefined);
  };
  const more = () => {
    if (next === null) return;
    api<Page>(`/api/notifications${qs({ status, limit: 100, before: next })}`).then(
      (r) => setOlder((o) => ({ items: [...(o?.items ?? []), ...r.items], next: r.next })),
      (e: unknown) => setMoreError(errorText(e)),
    );
  };

  if (unavailable)
    return (
      <section>
        <h1 tabIndex={-1}>Notifications</h1>
        <p className="panel" role="status">
          Notification delivery is not running in this Wardwatch (no alerting channels are configured).
        </p>
      </section>
    );

  return (
    <section>
      <h1 tabIndex={-1}>Notifications</h1>
      <div className="toolbar" role="group" aria-label="Which notifications">
        <button type="button" aria-pressed={status === undefined} onClick={() => choose(undefined)}>
          All
        </button>
        {ORDER.map((s) => (
          <button key={s} type="button" aria-pressed={status === s} onClick={() => choose(s)}>
            <span aria-hidden="true">{STATUS[s].icon}</span> {STATUS[s].word}
            {counts.data ? ` (${counts.data[s]}${counts.data.partial ? '+' : ''})` : ''}
          </button>
        ))}
        <button
          type="button"
          className="ghost"
          onClick={() => {
            setOlder(undefined);
            page.reload();
            counts.reload();
          }}
        >
          Refresh
        </button>
      </div>
      <ErrorBox error={page.error ?? moreError} />
      {page.data && items.length === 0 ? <p className="muted">No notifications{status ? ` ${STATUS[status].word.toLowerCase()}` : ''}.</p> : null}
      {items.length > 0 ? (
        <table className="notifications">
          <thead>
            <tr>
              <th scope="col">Status</th>
              <th scope="col">Notification</th>
              <th scope="col">Channel and recipient</th>
              <th scope="col">Queued</th>
              <th scope="col">Attempts</th>
            </tr>
          </thead>
          <tbody>
            {items.map((n) => (
              <Fragment key={n.id}>
                <tr className={n.status === 'failed' ? 'unacked' : undefined}>
                  <td>
                    <StatusBadge status={n.status} />
                    {n.deliveredAt !== undefined ? <div className="muted small">{formatTime(n.deliveredAt)}</div> : null}
                    {n.failedAt !== undefined ? <div className="muted small">{formatTime(n.failedAt)}</div> : null}
                    {n.status === 'pending' && n.attempts > 0 ? <div className="muted small">next try {formatTime(n.dueAt)}</div> : null}
                  </td>
                  <td>
                    {n.nodeId !== null ? <Link to={nodeHref(n.nodeId)}>{n.title}</Link> : n.title}
                    <div className="muted small">
                      {n.kind} · rule {n.ruleName}
                    </div>
                  </td>
                  <td>
                    {n.channel} → {n.recipient}
                    {n.fallbackChannel ? <div className="muted small">fallback {n.fallbackChannel}</div> : null}
                  </td>
                  <td>{formatTime(n.enqueuedAt)}</td>
                  <td>
                    <button type="button" aria-expanded={openKey === n.key} onClick={() => setOpenKey((k) => (k === n.key ? undefined : n.key))} aria-label={`${n.attempts} ${n.attempts === 1 ? 'attempt' : 'attempts'} of ${n.title} to ${n.recipient}`}>
                      {n.attempts} {n.attempts === 1 ? 'attempt' : 'attempts'}
                    </button>
                    {n.lastStatus || n.lastError ? (
                      <div className="muted small">
                        last: {n.lastStatus}
                        {n.lastError ? ` — ${n.lastError}` : ''}
                      </div>
                    ) : null}
                  </td>
                </tr>
                {openKey === n.key ? (
                  <tr>
                    <td colSpan={5}>
                      <Attempts notificationKey={n.key} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      ) : null}
      {next !== null ? (
        <button type="button" onClick={more}>
          Older notifications
        </button>
      ) : null}
    </section>
  );
}

function Attempts({ notificationKey }: { notificationKey: string }) {
  const d = useApi<NotificationDetail>(`/api/notifications/${encodeURIComponent(notificationKey)}`);
  if (d.error) return <ErrorBox error={d.error} />;
  if (!d.data) return <p aria-busy="true">Loading…</p>;
  const n = d.data;
  return (
    <div className="panel">
      <p className="small">
        To {n.recipient}
        {n.address ? ` <${n.address}>` : ''} through {n.channel}; key <code>{n.key}</code>
      </p>
      {n.attemptLog.length === 0 ? (
        <p className="muted">No attempt yet: due {formatTime(n.dueAt)}.</p>
      ) : (
        <table aria-label={`Delivery attempts of ${n.title}`}>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Started</th>
              <th scope="col">Result</th>
              <th scope="col">Answer</th>
              <th scope="col">Took</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {n.attemptLog.map((a) => (
              <tr key={a.attempt}>
                <td>{a.attempt}</td>
                <td>{formatTime(a.startedAt)}</td>
                <td>
                  {a.ok ? (
                    <span className="state state-up">
                      <span aria-hidden="true">✔</span> OK
                    </span>
                  ) : (
                    <span className="state state-down">
                      <span aria-hidden="true">✖</span> Failed{a.retryable === true ? ', will retry' : a.retryable === false ? ', final' : ''}
                    </span>
                  )}
                </td>
                <td>
                  <code>{a.status}</code>
                  {a.response ? <div className="small">{a.response}</div> : null}
                  {a.error ? <div className="error-text small">{a.error}</div> : null}
                </td>
                <td>{Math.round(a.durationMs)} ms</td>
                <td className="muted small">{a.owner}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
