// Syslog message parser: RFC 5424 and RFC 3164 (BSD) headers, structured data with escapes, the
// UTF-8 BOM, invalid UTF-8 (replaced and flagged). Broken headers never lose a message: what can
// be read is kept, the rest becomes the MSG, and `parseError` says what was wrong.

export const FACILITIES = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'audit', 'alert', 'clock',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
] as const;
export type Facility = (typeof FACILITIES)[number];

export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
export type SyslogSeverity = (typeof SEVERITIES)[number];

export type StructuredData = Record<string, Record<string, string>>;

export interface SyslogMessage {
  readonly format: 'rfc5424' | 'rfc3164';
  /** 0..23; user (1) when the PRI is missing, as RFC 3164 section 4.3.3 says. */
  readonly facility: number;
  /** 0 (emerg) .. 7 (debug); notice (5) when the PRI is missing. */
  readonly severity: number;
  /** Epoch ms from the header, when it had a readable one. */
  readonly timestamp?: number;
  readonly hostname?: string;
  readonly appName?: string;
  readonly procId?: string;
  readonly msgId?: string;
  readonly structuredData?: StructuredData;
  readonly msg: string;
  /** The MSG started with a UTF-8 BOM (RFC 5424 section 6.4), stripped here. */
  readonly bom?: true;
  /** Bytes that were not UTF-8 were replaced by U+FFFD. */
  readonly invalidUtf8?: true;
  /** What was wrong with the header; the message is kept best-effort. */
  readonly parseError?: string;
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const BSD_TS = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)(?:\.\d+)? /;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/;
const TAG = /^([^\s[\]:]{1,64})(?:\[([^\]\s]{0,64})\])?: ?/;

/** Decodes bytes as UTF-8, replacing invalid sequences and saying whether it had to. */
export function decodeUtf8(bytes: Uint8Array): { text: string; invalid: boolean } {
  try {
    return { text: strict.decode(bytes), invalid: false };
  } catch {
    return { text: lenient.decode(bytes), invalid: true };
  }
}

/**
 * Parses one syslog message (one datagram or one TCP frame, without its framing).
 * `now` (epoch ms) gives the year to RFC 3164 timestamps, which carry none.
 */
export function parseSyslog(bytes: Uint8Array, now: number): SyslogMessage {
  const { text, invalid } = decodeUtf8(bytes);
  const line = text.replace(/[\r\n\0]+$/, '');
  const extra = invalid ? { invalidUtf8: true as const } : {};
  const pri = /^<(\d{1,3})>/.exec(line);
  if (!pri) return { format: 'rfc3164', facility: 1, severity: 5, msg: line, parseError: 'missing PRI: the message does not start with <0>..<191>', ...extra };
  const value = Number(pri[1]);
  if (value > 191) return { format: 'rfc3164', facility: 1, severity: 5, msg: line.slice(pri[0].length), parseError: `PRI out of range: <${pri[1]}> (0..191)`, ...extra };
  const rest = line.slice(pri[0].length);
  const out: Mutable<SyslogMessage> = rest.startsWith('1 ') ? parse5424(rest.slice(2)) : parse3164(rest, now);
  out.facility = value >> 3;
  out.severity = value & 7;
  if (invalid) out.invalidUtf8 = true;
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
// Built by assignment rather than conditional spreads: this runs for every message of a flood.
type Body = Mutable<SyslogMessage>;

function body(format: SyslogMessage['format']): Body {
  return { format, facility: 1, severity: 5, msg: '' };
}

function nil(v: string | undefined): string | undefined {
  return v === undefined || v === '-' ? undefined : v;
}

function parse5424(s: string): Body {
  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID, each a token or "-".
  const fields: string[] = [];
  let pos = 0;
  for (let i = 0; i < 5; i++) {
    const sp = s.indexOf(' ', pos);
    if (sp < 0) {
      fields.push(s.slice(pos));
      pos = s.length;
      break;
    }
    fields.push(s.slice(pos, sp));
    pos = sp + 1;
  }
  const [ts, hostname, appName, procId, msgId] = fields;
  let parseError: string | undefined;
  let timestamp: number | undefined;
  if (fields.length < 5) parseError = 'truncated RFC 5424 header: expected TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA';
  if (ts !== undefined && ts !== '-') {
    timestamp = RFC3339.test(ts) ? Date.parse(ts) : NaN;
    if (Number.isNaN(timestamp)) {
      timestamp = undefined;
      parseError ??= `invalid TIMESTAMP "${ts.slice(0, 40)}"`;
    }
  }
  const out = body('rfc5424');
  if (timestamp !== undefined) out.timestamp = timestamp;
  if (nil(hostname) !== undefined) out.hostname = hostname!;
  if (nil(appName) !== undefined) out.appName = appName!;
  if (nil(procId) !== undefined) out.procId = procId!;
  if (nil(msgId) !== undefined) out.msgId = msgId!;
  let structuredData: StructuredData | undefined;
  let msgStart = pos;
  if (fields.length === 5) {
    if (s.startsWith('-', pos)) msgStart = pos + 1;
    else if (s.startsWith('[', pos)) {
      const sd = parseStructuredData(s, pos);
      if (typeof sd === 'string') {
        parseError ??= sd;
      } else {
        structuredData = sd.data;
        msgStart = sd.end;
      }
    } else parseError ??= 'missing STRUCTURED-DATA: expected "-" or "["';
  }
  let msg = s.slice(msgStart).replace(/^ /, '');
  const bom = msg.startsWith('\uFEFF');
  if (bom) msg = msg.slice(1);
  if (structuredData) out.structuredData = structuredData;
  out.msg = msg;
  if (bom) out.bom = true;
  if (parseError !== undefined) out.parseError = parseError;
  return out;
}

/** Reads SD-ELEMENTs from `start`; returns them and where the MSG begins, or what was wrong. */
function parseStructuredData(s: string, start: number): { data: StructuredData; end: number } | string {
  const data: StructuredData = {};
  let i = start;
  while (s[i] === '[') {
    const idEnd = s.slice(i + 1).search(/[ \]]/);
    if (idEnd < 0) return 'unterminated STRUCTURED-DATA element';
    const id = s.slice(i + 1, i + 1 + idEnd);
    if (id === '') return 'empty SD-ID in STRUCTURED-DATA';
    const params: Record<string, string> = {};
    i = i + 1 + idEnd;
    while (s[i] === ' ') {
      const eq = s.indexOf('="', i + 1);
      if (eq < 0) return `malformed SD-PARAM in [${id}]`;
      const name = s.slice(i + 1, eq);
      if (!/^[^\s="\]]{1,32}$/.test(name)) return `malformed SD-PARAM name in [${id}]`;
      let value = '';
      let j = eq + 2;
      for (; j < s.length && s[j] !== '"'; j++) {
        // Only \" \\ \] are escapes; a backslash before anything else is kept (RFC 5424 section 6.3.3).
        if (s[j] === '\\' && (s[j + 1] === '"' || s[j + 1] === '\\' || s[j + 1] === ']')) j++;
        value += s[j];
      }
      if (j >= s.length) return `unterminated SD-PARAM value in [${id}]`;
      params[name] = value;
      i = j + 1;
    }
    if (s[i] !== ']') return `unterminated STRUCTURED-DATA element [${id}]`;
    data[id] = { ...data[id], ...params };
    i++;
  }
  return { data, end: i };
}

function parse3164(s: string, now: number): Body {
  let rest = s;
  let timestamp: number | undefined;
  let hostname: string | undefined;
  let parseError: string | undefined;
  const bsd = BSD_TS.exec(rest);
  const isoToken = /^(\S+) /.exec(rest)?.[1];
  if (bsd) {
    timestamp = bsdTime(bsd, now);
    rest = rest.slice(bsd[0].length);
  } else if (isoToken !== undefined && RFC3339.test(isoToken)) {
    // Many devices send an RFC 3339 stamp in an otherwise BSD-style line.
    timestamp = Date.parse(isoToken);
    rest = rest.slice(isoToken.length + 1);
  } else {
    parseError = 'no TIMESTAMP after PRI: the rest is kept as the message';
  }
  if (timestamp !== undefined) {
    // The HOSTNAME follows a timestamp, unless the next token is already a "tag:".
    const tok = /^([^\s:[\]]+) /.exec(rest);
    if (tok) {
      hostname = tok[1];
      rest = rest.slice(tok[0].length);
    }
  }
  const tag = TAG.exec(rest);
  const appName = tag?.[1];
  const procId = tag?.[2];
  if (tag) rest = rest.slice(tag[0].length);
  const out = body('rfc3164');
  if (timestamp !== undefined) out.timestamp = timestamp;
  if (hostname !== undefined) out.hostname = hostname;
  if (appName !== undefined) out.appName = appName;
  if (procId !== undefined && procId !== '') out.procId = procId;
  out.msg = rest;
  if (parseError !== undefined) out.parseError = parseError;
  return out;
}

/** A BSD timestamp has no year or zone: local time, this year, or last year if that would be in the future. */
function bsdTime(m: RegExpExecArray, now: number): number | undefined {
  const month = MONTHS.indexOf(m[1]!);
  if (month < 0) return undefined;
  const year = new Date(now).getFullYear();
  const at = (y: number) => new Date(y, month, Number(m[2]!.trim()), Number(m[3]), Number(m[4]), Number(m[5])).getTime();
  const t = at(year);
  return t > now + 86_400_000 ? at(year - 1) : t;
}
