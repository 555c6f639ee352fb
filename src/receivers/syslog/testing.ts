// Test helpers shared by the receiver tests: a collecting sink that can be awaited, and a bounded
// poll for counters that move when datagrams arrive (no fixed sleeps).

import type { ReceivedMessage } from '../../store/store.ts';

export interface Collector {
  readonly messages: ReceivedMessage[];
  sink(m: ReceivedMessage): void;
  /** Resolves once a message satisfying `pred` has arrived. */
  waitFor(pred: (m: ReceivedMessage) => boolean, what: string, timeoutMs?: number): Promise<ReceivedMessage>;
}

export function collector(): Collector {
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  return {
    messages,
    sink(m) {
      messages.push(m);
      for (const w of waiters) w();
    },
    waitFor(pred, what, timeoutMs = 10_000) {
      const found = messages.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = messages.find(pred);
          if (!m) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; got ${messages.length} messages: ${messages.slice(-3).map((x) => x.text).join(' | ')}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
  };
}

/** Polls `cond` every 10 ms until it holds; fails after `timeoutMs` with `what`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
