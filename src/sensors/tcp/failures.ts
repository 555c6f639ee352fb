// Maps how a network exchange failed (the phase, the cause, the signal) to a catalogue code and a
// one-line message. Shared by the transport-level kinds (tcp, http): "could not connect in time" is
// CONNECT_TIMEOUT, "connected but no answer in time" is TIMEOUT, a cancel is ABORTED.

import { codeFromSystemError } from '../../core/errors.ts';
import { abortKind, type ConnectPhase } from '../../protocols/net/connect.ts';

export type ExchangePhase = ConnectPhase | 'request' | 'response';

/** The catalogue code for a failure in `phase`; `aborted` means the signal ended it. */
export function failureCode(phase: ExchangePhase, cause: unknown, aborted: boolean, signal: AbortSignal): string {
  if (aborted) {
    if (abortKind(signal) === 'aborted') return 'ABORTED';
    return phase === 'dns' || phase === 'connect' ? 'CONNECT_TIMEOUT' : 'TIMEOUT';
  }
  const code = codeFromSystemError(cause);
  // a peer that hangs up in the middle of a handshake is a handshake failure, not a plain reset
  if (phase === 'tls' && (code === 'ECONNRESET' || code === 'INTERNAL')) return 'TLS_HANDSHAKE';
  return code;
}

/**
 * The Reading's message for a failure: the target, plus the cause's own words where they add
 * something ("certificate has expired"). The console puts the catalogue sentence in front of it
 * ("TLS handshake failed: certificate expired: 10.1.2.3:443: certificate has expired").
 */
export function failureMessage(code: string, target: string, cause?: unknown): string {
  const detail = cause instanceof Error ? cause.message : undefined;
  if (detail && (code.startsWith('TLS_') || code === 'INTERNAL' || code === 'HTTP_PROTOCOL')) return `${target}: ${detail}`;
  return target;
}

/** "host:port", with IPv6 literals in brackets. */
export function target(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
