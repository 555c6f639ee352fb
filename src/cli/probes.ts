// `wardwatch probes`: lists the remote probes the core has seen and approves or rejects them, in
// the core's store (a running core sends an approved probe its configuration at the probe's next
// hello, within its retry interval).

import { parseArgs } from 'node:util';
import { openClusterTables, type ProbeRecord } from '../cluster/registry.ts';
import { openStore } from '../store/open.ts';
import type { Io } from './io.ts';

export const PROBES_USAGE = `usage: wardwatch probes list [--data DIR | --store URL]
       wardwatch probes approve NAME [--by WHO] [--data DIR | --store URL]
       wardwatch probes reject NAME [--by WHO] [--data DIR | --store URL]
`;

export async function probesCommand(argv: readonly string[], io: Io): Promise<number> {
  let values;
  let positionals;
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: { data: { type: 'string', default: './data' }, store: { type: 'string' }, by: { type: 'string', default: process.env.USER ?? 'cli' } },
    }));
  } catch (e) {
    io.err(`${(e as Error).message}\n${PROBES_USAGE}`);
    return 2;
  }
  const [action, name] = positionals;
  if (action !== 'list' && action !== 'approve' && action !== 'reject') {
    io.err(`unknown action ${JSON.stringify(action ?? '')}\n${PROBES_USAGE}`);
    return 2;
  }
  if (action !== 'list' && name === undefined) {
    io.err(`probes ${action}: which probe? (NAME missing)\n${PROBES_USAGE}`);
    return 2;
  }
  let store;
  try {
    store = await openStore({ dataDir: values.data, ...(values.store !== undefined ? { url: values.store } : {}) });
  } catch (e) {
    io.err(`cannot open the store: ${(e as Error).message}\n`);
    return 1;
  }
  try {
    const tables = await openClusterTables(store);
    if (action === 'list') {
      const list = await tables.list();
      if (list.length === 0) io.out('no remote probe has connected yet\n');
      for (const p of list) io.out(`${line(p)}\n`);
      return 0;
    }
    const rec = await tables.decide(name!, action === 'approve' ? 'approved' : 'rejected', values.by, Date.now());
    io.out(`${line(rec)}\n`);
    return 0;
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

function line(p: ProbeRecord): string {
  const decided = p.decidedBy !== undefined ? ` (${p.approval} by ${p.decidedBy} ${new Date(p.decidedAt ?? 0).toISOString()})` : '';
  return `${p.name.padEnd(20)} ${p.approval.padEnd(9)} last seen ${new Date(p.lastSeen).toISOString()}${decided}`;
}
