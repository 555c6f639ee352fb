// The one error catalogue: every failure a check, a receiver or the API can report has a code here,
// with the sentence a night-shift operator reads in the console and the HTTP status the API answers.
// Sensors return these codes in a Reading; they never invent free-form error kinds.

export interface CatalogueEntry {
  /** Plain-language message for the console. */
  readonly message: string;
  /** HTTP status the API uses when this error is the answer to a request. */
  readonly http: number;
}

export const ERRORS = {
  // generic transport
  ECONNREFUSED: { message: 'Connection refused: nothing is listening on that port', http: 502 },
  ECONNRESET: { message: 'Connection reset by the peer', http: 502 },
  EHOSTUNREACH: { message: 'Host unreachable: no route to the device', http: 502 },
  ENETUNREACH: { message: 'Network unreachable', http: 502 },
  ENOTFOUND: { message: 'Host name could not be resolved', http: 502 },
  EADDRNOTAVAIL: { message: 'Address not available on this probe', http: 502 },
  TIMEOUT: { message: 'No answer within the timeout', http: 504 },
  CONNECT_TIMEOUT: { message: 'Connection could not be established within the timeout', http: 504 },
  CLOSED_EARLY: { message: 'The peer closed the connection before answering', http: 502 },
  ABORTED: { message: 'The check was cancelled', http: 499 },
  INTERNAL: { message: 'Internal error in the check (a bug in Wardwatch: please report it)', http: 500 },
  BAD_SETTINGS: { message: 'The sensor settings are invalid', http: 400 },
  TOOL_MISSING: { message: 'A program this check needs is not installed on the probe', http: 500 },
  // tcp
  TCP_EXPECT_MISMATCH: { message: 'The service answered, but not with the expected response', http: 502 },
  // http
  HTTP_STATUS: { message: 'Unexpected HTTP status code', http: 502 },
  HTTP_KEYWORD_MISSING: { message: 'The expected text is missing from the page', http: 502 },
  HTTP_KEYWORD_PRESENT: { message: 'A forbidden text is present on the page', http: 502 },
  HTTP_JSON_MISMATCH: { message: 'The JSON value is not what was expected', http: 502 },
  HTTP_JSON_INVALID: { message: 'The response is not valid JSON', http: 502 },
  HTTP_TOO_MANY_REDIRECTS: { message: 'Too many redirects', http: 502 },
  HTTP_PROTOCOL: { message: 'The server broke the HTTP protocol', http: 502 },
  // tls
  TLS_HANDSHAKE: { message: 'TLS handshake failed', http: 502 },
  TLS_CERT_EXPIRED: { message: 'TLS handshake failed: certificate expired', http: 502 },
  TLS_CERT_NOT_YET_VALID: { message: 'TLS certificate is not yet valid', http: 502 },
  TLS_CERT_EXPIRING: { message: 'TLS certificate expires soon', http: 200 },
  TLS_CERT_UNTRUSTED: { message: 'TLS certificate is not trusted (unknown or self-signed issuer)', http: 502 },
  TLS_HOSTNAME_MISMATCH: { message: 'TLS certificate does not match the host name', http: 502 },
  TLS_PROTOCOL_WEAK: { message: 'TLS protocol version is below the required minimum', http: 502 },
  TLS_KEY_WEAK: { message: 'TLS certificate key is too short', http: 502 },
  TLS_SIGNATURE_WEAK: { message: 'TLS certificate is signed with a weak algorithm', http: 502 },
  // dns
  DNS_NXDOMAIN: { message: 'DNS: the name does not exist', http: 502 },
  DNS_NODATA: { message: 'DNS: the name has no record of that type', http: 502 },
  DNS_SERVFAIL: { message: 'DNS: the server failed to answer', http: 502 },
  DNS_REFUSED: { message: 'DNS: the server refused the query', http: 502 },
  DNS_UNEXPECTED_ANSWER: { message: 'DNS: the answer is not the expected one', http: 502 },
  // ping
  PING_LOSS: { message: 'Packets lost: the device does not answer every ping', http: 502 },
  PING_UNREACHABLE: { message: 'The device does not answer ping', http: 502 },
  // limits and states
  LIMIT_ERROR: { message: 'A channel is beyond its error limit', http: 200 },
  LIMIT_WARNING: { message: 'A channel is beyond its warning limit', http: 200 },
  // config and API
  CONFIG_INVALID: { message: 'The configuration is invalid', http: 400 },
  NOT_FOUND: { message: 'Not found', http: 404 },
  BAD_REQUEST: { message: 'The request is invalid', http: 400 },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERRORS;

/** Later issues add their codes (DICOM, HL7, SNMP...) by registering a block of entries at start. */
const extra = new Map<string, CatalogueEntry>();

export function registerErrors(entries: Readonly<Record<string, CatalogueEntry>>): void {
  for (const [code, entry] of Object.entries(entries)) {
    if (code in ERRORS || extra.has(code)) {
      const existing = lookupError(code);
      if (existing.message === entry.message && existing.http === entry.http) continue;
      throw new Error(`error code ${code} is already in the catalogue with another meaning`);
    }
    extra.set(code, entry);
  }
}

export function lookupError(code: string): CatalogueEntry {
  return (ERRORS as Record<string, CatalogueEntry>)[code] ?? extra.get(code) ?? ERRORS.INTERNAL;
}

export function isKnownError(code: string): boolean {
  return code in ERRORS || extra.has(code);
}

export function allErrorCodes(): string[] {
  return [...Object.keys(ERRORS), ...extra.keys()];
}

/** Maps a Node.js system error (err.code) to a catalogue code. */
export function codeFromSystemError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (code in ERRORS) return code;
    if (code === 'ETIMEDOUT') return 'TIMEOUT';
    if (code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_NODATA') return 'ENOTFOUND';
    if (code === 'EPIPE') return 'ECONNRESET';
    if (code === 'ABORT_ERR') return 'ABORTED';
    if (code === 'CERT_HAS_EXPIRED') return 'TLS_CERT_EXPIRED';
    if (code === 'CERT_NOT_YET_VALID') return 'TLS_CERT_NOT_YET_VALID';
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'TLS_HOSTNAME_MISMATCH';
    if (code === 'DEPTH_ZERO_SELF_SIGNED_CERT' || code === 'SELF_SIGNED_CERT_IN_CHAIN' || code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' || code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY') return 'TLS_CERT_UNTRUSTED';
    if (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS')) return 'TLS_HANDSHAKE';
  }
  if ((err as { name?: unknown } | null)?.name === 'AbortError') return 'ABORTED';
  if ((err as { name?: unknown } | null)?.name === 'TimeoutError') return 'TIMEOUT';
  return 'INTERNAL';
}
