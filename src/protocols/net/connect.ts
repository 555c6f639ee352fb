// A timed TCP (optionally TLS) connect that honours an AbortSignal: it reports the dns, connect and
// tls phases in ms, and on any failure destroys the socket and says in which phase it failed, so
// that callers can tell "could not connect in time" from "connected, then no answer in time".

import net from 'node:net';
import tls from 'node:tls';

export type ConnectPhase = 'dns' | 'connect' | 'tls';

export interface TimedConnectOptions {
  readonly host: string;
  readonly port: number;
  readonly signal: AbortSignal;
  /** Monotonic ms. */
  readonly now: () => number;
  /** Upgrade to TLS right after the TCP connect (servername defaults to the host when it is a name). */
  readonly tls?: tls.ConnectionOptions;
}

export interface ConnectPhases {
  dns?: number;
  connect?: number;
  tls?: number;
}

export interface TimedConnection {
  /** The connected socket; the caller owns it and must destroy it. */
  readonly socket: net.Socket;
  readonly phases: Readonly<ConnectPhases>;
}

/** Why a connect failed: the phase it was in, and the cause (a system error or the signal's reason). */
export class ConnectFailure extends Error {
  constructor(
    readonly phase: ConnectPhase,
    override readonly cause: unknown,
    /** True when the signal ended it (see abortKind for timeout vs cancel). */
    readonly aborted: boolean,
    readonly phases: Readonly<ConnectPhases>,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'ConnectFailure';
  }
}

/** A timeout (AbortSignal.timeout(), or abort(reason) with a TimeoutError) versus a plain cancel. */
export function abortKind(signal: AbortSignal): 'timeout' | 'aborted' {
  return (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError' ? 'timeout' : 'aborted';
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

export function timedConnect(opts: TimedConnectOptions): Promise<TimedConnection> {
  const { signal, now } = opts;
  const phases: ConnectPhases = {};
  if (signal.aborted) return Promise.reject(new ConnectFailure(net.isIP(opts.host) ? 'connect' : 'dns', signal.reason, true, phases));
  const start = now();
  let mark = start;
  let phase: ConnectPhase = net.isIP(opts.host) ? 'connect' : 'dns';
  const socket: net.Socket = opts.tls
    ? tls.connect({ host: opts.host, port: opts.port, ...(net.isIP(opts.host) ? {} : { servername: opts.host }), ...opts.tls })
    : net.connect({ host: opts.host, port: opts.port });
  return new Promise<TimedConnection>((resolve, reject) => {
    const cleanup = (): void => {
      signal.removeEventListener('abort', onAbort);
      socket.off('lookup', onLookup);
      socket.off('connect', onConnect);
      socket.off('secureConnect', onSecure);
      socket.off('error', onError);
      socket.off('close', onClose);
    };
    const fail = (cause: unknown, aborted: boolean): void => {
      cleanup();
      socket.destroy();
      // a late error from the destroyed socket must not become an uncaught exception
      socket.on('error', () => {});
      reject(new ConnectFailure(phase, cause, aborted, { ...phases }));
    };
    const onAbort = (): void => fail(signal.reason, true);
    const onError = (err: Error): void => fail(err, false);
    const onClose = (): void => fail(Object.assign(new Error('connection closed during the handshake'), { code: 'ECONNRESET' }), false);
    const onLookup = (err: Error | null): void => {
      if (err) return; // reported through 'error'
      const t = now();
      phases.dns = round(t - mark);
      mark = t;
      phase = 'connect';
    };
    const onConnect = (): void => {
      const t = now();
      phases.connect = round(t - mark);
      mark = t;
      if (!opts.tls) return done();
      phase = 'tls';
    };
    const onSecure = (): void => {
      phases.tls = round(now() - mark);
      done();
    };
    const done = (): void => {
      cleanup();
      resolve({ socket, phases: { ...phases } });
    };
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('lookup', onLookup);
    socket.on('connect', onConnect);
    socket.on('secureConnect', onSecure);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}
