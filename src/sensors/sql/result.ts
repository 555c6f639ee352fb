// Turns a query result into channels: the value (first column of the selected row, or a named
// column), and optionally one channel per numeric column with a camelCased key.

import type { ChannelValue } from '../../core/model.ts';
import type { SqlResult } from './run.ts';

const NUMERIC = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;

/** Numbers as drivers return them: JS numbers, bigints, DECIMAL/BIGINT as strings, booleans as 1/0. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && NUMERIC.test(v)) {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** "free_space_mb" / "Free Space" / "queue-length" → freeSpaceMb / freeSpace / queueLength. */
export function camelKey(column: string): string {
  const words = column.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const key = words.map((w, i) => (i === 0 ? w.charAt(0).toLowerCase() + w.slice(1) : w.charAt(0).toUpperCase() + w.slice(1))).join('');
  if (key === '') return 'column';
  return /^[a-z]/.test(key) ? key : `c${key.charAt(0).toUpperCase()}${key.slice(1)}`;
}

export type ValuePick = { readonly ok: true; readonly value?: number } | { readonly ok: false; readonly error: string; readonly message: string };

/** The value channel: a named column must exist and be numeric; the default first column only counts when numeric. */
export function pickValue(result: SqlResult, rowIndex: number, valueColumn: string | undefined): ValuePick {
  const row = result.rows[rowIndex];
  if (valueColumn === undefined) {
    const n = row ? toNumber(row[0]) : undefined;
    return { ok: true, ...(n !== undefined ? { value: n } : {}) };
  }
  const idx = result.columns.indexOf(valueColumn);
  if (idx < 0) return { ok: false, error: 'SQL_NOT_NUMERIC', message: `the result has no column "${valueColumn}" (columns: ${result.columns.join(', ') || 'none'})` };
  if (!row) return { ok: false, error: 'SQL_NO_ROWS', message: `the query returned ${result.rows.length} row(s): no row ${rowIndex + 1} to read "${valueColumn}" from` };
  const n = toNumber(row[idx]);
  if (n === undefined) return { ok: false, error: 'SQL_NOT_NUMERIC', message: `column "${valueColumn}" is not a number: ${JSON.stringify(row[idx]) ?? String(row[idx])}` };
  return { ok: true, value: n };
}

/** One channel per numeric column of the selected row; reserved and repeated keys are skipped (first wins). */
export function columnChannels(result: SqlResult, rowIndex: number, reserved: ReadonlySet<string>): ChannelValue[] {
  const row = result.rows[rowIndex];
  if (!row) return [];
  const seen = new Set(reserved);
  const out: ChannelValue[] = [];
  result.columns.forEach((name, i) => {
    const n = toNumber(row[i]);
    const key = camelKey(name);
    if (n === undefined || seen.has(key)) return;
    seen.add(key);
    out.push({ key, value: n, unit: 'value', name });
  });
  return out;
}
