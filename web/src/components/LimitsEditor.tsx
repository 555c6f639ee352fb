// A channel's limits (and display name) set from its sensor page: PUT replaces the kind's defaults
// for this sensor, DELETE goes back to them. The API checks them against the config schema and
// names the field at fault, shown at that field.

import { useState, type FormEvent } from 'react';
import { api, ProblemError } from '../api.ts';
import { ErrorBox, TextField } from './Field.tsx';

export interface ChannelLimits {
  readonly upperError?: number;
  readonly upperWarning?: number;
  readonly lowerWarning?: number;
  readonly lowerError?: number;
  readonly upperErrorMessage?: string;
  readonly upperWarningMessage?: string;
  readonly lowerWarningMessage?: string;
  readonly lowerErrorMessage?: string;
}

const KEYS = [
  { key: 'upperError', label: 'Upper error limit' },
  { key: 'upperWarning', label: 'Upper warning limit' },
  { key: 'lowerWarning', label: 'Lower warning limit' },
  { key: 'lowerError', label: 'Lower error limit' },
] as const;

export function LimitsEditor({ sensorId, channel, name, unit, limits, onSaved, onClose }: { sensorId: string; channel: string; name: string; unit: string; limits: ChannelLimits | undefined; onSaved: () => void; onClose: () => void }) {
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(KEYS.flatMap((k) => [[k.key, limits?.[k.key] !== undefined ? String(limits[k.key]) : ''], [`${k.key}Message`, limits?.[`${k.key}Message`] ?? '']])));
  const [label, setLabel] = useState(name);
  const [fields, setFields] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<unknown>();
  const url = `/api/sensors/${encodeURIComponent(sensorId)}/channels/${encodeURIComponent(channel)}`;

  const done = (p: Promise<unknown>) =>
    p.then(
      () => {
        onSaved();
        onClose();
      },
      (e: unknown) => {
        setError(e);
        if (e instanceof ProblemError) setFields(e.fieldErrors());
      },
    );

  const save = (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    setFields(new Map());
    const out: Record<string, number | string> = {};
    for (const [k, v] of Object.entries(values)) {
      const t = v.trim();
      if (t === '') continue;
      // A number that does not parse goes as written: the API names the field.
      out[k] = k.endsWith('Message') || !Number.isFinite(Number(t)) ? t : Number(t);
    }
    void done(api(url, { method: 'PUT', body: { ...(label.trim() ? { name: label.trim() } : {}), limits: out } }));
  };

  return (
    <form className="panel limits-form" onSubmit={save} aria-label={`Limits of ${name}`}>
      <h3>Limits of {name}</h3>
      <TextField label="Display name" value={label} onChange={(e) => setLabel(e.target.value)} error={fields.get('body.name')} />
      {KEYS.map((k) => (
        <div key={k.key} className="limit-row">
          <TextField label={`${k.label} (${unit})`} inputMode="decimal" value={values[k.key] ?? ''} onChange={(e) => setValues({ ...values, [k.key]: e.target.value })} error={fields.get(`body.limits.${k.key}`)} />
          <TextField label={`${k.label}: message`} value={values[`${k.key}Message`] ?? ''} onChange={(e) => setValues({ ...values, [`${k.key}Message`]: e.target.value })} error={fields.get(`body.limits.${k.key}Message`)} />
        </div>
      ))}
      <ErrorBox error={fields.size === 0 ? error : undefined} />
      <div className="actions">
        <button type="submit" className="primary">
          Save limits
        </button>
        <button type="button" onClick={() => void done(api(url, { method: 'DELETE' }))}>
          Back to the kind’s defaults
        </button>
        <button type="button" className="ghost" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
