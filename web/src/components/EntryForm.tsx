// The edit form of one tree object's config entry. Fields and their input types come from the
// JSON Schema when it is known (else from the values present); a change is sent as a PATCH of the
// changed fields only (null removes one) and the API's validation errors land at their fields.

import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, ProblemError } from '../api.ts';
import { navigate, nodeHref } from '../router.tsx';
import { ErrorBox, Field } from './Field.tsx';
import { CHILD_KEYS, deref, fieldKindOf, type FieldKind, type JsonSchema } from '../schema.ts';

export interface NodeView {
  readonly id: string;
  readonly type: string;
  readonly name: string;
  readonly parentId: string | null;
  readonly path: readonly { id: string; type: string; name: string }[];
  readonly childCount: number;
  readonly entry: Record<string, unknown>;
  readonly effective?: Record<string, unknown>;
  readonly configVersion?: number;
}

export interface EntryShape {
  readonly root: JsonSchema;
  readonly props: Readonly<Record<string, JsonSchema>>;
}

export function kindOfValue(v: unknown): FieldKind {
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return 'list';
  if (typeof v === 'object' && v !== null) return 'json';
  return 'text';
}

/** The text a field shows for a value, and back: lists as comma-separated, objects as JSON. */
export function toText(v: unknown, k: FieldKind): string {
  if (v === undefined || v === null) return '';
  if (k === 'list' && Array.isArray(v)) return v.join(', ');
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, null, 2);
}

export function fromText(text: string, k: FieldKind): unknown {
  const t = text.trim();
  if (t === '') return null;
  switch (k) {
    case 'number': {
      const n = Number(t);
      // An unparsable number goes to the API as written, so that its validation names the field.
      return Number.isFinite(n) ? n : t;
    }
    case 'boolean':
      return t === 'true';
    case 'list':
      return t
        .split(',')
        .map((x) => x.trim())
        .filter((x) => x !== '');
    case 'json':
      try {
        return JSON.parse(t) as unknown;
      } catch {
        throw new Error(`not valid JSON: ${t.slice(0, 40)}`);
      }
    default:
      return t;
  }
}

interface Row {
  readonly key: string;
  readonly kind: FieldKind;
  readonly text: string;
}

export function EntryForm({ node, shape, onSaved }: { node: NodeView; shape: EntryShape | undefined; onSaved: () => void }) {
  const kindOf = (key: string, v: unknown): FieldKind => {
    const p = shape?.props[key];
    return p && shape ? fieldKindOf(shape.root, p) : kindOfValue(v);
  };
  const initial = useMemo<Row[]>(
    () =>
      Object.entries(node.entry)
        .filter(([k]) => !CHILD_KEYS.has(k))
        .map(([key, v]) => {
          const kind = shape?.props[key] ? fieldKindOf(shape.root, shape.props[key]) : kindOfValue(v);
          return { key, kind, text: toText(v, kind) };
        }),
    [node.entry, shape],
  );
  const [rows, setRows] = useState<Row[]>(initial);
  const [removed, setRemoved] = useState<string[]>([]);
  const [errors, setErrors] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string | undefined>();
  const [newKey, setNewKey] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setRows(initial);
    setRemoved([]);
  }, [initial]);

  const missing = shape ? Object.keys(shape.props).filter((k) => !CHILD_KEYS.has(k) && k !== 'kind' && !rows.some((r) => r.key === k)) : [];
  const setText = (i: number, text: string) => setRows(rows.map((x, j) => (j === i ? { ...x, text } : x)));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const patch: Record<string, unknown> = {};
    const local = new Map<string, string>();
    for (const r of rows) {
      const before = node.entry[r.key];
      if (before !== undefined && toText(before, r.kind) === r.text) continue;
      try {
        patch[r.key] = fromText(r.text, r.kind);
      } catch (err) {
        local.set(`body.${r.key}`, err instanceof Error ? err.message : String(err));
      }
    }
    for (const k of removed) patch[k] = null;
    setErrors(local);
    if (local.size > 0) return;
    if (Object.keys(patch).length === 0) {
      setSaved('Nothing changed.');
      return;
    }
    setBusy(true);
    setError(undefined);
    setSaved(undefined);
    api<{ version?: number }>(`/api/nodes/${encodeURIComponent(node.id)}`, { method: 'PATCH', body: patch }).then(
      (r) => {
        setBusy(false);
        setSaved(`Saved${r?.version !== undefined ? ` as configuration v${r.version}` : ''}.`);
        onSaved();
      },
      (err: unknown) => {
        setBusy(false);
        const fe = err instanceof ProblemError ? err.fieldErrors() : new Map<string, string>();
        setErrors(fe);
        // Errors not tied to a shown field stay in the box above the buttons.
        const shown = new Set(rows.map((r) => `body.${r.key}`));
        if (fe.size === 0 || [...fe.keys()].some((k) => ![...shown].some((s) => k === s || k.startsWith(`${s}.`) || k.startsWith(`${s}[`)))) setError(err);
      },
    );
  };

  const del = () => {
    if (!window.confirm(`Delete ${node.name} and everything below it?`)) return;
    api(`/api/nodes/${encodeURIComponent(node.id)}`, { method: 'DELETE' }).then(
      () => navigate(node.parentId ? nodeHref(node.parentId) : '/tree'),
      (err: unknown) => setError(err),
    );
  };

  const fieldError = (key: string) => {
    for (const [p, m] of errors) if (p === `body.${key}` || p.startsWith(`body.${key}.`) || p.startsWith(`body.${key}[`)) return p === `body.${key}` ? m : `${p.slice(5)}: ${m}`;
    return undefined;
  };

  const add = () => {
    if (newKey === '' || rows.some((r) => r.key === newKey)) return;
    setRows([...rows, { key: newKey, kind: kindOf(newKey, undefined), text: '' }]);
    setRemoved(removed.filter((k) => k !== newKey));
    setNewKey('');
  };

  return (
    <form onSubmit={submit} className="entry-form" aria-label={`Settings of ${node.name}`}>
      <h2>Settings</h2>
      <p className="muted small">As in the YAML configuration. Empty a field to remove it; inherited settings then apply.</p>
      {rows.map((r, i) => {
        const p = shape ? deref(shape.root, shape.props[r.key]) : undefined;
        return (
          <Field key={r.key} label={r.key} error={fieldError(r.key)} hint={p?.description}>
            {(a) =>
              r.kind === 'boolean' ? (
                <select {...a} value={r.text} onChange={(e) => setText(i, e.target.value)}>
                  <option value="">(not set)</option>
                  <option value="true">true</option>
                  <option value="false">false</option>
                </select>
              ) : r.kind === 'choice' ? (
                <select {...a} value={r.text} onChange={(e) => setText(i, e.target.value)}>
                  <option value="">(not set)</option>
                  {(p?.enum ?? []).map((v) => (
                    <option key={String(v)} value={String(v)}>
                      {String(v)}
                    </option>
                  ))}
                </select>
              ) : r.kind === 'json' ? (
                <textarea {...a} rows={Math.min(12, r.text.split('\n').length + 1)} value={r.text} onChange={(e) => setText(i, e.target.value)} />
              ) : (
                <span className="field-row">
                  <input {...a} inputMode={r.kind === 'number' ? 'decimal' : undefined} value={r.text} onChange={(e) => setText(i, e.target.value)} />
                  {r.key !== 'name' ? (
                    <button
                      type="button"
                      className="ghost"
                      aria-label={`Remove ${r.key}`}
                      onClick={() => {
                        setRows(rows.filter((_, j) => j !== i));
                        if (node.entry[r.key] !== undefined) setRemoved([...removed, r.key]);
                      }}
                    >
                      Remove
                    </button>
                  ) : null}
                </span>
              )
            }
          </Field>
        );
      })}
      <div className="field-row">
        <label htmlFor="add-setting">Add a setting</label>
        {shape ? (
          <select id="add-setting" value={newKey} onChange={(e) => setNewKey(e.target.value)}>
            <option value="">choose…</option>
            {missing.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        ) : (
          <input id="add-setting" value={newKey} onChange={(e) => setNewKey(e.target.value.trim())} placeholder="e.g. interval, timeout, tags" />
        )}
        <button type="button" disabled={newKey === '' || rows.some((r) => r.key === newKey)} onClick={add}>
          Add
        </button>
      </div>
      <ErrorBox error={error} />
      {saved ? <p role="status">{saved}</p> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          Save
        </button>
        <button type="button" className="danger" onClick={del}>
          Delete…
        </button>
      </div>
      {node.effective ? (
        <details>
          <summary>Effective settings (with inheritance)</summary>
          <pre>{JSON.stringify(node.effective, null, 2)}</pre>
        </details>
      ) : null}
    </form>
  );
}
