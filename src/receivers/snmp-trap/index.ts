// The SNMP trap receiver: net-snmp's notification receiver on a configurable UDP address (v1 and
// v2c communities, v3 users), each trap or inform turned into a ReceivedMessage on the sender's
// device and handed on through the bounded queue to the store and the inbox (`trap:<deviceId>`).

import dgram from 'node:dgram';
import { once } from 'node:events';
import type { SnmpV3User } from '../../protocols/snmp/client.ts';
import { snmp, type Authorizer, type V3User } from '../../protocols/snmp/lib.ts';
import type { Inbox } from '../../sensors/sensor.ts';
import type { ReceivedMessage } from '../../store/store.ts';
import { createMessageHub, plainAddress } from '../hub.ts';
import { decodeTrap, PDU, toReceivedMessage, type NotificationPdu } from './decode.ts';

export interface TrapReceiverOptions {
  readonly host: string;
  /** UDP port; 0 lets the kernel pick one (tests). The standard port is 162. */
  readonly port: number;
  /** v1/v2c communities accepted (default ["public"]). */
  readonly communities?: readonly string[];
  readonly users?: readonly SnmpV3User[];
  /** The receiver's engine ID, hex (v3 senders of traps must use it: snmptrap -e). */
  readonly engineId?: string;
  deviceOf(sourceIp: string): string | undefined;
  readonly sink?: (m: ReceivedMessage) => void;
  readonly sinkBatch?: (batch: readonly ReceivedMessage[]) => void | Promise<void>;
  readonly inbox?: Inbox;
  readonly maxQueue?: number;
  readonly onDrop?: (dropped: number) => void;
  /** Packets that could not be decoded or authorised, with the sender. */
  readonly onError?: (err: Error) => void;
  readonly now?: () => number;
}

export interface TrapStats {
  /** Notifications decoded and accepted. */
  readonly received: number;
  /** Datagrams that were not valid SNMP, or failed community / user checks. */
  readonly errors: number;
  readonly lastError?: string;
  readonly dropped: number;
  readonly delivered: number;
}

export interface TrapReceiver {
  readonly address: { readonly host: string; readonly port: number };
  stats(): TrapStats;
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface NetSnmpReceiver {
  getAuthorizer(): Authorizer;
  close(cb?: () => void): void;
}
interface Notification {
  readonly pdu: NotificationPdu & { readonly scoped?: boolean };
  readonly rinfo: { readonly address: string };
}
type CreateReceiver = (options: Record<string, unknown>, cb: (error: (Error & { rinfo?: { address: string } }) | null, n: Notification | null) => void) => NetSnmpReceiver;

const LEVEL = { noAuthNoPriv: snmp.SecurityLevel.noAuthNoPriv, authNoPriv: snmp.SecurityLevel.authNoPriv, authPriv: snmp.SecurityLevel.authPriv } as const;

export async function startTrapReceiver(opts: TrapReceiverOptions): Promise<TrapReceiver> {
  const now = opts.now ?? Date.now;
  const hub = createMessageHub({
    topic: 'trap',
    ...(opts.sink ? { sink: opts.sink } : {}),
    ...(opts.sinkBatch ? { sinkBatch: opts.sinkBatch } : {}),
    ...(opts.inbox ? { inbox: opts.inbox } : {}),
    ...(opts.maxQueue !== undefined ? { maxQueue: opts.maxQueue } : {}),
    ...(opts.onDrop ? { onDrop: opts.onDrop } : {}),
    onSinkError: (e) => opts.onError?.(e instanceof Error ? e : new Error(String(e))),
  });
  let received = 0;
  let errors = 0;
  let lastError: string | undefined;

  // net-snmp turns port 0 into 162; a dgram wrapper binds the port asked for and lets us await it.
  const created: { socket?: dgram.Socket } = {};
  const dgramModule = {
    createSocket(type: dgram.SocketType) {
      const s = dgram.createSocket(type);
      created.socket = s;
      const bind = s.bind.bind(s) as (port: number, address: string) => dgram.Socket;
      (s as unknown as { bind: (p: number, a: string) => dgram.Socket }).bind = (_p, address) => bind(opts.port, address);
      return s;
    },
  };
  const createReceiver = (snmp as unknown as { createReceiver: CreateReceiver }).createReceiver;
  const receiver = createReceiver(
    {
      port: 1,
      address: opts.host,
      transport: opts.host.includes(':') ? 'udp6' : 'udp4',
      dgramModule,
      includeAuthentication: true,
      ...(opts.engineId ? { engineID: opts.engineId } : {}),
    },
    (error, n) => {
      if (error || !n) {
        // Garbage, unknown communities, bad v3 authentication: counted and reported, never fatal.
        errors++;
        const from = error?.rinfo ? ` from ${plainAddress(error.rinfo.address)}` : '';
        lastError = `${error?.message ?? 'empty notification'}${from}`;
        opts.onError?.(new Error(`snmp-trap: ${lastError}`));
        return;
      }
      received++;
      const pdu = n.pdu;
      const version = pdu.type === PDU.Trap ? 'v1' : pdu.user !== undefined || pdu.scoped ? 'v3' : 'v2c';
      const source = plainAddress(n.rinfo.address);
      hub.offer(toReceivedMessage(pdu, decodeTrap(pdu, version), source, opts.deviceOf(source), now()));
    },
  );
  const sock = created.socket;
  if (!sock) throw new Error('net-snmp did not create a socket');
  try {
    await Promise.race([once(sock, 'listening'), once(sock, 'error').then(([e]) => Promise.reject(e as Error))]);
  } catch (err) {
    receiver.close();
    throw err;
  }
  const auth = receiver.getAuthorizer();
  for (const c of opts.communities ?? ['public']) auth.addCommunity(c);
  for (const u of opts.users ?? []) {
    const user: V3User = {
      name: u.name,
      level: LEVEL[u.level],
      ...(u.authProtocol ? { authProtocol: snmp.AuthProtocols[u.authProtocol]!, authKey: u.authKey ?? '' } : {}),
      ...(u.privProtocol ? { privProtocol: snmp.PrivProtocols[u.privProtocol]!, privKey: u.privKey ?? '' } : {}),
    };
    auth.addUser(user);
  }
  const address = { host: opts.host, port: sock.address().port };
  let closed = false;
  return {
    address,
    stats: () => ({ received, errors, ...(lastError !== undefined ? { lastError } : {}), dropped: hub.dropped, delivered: hub.delivered }),
    flush: () => hub.flush(),
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((r) => receiver.close(() => r()));
      await hub.flush();
    },
  };
}
