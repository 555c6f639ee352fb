// The simulated SNMP agent (a 48-port switch, a UPS or a server) for the demo hospital, tests and
// benchmarks: net-snmp's Agent serving the model in model.ts on 127.0.0.1, every value computed at
// request time from an injectable clock. It counts the datagrams it receives so tests can check
// how many requests a batch of sensors costs.

import dgram from 'node:dgram';
import { once } from 'node:events';
import { snmp, type MibRequest, type V3User } from '../../protocols/snmp/lib.ts';
import type { SnmpV3User } from '../../protocols/snmp/client.ts';
import { createDevice, patchInterface, type SimProfile, type UpsState } from './model.ts';

export { SIM_PROFILES, type SimProfile, type UpsState } from './model.ts';

export interface SnmpAgentOptions {
  /** UDP port; 0 (default) lets the kernel pick a free one. */
  readonly port?: number;
  readonly host?: string;
  /** v1/v2c community (default "public"). */
  readonly community?: string;
  readonly v3Users?: readonly SnmpV3User[];
  readonly profile: SimProfile;
  /** Epoch ms clock; tests pass a fake one to move counters without waiting. */
  readonly now?: () => number;
  /** Serve no ifXTable (an old agent: 32-bit counters only). */
  readonly noHighCapacity?: boolean;
  /** Answer tooBig to requests with more varbinds than this (a small embedded agent). */
  readonly maxVarbinds?: number;
}

export interface InterfacePatch {
  readonly operStatus?: 'up' | 'down';
  readonly adminStatus?: 'up' | 'down';
  /** Sets the 64-bit octet counter (the 32-bit one is its low half) from now on. */
  readonly inOctets?: bigint;
  readonly outOctets?: bigint;
  /** Renames the port (ifName and ifDescr), e.g. to simulate a renumbering after a line card swap. */
  readonly name?: string;
}

export interface SimulatedSnmpAgent {
  readonly host: string;
  readonly port: number;
  /** Datagrams received so far. */
  readonly requests: number;
  /** sysUpTime starts again at 0 and every counter restarts from 0. */
  reboot(): void;
  setInterface(ifIndex: number, patch: InterfacePatch): void;
  setUps(patch: Partial<UpsState>): void;
  /** Current 64-bit octet counters of an interface, to compute expected rates in tests. */
  octets(ifIndex: number): { in: bigint; out: bigint };
  close(): Promise<void>;
}

const LEVEL = { noAuthNoPriv: snmp.SecurityLevel.noAuthNoPriv, authNoPriv: snmp.SecurityLevel.authNoPriv, authPriv: snmp.SecurityLevel.authPriv } as const;

export async function startSnmpAgent(opts: SnmpAgentOptions): Promise<SimulatedSnmpAgent> {
  const now = opts.now ?? Date.now;
  const host = opts.host ?? '127.0.0.1';
  const device = createDevice({ profile: opts.profile, now, ...(opts.noHighCapacity ? { noHighCapacity: true } : {}) });
  let requests = 0;
  const created: { socket?: dgram.Socket } = {};
  // net-snmp replaces port 0 by 161; a dgram wrapper binds the port we want and lets us count datagrams.
  const dgramModule = {
    createSocket(type: dgram.SocketType) {
      const s = dgram.createSocket(type);
      created.socket = s;
      const bind = s.bind.bind(s) as (port: number, address: string) => dgram.Socket;
      (s as unknown as { bind: (p: number, a: string) => dgram.Socket }).bind = (_p, address) => bind(opts.port ?? 0, address);
      s.on('message', () => requests++);
      return s;
    },
  };
  const agent = snmp.createAgent({ port: 1, address: host, dgramModule, disableAuthorization: false }, () => undefined);
  const sock = created.socket;
  if (!sock) throw new Error('net-snmp did not create a socket');
  await Promise.race([
    once(sock, 'listening'),
    once(sock, 'error').then(([e]) => {
      throw e as Error;
    }),
  ]);
  const auth = agent.getAuthorizer();
  auth.addCommunity(opts.community ?? 'public');
  for (const u of opts.v3Users ?? []) {
    const user: V3User = {
      name: u.name,
      level: LEVEL[u.level],
      ...(u.authProtocol ? { authProtocol: snmp.AuthProtocols[u.authProtocol]!, authKey: u.authKey ?? '' } : {}),
      ...(u.privProtocol ? { privProtocol: snmp.PrivProtocols[u.privProtocol]!, privKey: u.privKey ?? '' } : {}),
    };
    auth.addUser(user);
  }

  const mib = agent.getMib();
  // net-snmp's agent rebuilds the whole table row for every table varbind it answers, only to pass
  // it to the request callback (which we ignore); that dominated the simulator's CPU. The simulator
  // is read-only, so no SET path needs the row.
  (mib as unknown as { getTableRowCells: () => null }).getTableRowCells = () => null;
  const readOnly = snmp.MaxAccess['read-only']!;
  // The agent calls the handlers of one request synchronously, one per varbind: counting them
  // within a tick gives the request's size.
  let inRequest = 0;
  const tooBig = (req: MibRequest): boolean => {
    if (opts.maxVarbinds === undefined) return false;
    if (inRequest++ === 0) setImmediate(() => (inRequest = 0));
    if (inRequest <= opts.maxVarbinds) return false;
    req.done({ errorStatus: 1 });
    return true;
  };
  for (const s of device.scalars) {
    const handler = (req: MibRequest) => {
      if (tooBig(req)) return;
      req.instanceNode.value = s.value();
      req.done();
    };
    mib.registerProvider({ name: s.name, type: snmp.MibProviderType.Scalar, oid: s.oid, scalarType: s.type, maxAccess: readOnly, handler });
    mib.setScalarValue(s.name, s.value());
  }
  for (const t of device.tables) {
    const byNumber = new Map(t.columns.map((c) => [c.number, c]));
    const prefix = t.entryOid + '.';
    // Values are computed per request: the MIB only holds the row structure for GETNEXT/GETBULK.
    const handler = (req: MibRequest) => {
      if (tooBig(req)) return;
      const [col, idx] = req.oid.slice(prefix.length).split('.').map(Number);
      const column = byNumber.get(col ?? -1);
      if (column && idx !== undefined && t.rows.includes(idx)) req.instanceNode.value = column.value(idx);
      req.done();
    };
    const indexCol = t.foreignIndex?.column ?? t.columns[0]!.name;
    mib.registerProvider({
      name: t.name,
      type: snmp.MibProviderType.Table,
      oid: t.entryOid,
      maxAccess: snmp.MaxAccess['not-accessible']!,
      tableColumns: t.columns.map((c) => ({ number: c.number, name: c.name, type: c.type, maxAccess: readOnly })),
      tableIndex: [t.foreignIndex ? ({ columnName: indexCol, foreign: t.foreignIndex.table } as { columnName: string }) : { columnName: indexCol }],
      handler,
    });
    for (const row of t.rows) mib.addTableRow(t.name, [...(t.foreignIndex ? [row] : []), ...t.columns.map((c) => c.value(row))]);
  }

  const port = sock.address().port;
  const status = (s: 'up' | 'down' | undefined) => (s === undefined ? undefined : s === 'up' ? 1 : 2);
  return {
    host,
    port,
    get requests() {
      return requests;
    },
    reboot: () => device.reboot(),
    setInterface(ifIndex, patch) {
      const p = { operStatus: status(patch.operStatus), adminStatus: status(patch.adminStatus), inOctets: patch.inOctets, outOctets: patch.outOctets, name: patch.name };
      patchInterface(device, ifIndex, Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)), now());
    },
    setUps(patch) {
      Object.assign(device.ups, patch);
    },
    octets: (i) => device.octets(i),
    close: () => new Promise<void>((resolve) => agent.close(() => resolve())),
  };
}
