// Starts the receivers the configuration asks for (syslog, SNMP traps), feeding the message log
// and the inbox; stops them again. Used by the composition root only.

import { readFile } from 'node:fs/promises';
import type { Inbox } from '../sensors/sensor.ts';
import type { MessageLog } from '../store/store.ts';
import type { ReceiversConfig } from './config.ts';
import { startSyslogReceiver } from './syslog/index.ts';
import { startTrapReceiver } from './snmp-trap/index.ts';

export interface ReceiverDeps {
  /** Device id for a sender address (the tree's device hosts), undefined for unknown senders. */
  deviceOf(address: string): string | undefined;
  readonly messages: MessageLog;
  readonly inbox: Inbox;
  readonly log: (line: string) => void;
}

export interface RunningReceivers {
  /** Where each receiver listens, for the start-up banner and the health endpoint. */
  readonly addresses: readonly string[];
  stats(): Readonly<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startReceivers(cfg: ReceiversConfig | undefined, deps: ReceiverDeps): Promise<RunningReceivers> {
  const closers: (() => Promise<void>)[] = [];
  const stats: Record<string, () => unknown> = {};
  const addresses: string[] = [];
  const sinkBatch = (batch: readonly Parameters<MessageLog['appendMessages']>[0][number][]) => deps.messages.appendMessages(batch);
  try {
    if (cfg?.syslog && (cfg.syslog.udp || cfg.syslog.tcp || cfg.syslog.tls)) {
      const s = cfg.syslog;
      const tls = s.tls
        ? { host: s.tls.host, port: s.tls.port, cert: await readFile(s.tls.certFile, 'utf8'), key: await readFile(s.tls.keyFile, 'utf8'), ...(s.tls.caFile ? { ca: await readFile(s.tls.caFile, 'utf8') } : {}), requireClientCert: s.tls.requireClientCert }
        : undefined;
      const r = await startSyslogReceiver({
        ...(s.udp ? { udp: s.udp } : {}),
        ...(s.tcp ? { tcp: s.tcp } : {}),
        ...(tls ? { tls } : {}),
        maxQueue: s.maxQueue,
        deviceOf: (a) => deps.deviceOf(a),
        sinkBatch,
        inbox: deps.inbox,
        onDrop: (n) => deps.log(`syslog: ${n} messages dropped (queue full)`),
        onError: (e) => deps.log(`syslog: ${e.message}`),
      });
      closers.push(() => r.close());
      stats.syslog = () => r.stats();
      for (const [proto, a] of Object.entries(r.addresses)) if (a) addresses.push(`syslog/${proto} ${a.host}:${a.port}`);
    }
    if (cfg?.snmpTraps) {
      const t = cfg.snmpTraps;
      const r = await startTrapReceiver({
        host: t.host,
        port: t.port,
        communities: t.communities,
        deviceOf: (a) => deps.deviceOf(a),
        sinkBatch,
        inbox: deps.inbox,
        onDrop: (n) => deps.log(`snmp-trap: ${n} traps dropped (queue full)`),
        onError: (e) => deps.log(`snmp-trap: ${e.message}`),
      });
      closers.push(() => r.close());
      stats.snmpTraps = () => r.stats();
      addresses.push(`snmp-trap/udp ${r.address.host}:${r.address.port}`);
    }
  } catch (e) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    throw e;
  }
  return {
    addresses,
    stats: () => Object.fromEntries(Object.entries(stats).map(([k, f]) => [k, f()])),
    close: async () => {
      for (const c of closers.reverse()) await c();
    },
  };
}
