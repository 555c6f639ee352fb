// What the hl7-feed listener keeps about a feed, in the sensor's memory: counts per message type,
// NACKs and the time of the last message. Never message contents (they carry patient data).

/** Distinct message types tracked per feed; further types are counted as OTHER (bounded channels). */
export const MAX_TYPES = 32;
const TYPE = /^[A-Z][A-Z0-9]{1,3}$/;

export class FeedStats {
  readonly startedAt: number;
  total = 0;
  nacks = 0;
  /** Bytes or connections refused outside any message (unframed data, oversized frames). */
  rejected = 0;
  lastMessageAt: number | undefined;
  readonly byType = new Map<string, number>();

  constructor(startedAt: number) {
    this.startedAt = startedAt;
  }

  /** Counts one message by its MSH-9.1 type (normalised; unusual or too many types → OTHER). */
  message(type: string, at: number): void {
    const t = TYPE.test(type) && (this.byType.has(type) || this.byType.size < MAX_TYPES - 1) ? type : 'OTHER';
    this.byType.set(t, (this.byType.get(t) ?? 0) + 1);
    this.total++;
    this.lastMessageAt = at;
  }

  nack(at: number): void {
    this.nacks++;
    this.total++;
    this.lastMessageAt = at;
  }
}

/** Counters at the previous check, for rates over the interval. */
export interface FeedSnapshot {
  readonly at: number;
  readonly total: number;
  readonly nacks: number;
  readonly byType: Readonly<Record<string, number>>;
}

export function snapshot(stats: FeedStats, at: number): FeedSnapshot {
  return { at, total: stats.total, nacks: stats.nacks, byType: Object.fromEntries(stats.byType) };
}

/** Channel key for a type's rate: ADT → adtPerMin. */
export function typeChannelKey(type: string): string {
  return `${type.toLowerCase()}PerMin`;
}
