// First run: the one-time setup token printed by the server creates the first administrator.
// There is no default password; without the token nobody can claim the installation.

import { useState, type FormEvent } from 'react';
import { api, ProblemError } from '../api.ts';
import { ErrorBox, TextField } from '../components/Field.tsx';

export function SetupPage({ token: initialToken, onDone }: { token: string; onDone: () => void }) {
  const [token, setToken] = useState(initialToken);
  const [login, setLogin] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<unknown>();
  const [fields, setFields] = useState<Map<string, string>>(new Map());
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (password !== repeat) {
      setFields(new Map([['body.repeat', 'The two passwords differ']]));
      return;
    }
    setBusy(true);
    setError(undefined);
    setFields(new Map());
    api('/api/auth/setup', { body: { token: token.trim(), login, password, name }, quiet401: true }).then(onDone, (err: unknown) => {
      setBusy(false);
      setError(err);
      if (err instanceof ProblemError) setFields(err.fieldErrors());
    });
  };

  return (
    <main className="center-card">
      <h1>Set up Wardwatch</h1>
      <p>Create the first administrator. The setup token was printed by the server when it started.</p>
      <form onSubmit={submit} aria-label="First-run setup">
        <TextField label="Setup token" name="token" required value={token} onChange={(e) => setToken(e.target.value)} error={fields.get('body.token')} />
        <TextField label="Login" name="login" autoComplete="username" required value={login} onChange={(e) => setLogin(e.target.value)} error={fields.get('body.login')} />
        <TextField label="Full name" name="name" autoComplete="name" required value={name} onChange={(e) => setName(e.target.value)} error={fields.get('body.name')} />
        <TextField label="Password" name="password" type="password" autoComplete="new-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={fields.get('body.password')} />
        <TextField label="Repeat password" name="repeat" type="password" autoComplete="new-password" required value={repeat} onChange={(e) => setRepeat(e.target.value)} error={fields.get('body.repeat')} />
        <ErrorBox error={fields.size === 0 ? error : undefined} />
        <button type="submit" className="primary" disabled={busy}>
          Create administrator
        </button>
      </form>
    </main>
  );
}
