// Login, with a second step for the TOTP code when the account has two-factor authentication.

import { useState, type FormEvent } from 'react';
import { ProblemError } from '../api.ts';
import { login, type AuthState } from '../auth.ts';
import { ErrorBox, TextField } from '../components/Field.tsx';

export function LoginPage({ onLoggedIn }: { onLoggedIn: (s: AuthState) => void }) {
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    login(name, password, needTotp ? totp : undefined).then(onLoggedIn, (err: unknown) => {
      setBusy(false);
      if (err instanceof ProblemError && err.code === 'TOTP_REQUIRED' && !needTotp) {
        setNeedTotp(true);
        return;
      }
      setError(err);
    });
  };

  return (
    <main className="center-card">
      <h1>Wardwatch</h1>
      <form onSubmit={submit} aria-label="Log in">
        {!needTotp ? (
          <>
            <TextField label="Login" name="login" autoComplete="username" required autoFocus value={name} onChange={(e) => setName(e.target.value)} />
            <TextField label="Password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </>
        ) : (
          <TextField
            label="Authentication code"
            name="totp"
            hint="The 6-digit code from your authenticator app"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            required
            autoFocus
            value={totp}
            onChange={(e) => setTotp(e.target.value.trim())}
          />
        )}
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy}>
          {needTotp ? 'Verify' : 'Log in'}
        </button>
        {needTotp ? (
          <button
            type="button"
            className="ghost"
            onClick={() => {
              setNeedTotp(false);
              setTotp('');
            }}
          >
            Back
          </button>
        ) : null}
      </form>
    </main>
  );
}
