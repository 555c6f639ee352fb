// The audit trail's records and its store role. Every row carries the SHA-256 of the previous
// row's hash and its own canonical content, so an edited or deleted row breaks the chain.

import type { AuditEntry, AuditSink } from '../api/access.ts';
import type { AuditAnchorRecord } from './anchor.ts';

export interface AuditRecord {
  readonly seq: number;
  readonly at: number;
  readonly actor: string;
  readonly actorId?: string;
  readonly action: string;
  readonly target?: string;
  readonly ip?: string;
  readonly outcome: AuditEntry['outcome'];
  /** Canonical JSON (sorted keys) of the state before and after, as hashed. */
  readonly before?: string;
  readonly after?: string;
  readonly detail?: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** What the store receives to append: the chain fields are computed inside its transaction. */
export type AuditDraft = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;

export interface AuditQuery {
  readonly from?: number;
  readonly to?: number;
  readonly actor?: string;
  /** Exact action, or a prefix ending in "." or "*" ("user." matches user.create, user.delete...). */
  readonly action?: string;
  readonly limit?: number;
  /** Paging: rows with seq below this one. */
  readonly before?: number;
}

export interface AuditStore {
  /**
   * Appends in one transaction, serialised against other appenders (also other processes):
   * reads the last row's seq and hash, lets `seal` compute the new hash, inserts.
   */
  append(draft: AuditDraft, seal: (seq: number, prevHash: string, draft: AuditDraft) => string): Promise<AuditRecord>;
  /** Newest first. */
  query(q: AuditQuery): Promise<AuditRecord[]>;
  /** Oldest first, seq > afterSeq, for verification and export. */
  scan(afterSeq: number, limit: number): Promise<AuditRecord[]>;
}

export type VerifyResult =
  | {
      readonly ok: true;
      readonly rows: number;
      readonly lastSeq: number;
      readonly lastHash: string;
      /** With an anchor: the row id it names (rows after it were appended since it was written). */
      readonly anchoredSeq?: number;
    }
  | {
      readonly ok: false;
      readonly rows: number;
      /** The first row where the chain breaks. */
      readonly brokenAt: number;
      readonly reason: string;
    };

export interface AuditTrail extends AuditSink {
  query(q: AuditQuery): Promise<AuditRecord[]>;
  scan(afterSeq: number, limit: number): Promise<AuditRecord[]>;
  verify(): Promise<VerifyResult>;
  /** Resolves when every record() called so far is stored (and anchored, when anchoring is batched). */
  flush(): Promise<void>;
  /**
   * Compares the anchor outside the database with the rows: undefined when they agree (or no anchor
   * is configured), else what is wrong. Writes the first anchor when there is none yet.
   */
  checkAnchor(): Promise<string | undefined>;
  /**
   * Writes the anchor at the current head whatever it said before (after an administrator has looked
   * into a reported truncation, or restored a backup). Undefined without an anchor configured.
   */
  reanchor(): Promise<{ readonly previous?: AuditAnchorRecord; readonly anchor: AuditAnchorRecord } | undefined>;
}
