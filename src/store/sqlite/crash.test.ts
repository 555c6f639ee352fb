// kill -9 at any moment loses at most the batch in flight and never corrupts the file: a child
// process writes batches in a loop and is SIGKILLed mid-stream, twice, on the same file.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { CHECKS_PER_BATCH, STEPS, VALUES_PER_BATCH } from './__fixtures__/crash-batch.ts';
import { openSqliteStore } from './index.ts';

const FIXTURE = fileURLToPath(new URL('./__fixtures__/crash-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Starts the writer at `first` and SIGKILLs it once `committed` more batches are reported done. */
async function writeThenKill(file: string, first: number, committed: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, file, String(first)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = 0;
  let lastDone = first - 1;
  let stderr = '';
  let buffered = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      lastDone = Number(line);
      seen += 1;
      // The loop goes straight on to the next batch, so the kill lands mostly inside a transaction.
      if (seen === committed) child.kill('SIGKILL');
    }
  });
  // 'close' (not 'exit') waits until stdout is drained: every line the writer printed is counted.
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  expect({ code, signal, stderr }).toEqual({ code: null, signal: 'SIGKILL', stderr: '' });
  return lastDone;
}

function inspect(file: string): { integrity: string; values: number; checks: number; rollups: number[]; checkRollups: number[] } {
  const db = new Database(file);
  try {
    const one = (sql: string): number => db.prepare<[], number>(sql).pluck().get() ?? 0;
    return {
      integrity: db.prepare<[], string>('PRAGMA integrity_check').pluck().get() ?? '',
      values: one('SELECT count(*) FROM value_raw'),
      checks: one('SELECT count(*) FROM check_raw'),
      rollups: ['value_1m', 'value_1h', 'value_1d'].map((t) => one(`SELECT coalesce(sum(n), 0) FROM ${t}`)),
      checkRollups: ['check_1m', 'check_1h', 'check_1d'].map((t) => one(`SELECT coalesce(sum(total), 0) FROM ${t}`)),
    };
  } finally {
    db.close();
  }
}

describe('SQLite store under kill -9', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ww-crash-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every committed batch whole and the file intact', { timeout: 120_000 }, async () => {
    const file = join(dir, 'data', 'crash.db');
    let next = 0;
    for (let round = 0; round < 2; round++) {
      const lastDone = await writeThenKill(file, next, 4);
      const s = inspect(file);
      expect(s.integrity).toBe('ok');
      // Only whole batches: every batch reported as committed, plus possibly one committed but
      // killed before it could say so.
      expect(s.values % VALUES_PER_BATCH).toBe(0);
      const batches = s.values / VALUES_PER_BATCH;
      expect(batches === lastDone + 1 || batches === lastDone + 2).toBe(true);
      expect(s.checks).toBe(batches * CHECKS_PER_BATCH);
      // Rollups were written in the same transactions: they count exactly the raw rows.
      expect(s.rollups).toEqual([s.values, s.values, s.values]);
      expect(s.checkRollups).toEqual([s.checks, s.checks, s.checks]);
      next = batches;
    }
    // And the store opens on it and reads on.
    const store = openSqliteStore({ path: file });
    try {
      expect(await store.channelsOf('s0')).toEqual(['c0', 'c1', 'c2', 'c3']);
      const h = await store.history({ sensorId: 's0', channel: 'c0', from: 0, to: Date.UTC(2030, 0, 1), resolution: '1d' });
      expect(h.points.reduce((n, p) => n + p.count, 0)).toBe(next * STEPS);
    } finally {
      await store.close();
    }
  });
});
