// DNS answers as text: how each record type is shown in messages and compared with the expected
// answers of a dns sensor, and how c-ares error codes map to the error catalogue.

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'PTR', 'SRV', 'SOA'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

/** One answer as shown to the user, plus the short form an `expect` entry may use (MX host without priority). */
export interface Answer {
  readonly text: string;
  readonly short: string;
}

/** Formats what Resolver.resolve(name, type) returned for one record. */
export function formatAnswer(type: RecordType, r: unknown): Answer {
  switch (type) {
    case 'MX': {
      const mx = r as { exchange: string; priority: number };
      return { text: `${mx.priority} ${mx.exchange}`, short: mx.exchange };
    }
    case 'TXT': {
      const t = (r as string[]).join('');
      return { text: t, short: t };
    }
    case 'SRV': {
      const srv = r as { name: string; port: number; priority: number; weight: number };
      return { text: `${srv.priority} ${srv.weight} ${srv.port} ${srv.name}`, short: srv.name };
    }
    case 'SOA': {
      const soa = r as { nsname: string; hostmaster: string; serial: number };
      return { text: `${soa.nsname} ${soa.hostmaster} ${soa.serial}`, short: soa.nsname };
    }
    default: {
      // A, AAAA, CNAME, NS, PTR: plain strings
      const text = typeof r === 'string' ? r : JSON.stringify(r);
      return { text, short: text };
    }
  }
}

/** Names compare case-insensitively and without the root dot; addresses and TXT compare as written. */
function norm(s: string): string {
  return s.trim().replace(/\.$/, '').toLowerCase();
}

/** The expected entries missing from the answers (empty when all are present). */
export function missingAnswers(expected: readonly string[], answers: readonly Answer[], type: RecordType): string[] {
  const exact = type === 'TXT';
  return expected.filter((e) => !answers.some((a) => (exact ? a.text === e : norm(a.text) === norm(e) || norm(a.short) === norm(e))));
}

/** c-ares error codes (err.code of node:dns) mapped to catalogue codes. */
const DNS_CODES: Readonly<Record<string, string>> = {
  ENOTFOUND: 'DNS_NXDOMAIN',
  ENODATA: 'DNS_NODATA',
  ESERVFAIL: 'DNS_SERVFAIL',
  EREFUSED: 'DNS_REFUSED',
  ETIMEOUT: 'TIMEOUT',
  ECONNREFUSED: 'ECONNREFUSED',
  EBADRESP: 'DNS_BAD_RESPONSE',
  EFORMERR: 'DNS_BAD_RESPONSE',
  ENOTIMP: 'DNS_BAD_RESPONSE',
  EOF: 'DNS_BAD_RESPONSE',
  EBADNAME: 'BAD_SETTINGS',
  EBADQUERY: 'BAD_SETTINGS',
};

export function dnsErrorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? (DNS_CODES[code] ?? 'INTERNAL') : 'INTERNAL';
}
