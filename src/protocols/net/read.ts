// Reads from a connected socket until the caller is satisfied, the peer closes, a byte limit is
// reached, a deadline passes or the signal aborts — and always resolves (never rejects), so that
// every way an exchange can end is a value the caller maps to an error code.

import type net from 'node:net';

export type ReadOutcome = 'done' | 'ended' | 'limit' | 'timeout' | 'aborted' | 'error';

export interface ReadUntilOptions {
  readonly signal: AbortSignal;
  /** True when what arrived so far is enough (a match, a complete frame). */
  readonly done: (received: Buffer) => boolean;
  /** Stop reading after this many bytes (default 64 KiB): a peer must not make us buffer without bound. */
  readonly maxBytes?: number;
  /** Own deadline for this read, ms (e.g. a configured expect timeout); the signal still applies. */
  readonly timeoutMs?: number;
}

export interface ReadResult {
  readonly outcome: ReadOutcome;
  readonly data: Buffer;
  readonly error?: Error;
}

export function readUntil(socket: net.Socket, opts: ReadUntilOptions): Promise<ReadResult> {
  const max = opts.maxBytes ?? 65_536;
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<ReadResult>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: ReadOutcome, error?: Error): void => {
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      socket.pause();
      const data = Buffer.concat(chunks, size).subarray(0, max);
      resolve(error ? { outcome, data, error } : { outcome, data });
    };
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      size += chunk.length;
      const data = Buffer.concat(chunks, size);
      if (opts.done(data.subarray(0, max))) finish('done');
      else if (size >= max) finish('limit');
    };
    const onEnd = (): void => finish('ended');
    const onError = (err: Error): void => finish('error', err);
    const onAbort = (): void => finish('aborted');
    if (opts.signal.aborted) return finish('aborted');
    if (socket.destroyed || socket.readableEnded) return finish('ended');
    opts.signal.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs !== undefined) timer = setTimeout(() => finish('timeout'), opts.timeoutMs);
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    socket.resume();
  });
}
