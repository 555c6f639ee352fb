// IHE ATNA audit records (DICOM PS3.15 audit XML, or its RFC 3881 ancestor) carried in a syslog MSG:
// detected and their key fields pulled out best-effort, so that "who did what, with which outcome"
// is searchable without an XML parser on the hot path.

export interface AtnaSummary {
  readonly eventId?: string;
  /** The event's name as the record gives it (originalText / displayName). */
  readonly eventName?: string;
  readonly action?: string;
  /** 0 success, 4 minor failure, 8 serious failure, 12 major failure. */
  readonly outcome?: string;
  readonly outcomeText?: string;
  /** The requesting user (UserIsRequestor="true"), else the first participant. */
  readonly userId?: string;
}

const OUTCOMES: Readonly<Record<string, string>> = { '0': 'success', '4': 'minor failure', '8': 'serious failure', '12': 'major failure' };

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`).exec(tag);
  return m ? unescapeXml(m[2] ?? m[3] ?? '') : undefined;
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] ?? '');
}

/** Returns the summary when the text is an ATNA audit message, undefined otherwise. */
export function detectAtna(text: string): AtnaSummary | undefined {
  if (!/<AuditMessage[\s>]/.test(text)) return undefined;
  const eventIdent = /<EventIdentification\b[^>]*>/.exec(text)?.[0];
  const eventIdTag = /<EventID\b[^>]*>/.exec(text)?.[0];
  const participants = [...text.matchAll(/<ActiveParticipant\b[^>]*>/g)].map((m) => m[0]);
  const requestor = participants.find((p) => /UserIsRequestor\s*=\s*["']true["']/i.test(p)) ?? participants[0];
  const outcome = eventIdent ? attr(eventIdent, 'EventOutcomeIndicator') : undefined;
  const eventId = eventIdTag ? (attr(eventIdTag, 'csd-code') ?? attr(eventIdTag, 'code')) : undefined;
  const eventName = eventIdTag ? (attr(eventIdTag, 'originalText') ?? attr(eventIdTag, 'displayName')) : undefined;
  const action = eventIdent ? attr(eventIdent, 'EventActionCode') : undefined;
  const userId = requestor ? attr(requestor, 'UserID') : undefined;
  return {
    ...(eventId !== undefined ? { eventId } : {}),
    ...(eventName !== undefined ? { eventName } : {}),
    ...(action !== undefined ? { action } : {}),
    ...(outcome !== undefined ? { outcome, ...(OUTCOMES[outcome] ? { outcomeText: OUTCOMES[outcome] } : {}) } : {}),
    ...(userId !== undefined ? { userId } : {}),
  };
}
