// The audit trail every part records into (AuditSink): appends go through one queue per process so
// that rows keep the order they were recorded in, and the store serialises across processes.

import type { AuditEntry } from '../api/access.ts';
import type { Clock } from '../core/clock.ts';
import { ChainVerifier, canonicalJson, rowHash } from './chain.ts';
import type { AuditDraft, AuditQuery, AuditRecord, AuditStore, AuditTrail, VerifyResult } from './types.ts';

const VERIFY_PAGE = 5_000;
/** Long texts are cut: an audit row records what happened, not a whole payload. */
const MAX_TEXT = 64 * 1024;

function cut(s: string): string {
  return s.length <= MAX_TEXT ? s : `${s.slice(0, MAX_TEXT)}…(${s.length - MAX_TEXT} more characters)`;
}

export function draftOf(e: AuditEntry, at: number): AuditDraft {
  return {
    at,
    actor: cut(e.actor),
    ...(e.actorId !== undefined ? { actorId: e.actorId } : {}),
    action: e.action,
    ...(e.target !== undefined ? { target: cut(e.target) } : {}),
    ...(e.ip !== undefined ? { ip: e.ip } : {}),
    outcome: e.outcome,
    ...(e.before !== undefined ? { before: cut(canonicalJson(e.before)) } : {}),
    ...(e.after !== undefined ? { after: cut(canonicalJson(e.after)) } : {}),
    ...(e.detail !== undefined ? { detail: cut(e.detail) } : {}),
  };
}

export function createAuditTrail(store: AuditStore, clock: Pick<Clock, 'now'>, log: (line: string) => void = () => undefined): AuditTrail {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    record(entry: AuditEntry): Promise<void> {
      const draft = draftOf(entry, clock.now());
      const p = tail.then(() => store.append(draft, rowHash));
      tail = p.catch(() => undefined);
      // A lost audit row must be loud: the caller gets the error, and the log says what was lost.
      return p.then(
        () => undefined,
        (err: unknown) => {
          log(`audit: could not record ${entry.action} by ${entry.actor}: ${(err as Error).message}`);
          throw err;
        },
      );
    },
    query: (q: AuditQuery): Promise<AuditRecord[]> => store.query(q),
    scan: (afterSeq: number, limit: number) => store.scan(afterSeq, limit),
    async verify(): Promise<VerifyResult> {
      await tail;
      const v = new ChainVerifier();
      let after = 0;
      for (;;) {
        const page = await store.scan(after, VERIFY_PAGE);
        for (const r of page) if (!v.next(r)) return v.result();
        const last = page.at(-1);
        if (page.length < VERIFY_PAGE || last === undefined) return v.result();
        after = last.seq;
      }
    },
    async flush(): Promise<void> {
      await tail;
    },
  };
}
