// MLLP client: connects (TCP or TLS, mutual TLS when a certificate is given), sends one framed
// message and waits for one framed reply. It knows nothing of ACKs: it hands back the reply bytes
// with phase timings, or an MllpError saying where and how the exchange failed.

import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, MllpDecoder, MllpError, MLLP_ERRORS, type MllpPhase } from './frame.ts';

export interface MllpTlsOptions {
  readonly ca?: string | Buffer;
  /** Client certificate and key for mutual TLS. */
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  /** Verify the server certificate (default true). */
  readonly verify?: boolean;
  /** SNI / name to verify against (default: the host, unless it is an IP address). */
  readonly servername?: string;
}

export interface MllpClientOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: MllpTlsOptions;
  readonly signal?: AbortSignal;
  /** Time allowed for TCP connect plus TLS handshake. */
  readonly connectTimeoutMs?: number;
  /** Time allowed from the message sent to the reply frame complete. */
  readonly replyTimeoutMs?: number;
  readonly maxFrameBytes?: number;
}

export interface MllpExchange {
  readonly reply: Buffer;
  /** ms: connect (TCP), tls (handshake), reply (sent → reply complete), total. */
  readonly timings: { readonly connectMs: number; readonly tlsMs?: number; readonly replyMs: number; readonly totalMs: number };
}

/** Sends one message and resolves with the first framed reply. Never leaves the socket or a timer behind. */
export function mllpSend(message: Buffer, opts: MllpClientOptions): Promise<MllpExchange> {
  return new Promise<MllpExchange>((resolve, reject) => {
    const t0 = performance.now();
    let tConnect = t0;
    let tSecure: number | undefined;
    let tSent = t0;
    let phase: MllpPhase = 'connect';
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const decoder = new MllpDecoder({ maxFrameBytes: opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES });

    if (opts.signal?.aborted) {
      reject(new MllpError(MLLP_ERRORS.ABORTED, 'aborted before connecting', { phase, cause: opts.signal.reason }));
      return;
    }

    const socket: net.Socket = opts.tls
      ? tls.connect({
          host: opts.host,
          port: opts.port,
          ca: opts.tls.ca,
          cert: opts.tls.cert,
          key: opts.tls.key,
          rejectUnauthorized: opts.tls.verify ?? true,
          ...(opts.tls.servername ?? (net.isIP(opts.host) ? undefined : opts.host) ? { servername: opts.tls.servername ?? opts.host } : {}),
        })
      : net.connect({ host: opts.host, port: opts.port });
    socket.setNoDelay(true);

    const finish = (err: Error | undefined, value?: MllpExchange) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('data');
      socket.on('error', () => undefined);
      socket.destroy();
      if (err) reject(err);
      else resolve(value!);
    };
    const arm = (ms: number | undefined, code: 'connect' | 'reply') => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (ms === undefined) return;
      timer = setTimeout(() => {
        if (code === 'connect') finish(new MllpError(MLLP_ERRORS.CONNECT_TIMEOUT, `no connection within ${ms} ms`, { phase }));
        else finish(new MllpError(MLLP_ERRORS.NO_REPLY, `no reply within ${ms} ms`, { phase }));
      }, ms);
    };
    const onAbort = () => finish(new MllpError(MLLP_ERRORS.ABORTED, `aborted while waiting (${phase})`, { phase, cause: opts.signal?.reason }));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    arm(opts.connectTimeoutMs, 'connect');

    const onReady = () => {
      phase = 'send';
      tSent = performance.now();
      arm(opts.replyTimeoutMs, 'reply');
      socket.write(encodeFrame(message));
      phase = 'reply';
    };
    socket.once('connect', () => {
      tConnect = performance.now();
      if (!opts.tls) onReady();
    });
    if (opts.tls) {
      socket.once('secureConnect', () => {
        tSecure = performance.now();
        onReady();
      });
    }
    socket.on('data', (chunk: Buffer) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.type === 'tooLarge') {
          finish(ev.error);
          return;
        }
        if (ev.type === 'unframed') {
          finish(new MllpError(MLLP_ERRORS.UNFRAMED, `reply bytes outside an MLLP frame: ${preview(ev.bytes)}`, { phase }));
          return;
        }
        const end = performance.now();
        finish(undefined, {
          reply: ev.payload,
          timings: {
            connectMs: tConnect - t0,
            ...(tSecure !== undefined ? { tlsMs: tSecure - tConnect } : {}),
            replyMs: end - tSent,
            totalMs: end - t0,
          },
        });
        return;
      }
    });
    socket.on('error', (err) => finish(Object.assign(err, { phase })));
    socket.on('close', () => {
      const partial = decoder.pending ? ` (after ${decoder.pendingBytes} bytes of an unfinished frame)` : '';
      finish(new MllpError(MLLP_ERRORS.CLOSED_EARLY, `connection closed before a reply${partial}`, { phase }));
    });
  });
}

/** A short printable view of unexpected bytes, for messages (control bytes shown as <0x..>). */
export function preview(bytes: Buffer, max = 40): string {
  let text = '';
  for (const b of bytes.subarray(0, max)) text += b < 0x20 || b >= 0x7f ? `<0x${b.toString(16).padStart(2, '0')}>` : String.fromCharCode(b);
  return JSON.stringify(bytes.length > max ? `${text}…` : text);
}
