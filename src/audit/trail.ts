// The audit trail every part records into (AuditSink): appends go through one queue per process so
// that rows keep the order they were recorded in, and the store serialises across processes. With
// an anchor, the chain head is also kept outside the database so that a cut-off tail is found too.

import type { AuditEntry } from '../api/access.ts';
import type { Clock } from '../core/clock.ts';
import type { AuditAnchorRecord, AuditAnchorStore } from './anchor.ts';
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

export interface AuditAnchorOptions {
  readonly store: AuditAnchorStore;
  /**
   * 0 (default): the anchor is written after every append. Above 0: at most once per this many ms;
   * a timer of the clock writes the last pending head (without timers, the next append or flush does).
   */
  readonly everyMs?: number;
  /** Called with every anchor written, e.g. to send it to syslog: a second copy out of reach of the database. */
  readonly sink?: (anchor: AuditAnchorRecord) => void;
}

export interface AuditTrailOptions {
  readonly anchor?: AuditAnchorOptions;
}

type TrailClock = Pick<Clock, 'now'> & Partial<Pick<Clock, 'setTimeout' | 'clearTimeout'>>;

export function createAuditTrail(store: AuditStore, clock: TrailClock, log: (line: string) => void = () => undefined, opts: AuditTrailOptions = {}): AuditTrail {
  let tail: Promise<unknown> = Promise.resolve();
  /** Runs fn after everything queued so far; the queue survives fn's failure. */
  const enqueue = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = tail.then(fn);
    tail = p.catch(() => undefined);
    return p;
  };
  const anchor = opts.anchor ? new AnchorKeeper(opts.anchor, store, clock, log, enqueue) : undefined;
  return {
    record(entry: AuditEntry): Promise<void> {
      const draft = draftOf(entry, clock.now());
      const p = enqueue(async () => {
        const rec = await store.append(draft, rowHash);
        // The row is stored: an anchor that cannot be written is reported, not turned into a lost row.
        await anchor?.appended(rec).catch((err: unknown) => log(`audit: row ${rec.seq} stored but not anchored: ${(err as Error).message}`));
      });
      // A lost audit row must be loud: the caller gets the error, and the log says what was lost.
      return p.catch((err: unknown) => {
        log(`audit: could not record ${entry.action} by ${entry.actor}: ${(err as Error).message}`);
        throw err;
      });
    },
    query: (q: AuditQuery): Promise<AuditRecord[]> => store.query(q),
    scan: (afterSeq: number, limit: number) => store.scan(afterSeq, limit),
    async verify(): Promise<VerifyResult> {
      await tail;
      // Read before the rows: an anchor is written after its row, so it never runs ahead of what the scan sees.
      let anchored: AuditAnchorRecord | undefined;
      try {
        anchored = anchor?.read();
      } catch (err) {
        return { ok: false, rows: 0, brokenAt: 0, reason: (err as Error).message };
      }
      const v = new ChainVerifier();
      let atAnchor: AuditRecord | undefined;
      let after = 0;
      for (;;) {
        const page = await store.scan(after, VERIFY_PAGE);
        for (const r of page) {
          if (r.seq === anchored?.seq) atAnchor = r;
          if (!v.next(r)) return v.result();
        }
        const last = page.at(-1);
        if (page.length < VERIFY_PAGE || last === undefined) break;
        after = last.seq;
      }
      const res = v.result();
      if (!res.ok || anchored === undefined) return res;
      const problem = anchorProblem(anchored, atAnchor, res.lastSeq);
      if (problem !== undefined) return { ok: false, rows: res.rows, brokenAt: problem.brokenAt, reason: problem.reason };
      return { ...res, anchoredSeq: anchored.seq };
    },
    async flush(): Promise<void> {
      await tail;
      if (anchor) await enqueue(() => anchor.writePending());
    },
    checkAnchor: () => (anchor ? enqueue(() => anchor.check()) : Promise.resolve(undefined)),
    reanchor: () => (anchor ? enqueue(() => anchor.reset()) : Promise.resolve(undefined)),
  };
}

/** What is wrong between an anchor and the database, judged from the row at the anchor's id and the head. */
function anchorProblem(anchored: AuditAnchorRecord, atAnchor: AuditRecord | undefined, headSeq: number): { brokenAt: number; reason: string } | undefined {
  if (headSeq < anchored.seq) return { brokenAt: headSeq + 1, reason: `rows after id ${headSeq} are missing (anchor at id ${anchored.seq})` };
  if (atAnchor?.hash !== anchored.hash) {
    return { brokenAt: anchored.seq, reason: `row ${anchored.seq} does not match the anchor written at ${new Date(anchored.at).toISOString()}: the rows up to it were rewritten` };
  }
  return undefined;
}

/**
 * Keeps the anchor in step with the appends of this process. When the database no longer agrees
 * with the anchor (rows deleted or rewritten), the anchor is frozen as evidence until reset().
 */
class AnchorKeeper {
  readonly #opts: AuditAnchorOptions;
  readonly #store: AuditStore;
  readonly #clock: TrailClock;
  readonly #log: (line: string) => void;
  readonly #enqueue: <T>(fn: () => Promise<T>) => Promise<T>;
  #anchored: AuditAnchorRecord | undefined;
  /** The first and the newest row appended since the last anchor. */
  #first: AuditRecord | undefined;
  #pending: AuditRecord | undefined;
  #lastWrite = Number.NEGATIVE_INFINITY;
  #timer: unknown;
  #frozen: string | undefined;

  constructor(opts: AuditAnchorOptions, store: AuditStore, clock: TrailClock, log: (line: string) => void, enqueue: <T>(fn: () => Promise<T>) => Promise<T>) {
    this.#opts = opts;
    this.#store = store;
    this.#clock = clock;
    this.#log = log;
    this.#enqueue = enqueue;
  }

  read(): AuditAnchorRecord | undefined {
    return this.#opts.store.read();
  }

  /** Re-read before each move: another process sharing the file may have anchored further. */
  #load(): void {
    this.#anchored = this.read();
  }

  async appended(rec: AuditRecord): Promise<void> {
    this.#first ??= rec;
    if (this.#pending === undefined || rec.seq > this.#pending.seq) this.#pending = rec;
    const every = this.#opts.everyMs ?? 0;
    const since = this.#clock.now() - this.#lastWrite;
    if (every <= 0 || since >= every) return this.writePending();
    if (this.#timer === undefined && this.#clock.setTimeout) {
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = undefined;
        this.#enqueue(() => this.writePending()).catch((err: unknown) => this.#log(`audit: ${(err as Error).message}`));
      }, every - since);
    }
  }

  async writePending(): Promise<void> {
    const p = this.#pending;
    if (p === undefined) return;
    if (this.#timer !== undefined) {
      this.#clock.clearTimeout?.(this.#timer as never);
      this.#timer = undefined;
    }
    if (this.#frozen !== undefined) return;
    try {
      this.#load();
    } catch (err) {
      return this.#freeze((err as Error).message);
    }
    const a = this.#anchored;
    // The usual case needs no query: our first new row chains straight onto the anchored one.
    const follows = a === undefined || (this.#first?.seq === a.seq + 1 && this.#first.prevHash === a.hash);
    const problem = follows ? undefined : await this.#compare(a);
    if (problem !== undefined) return this.#freeze(problem);
    this.#first = undefined;
    this.#pending = undefined;
    if (a !== undefined && p.seq <= a.seq) return; // another process anchored further already
    this.#write({ seq: p.seq, hash: p.hash, at: this.#clock.now() });
  }

  #write(anchor: AuditAnchorRecord): void {
    this.#opts.store.write(anchor);
    this.#anchored = anchor;
    this.#lastWrite = this.#clock.now();
    this.#opts.sink?.(anchor);
  }

  #freeze(reason: string): void {
    this.#frozen = reason;
    this.#first = undefined;
    this.#pending = undefined;
    this.#log(`audit: ${reason}; the anchor ${this.#opts.store.where} is kept as evidence and no longer moves: find out what happened, then re-anchor (POST /api/audit/anchor)`);
  }

  async #compare(a: AuditAnchorRecord | undefined): Promise<string | undefined> {
    if (a === undefined) return undefined;
    const [row] = await this.#store.scan(a.seq - 1, 1);
    const [head] = await this.#store.query({ limit: 1 });
    return anchorProblem(a, row?.seq === a.seq ? row : undefined, head?.seq ?? 0)?.reason;
  }

  async check(): Promise<string | undefined> {
    if (this.#frozen !== undefined) return this.#frozen;
    try {
      this.#load();
    } catch (err) {
      this.#freeze((err as Error).message);
      return this.#frozen;
    }
    const a = this.#anchored;
    if (a === undefined) {
      // First start with an anchor (or after an upgrade): anchor what is there now.
      const [head] = await this.#store.query({ limit: 1 });
      if (head) this.#write({ seq: head.seq, hash: head.hash, at: this.#clock.now() });
      return undefined;
    }
    const problem = await this.#compare(a);
    if (problem !== undefined) this.#freeze(problem);
    return problem;
  }

  async reset(): Promise<{ previous?: AuditAnchorRecord; anchor: AuditAnchorRecord }> {
    let previous: AuditAnchorRecord | undefined;
    try {
      previous = this.read();
    } catch {
      previous = undefined; // an unreadable anchor is replaced as well
    }
    const [head] = await this.#store.query({ limit: 1 });
    if (!head) throw new Error('the audit trail is empty: there is nothing to anchor');
    this.#frozen = undefined;
    this.#first = undefined;
    this.#pending = undefined;
    this.#write({ seq: head.seq, hash: head.hash, at: this.#clock.now() });
    return { ...(previous ? { previous } : {}), anchor: { seq: head.seq, hash: head.hash, at: this.#clock.now() } };
  }
}
