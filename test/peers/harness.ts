// Starts real third-party peers (DCMTK, Orthanc, snmpd, dnsmasq, nats-server...) for tests: on
// 127.0.0.1, on a free port, with TCP_NODELAY=1 for DICOM tools, and stops them afterwards.
// A peer that is not installed is reported with the Debian package to install.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import dgram from 'node:dgram';

/** A TCP port that was free a moment ago on 127.0.0.1 (the kernel picks it). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A UDP port that was free a moment ago on 127.0.0.1. */
export async function freeUdpPort(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  const port = sock.address().port;
  await new Promise<void>((r) => sock.close(() => r()));
  return port;
}

export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Throws a message naming the Debian package when a peer program is missing. */
export function requireCommand(cmd: string, debianPackage: string): void {
  if (!hasCommand(cmd)) throw new Error(`peer program ${cmd} is not installed: apt-get install ${debianPackage}`);
}

export interface Peer {
  readonly process: ChildProcess;
  readonly port: number;
  /** Everything the peer printed so far (stdout and stderr), for assertions and failure reports. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartPeerOptions {
  readonly port: number;
  /** Wait until this TCP port accepts connections (default: `port`). Set false for UDP peers. */
  readonly waitTcp?: number | false;
  /** Or wait until the output matches. */
  readonly waitOutput?: RegExp;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  readonly startTimeoutMs?: number;
}

export async function startPeer(cmd: string, args: readonly string[], opts: StartPeerOptions): Promise<Peer> {
  const child = spawn(cmd, args, { env: { ...process.env, TCP_NODELAY: '1', ...opts.env }, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`${cmd} exited early with code ${String(code)}: ${out.slice(-2000)}`);
  });
  const deadline = Date.now() + (opts.startTimeoutMs ?? 15_000);
  const ready = (async () => {
    for (;;) {
      if (Date.now() > deadline) throw new Error(`${cmd} did not become ready in time: ${out.slice(-2000)}`);
      if (opts.waitOutput && opts.waitOutput.test(out)) return;
      const tcp = opts.waitTcp === undefined ? opts.port : opts.waitTcp;
      if (!opts.waitOutput && tcp !== false && (await canConnect(tcp))) return;
      if (!opts.waitOutput && tcp === false) return;
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  try {
    await Promise.race([ready, exited]);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  exited.catch(() => undefined);
  return {
    process: child,
    port: opts.port,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(t);
    },
  };
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
