// Personal and system settings: theme, two-factor authentication (TOTP enrolment), and what this
// server is (version, probe health).

import { useState, type FormEvent } from 'react';
import { api, errorText } from '../api.ts';
import { useApi } from '../hooks.ts';
import { ErrorBox, TextField } from '../components/Field.tsx';
import type { ThemeChoice } from '../theme.ts';

interface Health {
  readonly status: string;
  readonly version: string;
  readonly time: number;
  readonly probe?: Record<string, unknown>;
}

export function SettingsPage({ admin, theme, setTheme }: { admin: boolean; theme: ThemeChoice; setTheme: (t: ThemeChoice) => void }) {
  const health = useApi<Health>('/api/health');
  return (
    <section>
      <h1 tabIndex={-1}>Settings</h1>
      <fieldset className="panel">
        <legend>Theme</legend>
        {(['system', 'light', 'dark'] as const).map((t) => (
          <label key={t} className="radio">
            <input type="radio" name="theme" value={t} checked={theme === t} onChange={() => setTheme(t)} /> {t === 'system' ? 'Follow the system' : t === 'light' ? 'Light' : 'Dark'}
          </label>
        ))}
      </fieldset>
      <Totp />
      <div className="panel">
        <h2>This server</h2>
        <ErrorBox error={health.error} />
        {health.data ? (
          <dl className="kv">
            <dt>Version</dt>
            <dd>{health.data.version}</dd>
            <dt>Status</dt>
            <dd>{health.data.status}</dd>
            {admin && health.data.probe
              ? Object.entries(health.data.probe)
                  .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
                  .map(([k, v]) => (
                    <div key={k}>
                      <dt>{k}</dt>
                      <dd>{typeof v === 'number' ? (Number.isInteger(v) ? v : v.toFixed(2)) : String(v)}</dd>
                    </div>
                  ))
              : null}
          </dl>
        ) : null}
        {admin ? (
          <p>
            <a className="button" href="/api/openapi.json">
              API reference (OpenAPI)
            </a>
          </p>
        ) : null}
      </div>
    </section>
  );
}

function Totp() {
  const [enrol, setEnrol] = useState<{ secret: string; otpauthUrl: string } | undefined>();
  const [code, setCode] = useState('');
  const [msg, setMsg] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const start = () => {
    setError(undefined);
    api<{ secret: string; otpauthUrl: string }>('/api/auth/totp/enroll', { method: 'POST', body: {} }).then(setEnrol, (e: unknown) => setError(errorText(e)));
  };
  const confirm = (e: FormEvent) => {
    e.preventDefault();
    api('/api/auth/totp/confirm', { body: { code } }).then(
      () => {
        setEnrol(undefined);
        setMsg('Two-factor authentication is on: the next login asks for a code.');
      },
      (err: unknown) => setError(errorText(err)),
    );
  };
  return (
    <div className="panel">
      <h2>Two-factor authentication</h2>
      {msg ? <p role="status">{msg}</p> : null}
      {!enrol ? (
        <button type="button" onClick={start}>
          Set up an authenticator app
        </button>
      ) : (
        <form onSubmit={confirm}>
          <p>
            Add this secret to your authenticator app (or open the link on the phone): <code className="secret">{enrol.secret}</code>
          </p>
          <p className="small">
            <a href={enrol.otpauthUrl}>{enrol.otpauthUrl}</a>
          </p>
          <TextField label="Code from the app" inputMode="numeric" pattern="[0-9]{6}" required value={code} onChange={(e) => setCode(e.target.value.trim())} />
          <button type="submit" className="primary">
            Turn on
          </button>
        </form>
      )}
      <ErrorBox error={error} />
    </div>
  );
}
