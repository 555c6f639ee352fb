// Crash-test fixture: writes fixed-size batches into a SQLite store in a tight loop and prints each
// batch number once it is committed, until the test kills it (SIGKILL).
// Usage: node --import tsx crash-writer.ts FILE FIRST_BATCH

import { openSqliteStore } from '../index.ts';
import { crashBatch } from './crash-batch.ts';

/** A bound, so that a test that failed to kill the writer does not fill the disk. */
const MAX_BATCHES = 3000;

const [file, first] = process.argv.slice(2);
if (file === undefined || first === undefined) throw new Error('usage: crash-writer.ts FILE FIRST_BATCH');
const store = openSqliteStore({ path: file });
for (let k = Number(first); k < MAX_BATCHES; k++) {
  const { values, checks } = crashBatch(k);
  await store.writeBatch(values, checks);
  process.stdout.write(`${k}\n`);
}
await store.close();
