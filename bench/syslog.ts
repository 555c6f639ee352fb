// Syslog messages per second ingested into SQLite over UDP and TCP (with queue and kernel drop
// counts), and SNMP traps per second through the trap receiver. The senders run in a child
// process so that they do not share the receiver's event loop. `npx tsx bench/syslog.ts` or
// `npm run bench syslog`.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startTrapReceiver } from '../src/receivers/snmp-trap/index.ts';
import { startSyslogReceiver } from '../src/receivers/syslog/index.ts';
import { openSqliteStore } from '../src/store/sqlite/index.ts';
import type { ReceivedMessage } from '../src/store/store.ts';

const N_SYSLOG = 100_000;
const N_TRAPS = 20_000;
const require = createRequire(import.meta.url);

/** Starts a child Node process running `code` (CommonJS) with the given argv; resolves when it exits. */
function child(code: string, args: readonly string[]) {
  const p = spawn(process.execPath, ['-e', code, '--', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { kill: () => p.kill(), exited: new Promise<void>((r) => p.on('exit', () => r())) };
}

// Sends N datagrams with at most 1,000 in flight, then an END marker every 20 ms until killed.
const UDP_SENDER = `
const dgram = require('node:dgram'); const [port, n] = process.argv.slice(-2).map(Number);
const s = dgram.createSocket('udp4'); let next = 0, inFlight = 0, done = 0;
const pump = () => { while (inFlight < 1000 && next < n) { inFlight++; s.send('<134>1 2026-11-28T10:00:00Z bench-host app 1 ID - message ' + next++, port, '127.0.0.1', () => { inFlight--; if (++done === n) end(); else pump(); }); } };
const end = () => setInterval(() => s.send('<134>1 - bench-host app - - - END', port, '127.0.0.1'), 20);
pump();`;

const TCP_SENDER = `
const net = require('node:net'); const [port, n] = process.argv.slice(-2).map(Number);
const sock = net.connect(port, '127.0.0.1'); let i = 0;
const write = () => { while (i < n) { const parts = []; for (let k = 0; k < 1000 && i < n; k++) { const f = '<134>1 2026-11-28T10:00:00Z bench-host app 1 ID - message ' + i++; parts.push(Buffer.byteLength(f) + ' ' + f); } if (!sock.write(parts.join(''))) return sock.once('drain', write); } sock.end('<134>1 - bench-host app - - - END\\n'); };
sock.on('connect', write);`;

const TRAP_SENDER = (netSnmp: string) => `
const snmp = require(${JSON.stringify(netSnmp)}); const [port, n] = process.argv.slice(-2).map(Number);
const session = snmp.createSession('127.0.0.1', 'public', { port: port, version: snmp.Version2c, trapPort: port });
let sent = 0, inFlight = 0;
const vb = [{ oid: '1.3.6.1.2.1.2.2.1.1.3', type: snmp.ObjectType.Integer, value: 3 }];
const pump = () => { while (inFlight < 200 && sent < n) { inFlight++; sent++; session.trap('1.3.6.1.6.3.1.1.5.3', vb, () => { inFlight--; if (sent < n) pump(); else if (inFlight === 0) end(); }); } };
const end = () => setInterval(() => session.trap('1.3.6.1.6.3.1.1.5.1', [], () => undefined), 20);
pump();`;

async function syslogOver(transport: 'udp' | 'tcp', dir: string): Promise<Record<string, number | string>> {
  const store = openSqliteStore({ path: join(dir, `${transport}.db`) });
  let first = 0;
  let markers = 0;
  let ended!: () => void;
  const endSeen = new Promise<void>((r) => (ended = r));
  const receiver = await startSyslogReceiver({
    [transport]: { host: '127.0.0.1', port: 0 },
    deviceOf: () => 'bench-device',
    maxQueue: 20_000,
    batchSize: 1_000,
    sinkBatch: async (batch: readonly ReceivedMessage[]) => {
      first ||= performance.now();
      await store.appendMessages(batch);
      const ends = batch.filter((m) => m.text === 'END').length;
      markers += ends;
      if (ends > 0) ended();
    },
  });
  const port = (transport === 'udp' ? receiver.addresses.udp : receiver.addresses.tcp)!.port;
  const sender = child(transport === 'udp' ? UDP_SENDER : TCP_SENDER, [String(port), String(N_SYSLOG)]);
  // UDP: the sender repeats END until one gets through. TCP loses nothing but the queue may drop
  // END itself, so the end is also when every frame has been read and the queue is empty.
  const tcpDone = new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (transport === 'tcp' && receiver.stats().received === N_SYSLOG + 1) void receiver.flush().then(() => (clearInterval(t), resolve()));
    }, 20);
    void endSeen.then(() => (clearInterval(t), resolve()));
  });
  await tcpDone;
  const seconds = (performance.now() - first) / 1000;
  sender.kill();
  await sender.exited;
  await receiver.close();
  const s = receiver.stats();
  const newest = await store.messages({ limit: 1 });
  await store.close();
  // The END markers are not part of the flood; a marker dropped by the queue is counted as a flood message (approx.).
  const stored = s.delivered - markers;
  return {
    [`syslog ${transport} sent`]: N_SYSLOG,
    [`syslog ${transport} read`]: s.received,
    [`syslog ${transport} stored`]: stored,
    [`syslog ${transport} newest stored`]: newest[0]?.text ?? 'none',
    [`syslog ${transport} dropped (queue)`]: s.dropped,
    ...(transport === 'udp' ? { 'syslog udp not read (kernel drops, approx.)': Math.max(0, N_SYSLOG - (s.received - markers)) } : {}),
    [`syslog ${transport} stored msgs/s`]: Math.round(stored / seconds),
  };
}

async function traps(): Promise<Record<string, number>> {
  let count = 0;
  let first = 0;
  let ended!: () => void;
  const endSeen = new Promise<void>((r) => (ended = r));
  const receiver = await startTrapReceiver({
    host: '127.0.0.1',
    port: 0,
    deviceOf: () => 'bench-switch',
    maxQueue: 20_000,
    sinkBatch: (batch) => {
      first ||= performance.now();
      for (const m of batch) {
        if (m.data?.trapName === 'coldStart') ended();
        else count++;
      }
    },
  });
  const sender = child(TRAP_SENDER(require.resolve('net-snmp')), [String(receiver.address.port), String(N_TRAPS)]);
  await endSeen;
  const seconds = (performance.now() - first) / 1000;
  sender.kill();
  await sender.exited;
  await receiver.close();
  const s = receiver.stats();
  return { 'traps sent': N_TRAPS, 'traps decoded': count, 'traps dropped (queue)': s.dropped, 'traps errors': s.errors, 'traps/s': Math.round(count / seconds) };
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ww-bench-syslog-'));
  try {
    return { ...(await syslogOver('udp', dir)), ...(await syslogOver('tcp', dir)), ...(await traps()) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const [k, v] of Object.entries(await run())) console.log(`${k.padEnd(44)} ${v}`);
}
