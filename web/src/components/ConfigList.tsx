// A list of named configuration entries (maintenance windows, notification rules) with create and
// delete. Entries are written as in the YAML config (here as JSON); the API checks them against the
// config schema and its errors are shown by field path.

import { useState, type FormEvent } from 'react';
import { api, ProblemError } from '../api.ts';
import { useApi } from '../hooks.ts';
import { ErrorBox, Field } from './Field.tsx';

type Entry = Record<string, unknown> & { name?: string; id?: string };

export interface ConfigListProps {
  /** Collection URL: GET lists, POST creates, DELETE {url}/{name} removes. */
  readonly url: string;
  readonly noun: string;
  readonly example: Entry;
  readonly describe: (e: Entry) => string;
}

function itemsOf(x: unknown): Entry[] {
  if (Array.isArray(x)) return x as Entry[];
  if (typeof x === 'object' && x !== null && Array.isArray((x as { items?: unknown }).items)) return (x as { items: Entry[] }).items;
  return [];
}

export function ConfigList({ url, noun, example, describe }: ConfigListProps) {
  const list = useApi<unknown>(url);
  const [text, setText] = useState(JSON.stringify(example, null, 2));
  const [error, setError] = useState<unknown>();
  const [fields, setFields] = useState<readonly { path: string; message: string }[]>([]);
  const [saved, setSaved] = useState<string | undefined>();

  const create = (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setFields([]);
    setSaved(undefined);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      setFields([{ path: 'body', message: `not valid JSON: ${err instanceof Error ? err.message : String(err)}` }]);
      return;
    }
    api(url, { body }).then(
      () => {
        setSaved(`${noun} created.`);
        list.reload();
      },
      (err: unknown) => {
        if (err instanceof ProblemError && err.problem.errors?.length) setFields(err.problem.errors);
        else setError(err);
      },
    );
  };
  const remove = (entry: Entry) => {
    const key = entry.name ?? entry.id;
    if (key === undefined || !window.confirm(`Delete ${noun.toLowerCase()} ${key}?`)) return;
    api(`${url}/${encodeURIComponent(key)}`, { method: 'DELETE' }).then(list.reload, setError);
  };

  const items = itemsOf(list.data);
  return (
    <>
      <ErrorBox error={list.error} />
      {!list.loading && items.length === 0 && !list.error ? <p className="muted">None configured.</p> : null}
      <ul className="config-list">
        {items.map((e, i) => (
          <li key={e.name ?? e.id ?? i} className="panel">
            <strong>{e.name ?? e.id}</strong> <span className="muted">{describe(e)}</span>
            <details>
              <summary>As configured</summary>
              <pre>{JSON.stringify(e, null, 2)}</pre>
            </details>
            <button type="button" className="danger" onClick={() => remove(e)}>
              Delete
            </button>
          </li>
        ))}
      </ul>
      <form onSubmit={create} className="panel" aria-label={`New ${noun.toLowerCase()}`}>
        <h2>New {noun.toLowerCase()}</h2>
        <Field label={`${noun} as in the YAML configuration (JSON)`} error={fields.map((f) => `${f.path}: ${f.message}`).join('\n') || undefined}>
          {(p) => <textarea {...p} rows={10} spellCheck={false} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <ErrorBox error={error} />
        {saved ? <p role="status">{saved}</p> : null}
        <button type="submit" className="primary">
          Create
        </button>
      </form>
    </>
  );
}
