// A core process for the crash test: ingests from the cluster link into a SQLite file and prints
// its ingest counters, until it is killed. argv: natsUrl user password dbPath treeSpecJson
import { startClusterCore } from '../../src/cluster/core.ts';
import { openSqliteStore } from '../../src/store/sqlite/index.ts';
import { clusterTree, type ProbeSpec } from './fixture.ts';

const [url, user, password, dbPath, spec] = process.argv.slice(2) as [string, string, string, string, string];
const tree = clusterTree(JSON.parse(spec) as ProbeSpec[]);
const store = openSqliteStore({ path: dbPath });
const core = await startClusterCore({ link: { url, user, password }, store, tree: () => tree, log: (l) => process.stderr.write(`${l}\n`), ingestBatch: 16, ackWaitMs: 3000 });
process.stdout.write('ready\n');
setInterval(() => process.stdout.write(`values ${core.ingestStats().values}\n`), 20);
process.once('SIGTERM', () => {
  void core.close().then(() => store.close()).then(() => process.exit(0));
});
