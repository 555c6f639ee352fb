// The hash chain of the audit trail: each row's hash is SHA-256 over the previous row's hash and
// the row's canonical content, so editing, deleting or reordering a row is detectable by verify().

import { createHash } from 'node:crypto';
import type { AuditDraft, AuditRecord, VerifyResult } from './types.ts';

/** The hash the first row chains to. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object' && !(v instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function rowHash(seq: number, prevHash: string, d: AuditDraft): string {
  const content = canonicalJson([seq, d.at, d.actor, d.actorId ?? null, d.action, d.target ?? null, d.ip ?? null, d.outcome, d.before ?? null, d.after ?? null, d.detail ?? null]);
  return createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}

/** Walks rows oldest first; `next` continues a verification across pages. */
export class ChainVerifier {
  #prevHash = GENESIS_HASH;
  #prevSeq = 0;
  #rows = 0;
  #broken: { brokenAt: number; reason: string } | undefined;

  /** Returns false once the chain is broken (further rows are not checked). */
  next(r: AuditRecord): boolean {
    if (this.#broken) return false;
    this.#rows++;
    if (r.seq !== this.#prevSeq + 1) {
      this.#broken = { brokenAt: r.seq, reason: `rows ${this.#prevSeq + 1}…${r.seq - 1} are missing (deleted)` };
    } else if (r.prevHash !== this.#prevHash) {
      this.#broken = { brokenAt: r.seq, reason: `row ${r.seq} does not chain to row ${this.#prevSeq}: its previous-hash field was altered or a row before it was replaced` };
    } else if (rowHash(r.seq, r.prevHash, r) !== r.hash) {
      this.#broken = { brokenAt: r.seq, reason: `row ${r.seq} was altered after it was written: its content does not match its hash` };
    }
    this.#prevSeq = r.seq;
    this.#prevHash = r.hash;
    return this.#broken === undefined;
  }

  result(): VerifyResult {
    if (this.#broken) return { ok: false, rows: this.#rows, ...this.#broken };
    return { ok: true, rows: this.#rows, lastSeq: this.#prevSeq, lastHash: this.#prevHash };
  }
}
