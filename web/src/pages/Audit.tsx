// The audit trail (administrators): who did what, when, from where, before and after; filters,
// export as CSV or JSON (the server audits the export), and a check of the hash chain.

import { useEffect, useState } from 'react';
import { api, errorText, qs } from '../api.ts';
import { ErrorBox } from '../components/Field.tsx';
import { formatTime } from '../format.ts';

interface AuditRow {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly target?: string;
  readonly ip?: string;
  readonly outcome: 'ok' | 'denied' | 'failed';
  readonly before?: unknown;
  readonly after?: unknown;
  readonly detail?: string;
}

const OUTCOME_ICON: Readonly<Record<string, string>> = { ok: '✔', denied: '⛔', failed: '✖' };

export function AuditPage() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [next, setNext] = useState<number | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [verify, setVerify] = useState<string | undefined>();
  const [filter, setFilter] = useState({ actor: '', action: '' });

  useEffect(() => {
    const ctl = new AbortController();
    api<{ entries: AuditRow[]; next?: number }>(`/api/audit${qs({ ...filter, limit: 100 })}`, { signal: ctl.signal }).then(
      (r) => {
        setRows(r.entries);
        setNext(r.next);
        setError(undefined);
      },
      (e: unknown) => !ctl.signal.aborted && setError(errorText(e)),
    );
    return () => ctl.abort();
  }, [filter]);

  const more = () => {
    if (next === undefined) return;
    api<{ entries: AuditRow[]; next?: number }>(`/api/audit${qs({ ...filter, limit: 100, before: next })}`).then(
      (r) => {
        setRows((x) => [...x, ...r.entries]);
        setNext(r.next);
      },
      (e: unknown) => setError(errorText(e)),
    );
  };

  const check = () => {
    setVerify('Checking…');
    api<Record<string, unknown>>('/api/audit/verify').then(
      (r) => setVerify(r.ok === true ? `✔ Chain intact${typeof r.checked === 'number' ? ` (${r.checked} entries)` : ''}` : `✖ Chain broken: ${JSON.stringify(r)}`),
      (e: unknown) => setVerify(`✖ ${errorText(e)}`),
    );
  };

  return (
    <section>
      <h1 tabIndex={-1}>Audit log</h1>
      <form
        className="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ actor: actor.trim(), action: action.trim() });
        }}
      >
        <label>
          Who <input value={actor} onChange={(e) => setActor(e.target.value)} placeholder="login" />
        </label>
        <label>
          Action <input value={action} onChange={(e) => setAction(e.target.value)} placeholder="login.failed, sensor.acknowledge…" />
        </label>
        <button type="submit">Filter</button>
        <a className="button" href={`/api/audit${qs({ ...filter, format: 'csv' })}`} download>
          Export CSV
        </a>
        <a className="button" href={`/api/audit${qs({ ...filter, format: 'json' })}`} download>
          Export JSON
        </a>
        <button type="button" onClick={check}>
          Verify hash chain
        </button>
        {verify ? <span role="status">{verify}</span> : null}
      </form>
      <ErrorBox error={error} />
      <table className="audit">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">From</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Outcome</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.seq}>
              <td>{formatTime(r.at)}</td>
              <td>{r.actor}</td>
              <td className="muted">{r.ip}</td>
              <td>
                <code>{r.action}</code>
              </td>
              <td>{r.target}</td>
              <td className={`outcome-${r.outcome}`}>
                <span aria-hidden="true">{OUTCOME_ICON[r.outcome]}</span> {r.outcome}
              </td>
              <td>
                {r.detail}
                {r.before !== undefined || r.after !== undefined ? (
                  <details>
                    <summary>before / after</summary>
                    <pre>{JSON.stringify({ before: r.before, after: r.after }, null, 2)}</pre>
                  </details>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {next !== undefined ? (
        <button type="button" onClick={more}>
          Older entries
        </button>
      ) : null}
    </section>
  );
}
