// The TLS transport of the tls kind: one handshake that always completes (even for untrusted or
// weak certificates, so that they can be judged rather than just refused), and the facts it saw —
// protocol, cipher, the leaf certificate, the chain verdict and the phase timings.

import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { codeFromSystemError } from '../../core/errors.ts';

export interface HandshakeOptions {
  readonly host: string;
  readonly port: number;
  /** SNI; omitted for IP addresses (TLS forbids them in SNI). */
  readonly servername?: string;
  /** Trust anchors and permissive protocol settings, built once per trust store. */
  readonly secureContext: tls.SecureContext;
  readonly signal: AbortSignal;
  readonly now: () => number;
}

export interface HandshakeFacts {
  readonly protocol: string | null;
  readonly cipher: string;
  /** The chain verified against the trust anchors (host name not included). */
  readonly authorized: boolean;
  readonly authorizationError?: string;
  /** Legacy form: what tls.checkServerIdentity needs, plus subject/issuer fields. */
  readonly peer: tls.PeerCertificate;
  readonly leaf: X509Certificate;
  readonly connectMs: number;
  readonly tlsMs: number;
}

export type HandshakeOutcome =
  | { readonly ok: true; readonly facts: HandshakeFacts }
  | { readonly ok: false; readonly error: string; readonly message: string; readonly phases?: Readonly<Record<string, number>> };

/**
 * TLS 1.0 and SECLEVEL=0 are allowed on purpose: the sensor has to see a weak server to report it
 * (TLS_PROTOCOL_WEAK, TLS_KEY_WEAK) instead of failing with an opaque handshake error.
 */
export function permissiveContext(ca: readonly string[] | undefined): tls.SecureContext {
  return tls.createSecureContext({ minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0', ...(ca ? { ca: [...ca] } : {}) });
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function abortOutcome(signal: AbortSignal): HandshakeOutcome {
  const timeout = (signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
  return { ok: false, error: timeout ? 'TIMEOUT' : 'ABORTED', message: timeout ? 'the TLS handshake did not finish within the timeout' : 'the TLS check was cancelled' };
}

export function handshake(o: HandshakeOptions): Promise<HandshakeOutcome> {
  if (o.signal.aborted) return Promise.resolve(abortOutcome(o.signal));
  return new Promise((resolve) => {
    const t0 = o.now();
    let tConnect: number | undefined;
    let done = false;
    const socket = tls.connect({
      host: o.host,
      port: o.port,
      ...(o.servername !== undefined ? { servername: o.servername } : {}),
      secureContext: o.secureContext,
      // never refuse here: the kind judges trust, name and strength itself after the handshake
      // (the name against `sni ?? host`, so Node's own name check would only muddle the chain verdict)
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    const phases = (): Record<string, number> => (tConnect === undefined ? { connect: round(o.now() - t0) } : { connect: round(tConnect - t0), tls: round(o.now() - tConnect) });
    const finish = (outcome: HandshakeOutcome) => {
      if (done) return;
      done = true;
      o.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = () => finish(abortOutcome(o.signal));
    o.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => (tConnect = o.now()));
    socket.once('secureConnect', () => {
      const tEnd = o.now();
      // only the legacy object: on Node 20, calling getPeerX509Certificate() first empties it
      const peer = socket.getPeerCertificate(false) as tls.PeerCertificate | undefined;
      if (!peer?.raw) {
        finish({ ok: false, error: 'TLS_HANDSHAKE', message: 'the server sent no certificate', phases: phases() });
        return;
      }
      const leaf = new X509Certificate(peer.raw);
      const authError = socket.authorizationError as unknown as string | Error | null | undefined;
      const facts: HandshakeFacts = {
        protocol: socket.getProtocol(),
        cipher: socket.getCipher()?.name ?? 'unknown cipher',
        authorized: socket.authorized,
        ...(authError ? { authorizationError: typeof authError === 'string' ? authError : ((authError as { code?: string }).code ?? authError.message) } : {}),
        peer,
        leaf,
        connectMs: round((tConnect ?? t0) - t0),
        tlsMs: round(tEnd - (tConnect ?? t0)),
      };
      finish({ ok: true, facts });
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = codeFromSystemError(err);
      const inTls = tConnect !== undefined;
      const error = code === 'INTERNAL' && inTls ? 'TLS_HANDSHAKE' : code;
      const what = inTls ? `TLS handshake with ${o.host}:${o.port} failed` : `cannot connect to ${o.host}:${o.port}`;
      finish({ ok: false, error, message: `${what}: ${err.message}`, phases: phases() });
    });
    socket.once('close', () => finish({ ok: false, error: 'CLOSED_EARLY', message: `${o.host}:${o.port} closed the connection during the TLS handshake`, phases: phases() }));
  });
}
