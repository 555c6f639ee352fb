// What an operator does to a whole object (a device under service, a group during an upgrade):
// check everything below it now, pause it (until resumed, or for a while), resume it.

import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.ts';
import { ErrorBox } from './Field.tsx';

export function NodeActions({ id, paused, onDone }: { id: string; paused: boolean; onDone: () => void }) {
  const enc = encodeURIComponent(id);
  const [duration, setDuration] = useState('');
  const [msg, setMsg] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const run = (what: string, path: string, body: unknown = {}) => {
    setError(undefined);
    setMsg(undefined);
    api<Record<string, unknown>>(path, { method: 'POST', body }).then(
      (r) => {
        setMsg(`${what}: done${typeof r?.started === 'number' ? ` (${r.started} sensors started${typeof r.skipped === 'number' && r.skipped > 0 ? `, ${r.skipped} skipped: paused or busy` : ''})` : ''}`);
        onDone();
      },
      (e: unknown) => setError(`${what}: ${errorText(e)}`),
    );
  };
  const pause = (e: FormEvent) => {
    e.preventDefault();
    run('Pause', `/api/nodes/${enc}/pause`, duration.trim() ? { duration: duration.trim() } : {});
  };
  return (
    <div className="panel actions">
      <button type="button" onClick={() => run('Check now', `/api/nodes/${enc}/check-now`)}>
        Check everything below now
      </button>
      {paused ? (
        <button type="button" onClick={() => run('Resume', `/api/nodes/${enc}/resume`)}>
          Resume
        </button>
      ) : (
        <form className="ack-form" onSubmit={pause}>
          <label htmlFor="pause-for">Pause for</label>
          <input id="pause-for" value={duration} onChange={(e) => setDuration(e.target.value)} placeholder="until resumed, or 30m, 2h" size={14} />
          <button type="submit">Pause</button>
        </form>
      )}
      {msg ? <span role="status">{msg}</span> : null}
      <ErrorBox error={error} />
    </div>
  );
}
