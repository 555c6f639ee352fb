// A dispatcher in a process of its own, for the kill -9 test: it opens the SQLite file, enqueues
// the notifications it is given (idempotently), and sends them one at a time to a webhook until it
// is killed. Usage: tsx dispatch-child.ts <db file> <webhook url> <count>

import Database from 'better-sqlite3';
import { systemClock } from '../../../shared/clock.ts';
import { SqliteDeliveryStore } from '../../../store/sqlite/delivery.ts';
import { channelInstanceSchema, type ChannelInstance } from '../../channels/registry.ts';
import { startDelivery } from '../index.ts';
import { queuedNote } from './notes.ts';

const [file, url, count] = process.argv.slice(2);
if (file === undefined || url === undefined || count === undefined) throw new Error('usage: dispatch-child.ts <db file> <webhook url> <count>');
const db = new Database(file);
db.pragma('journal_mode = WAL');
const store = new SqliteDeliveryStore(db);
const hook = channelInstanceSchema.parse({ name: 'hook', kind: 'webhook', url }) as ChannelInstance;
const delivery = await startDelivery({ store, channels: [hook], clock: systemClock, concurrency: 1, owner: 'child', log: (l) => process.stderr.write(`${l}\n`) });
await delivery.enqueue(Array.from({ length: Number(count) }, (_, i) => queuedNote(i, 'hook')));
process.stdout.write('started\n');
