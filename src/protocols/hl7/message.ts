// HL7 v2 message parsing and access: segments split on \r (tolerating \n and \r\n), delimiters taken
// from MSH-1/MSH-2, values read by path ("MSA-1", "MSH-9.2", "PID-3[2].1", "OBX[2]-5") with escape
// sequences decoded. Messages are immutable; with() returns a changed copy.

import { DEFAULT_DELIMITERS, encodingCharacters, escapeValue, unescapeValue, type Delimiters } from './escape.ts';

export class Hl7ParseError extends Error {
  readonly code = 'HL7_MALFORMED';
  constructor(message: string) {
    super(message);
    this.name = 'Hl7ParseError';
  }
}

export interface Hl7Segment {
  readonly name: string;
  /** Raw (escaped) fields; index = HL7 field number, [0] is the name. For MSH, [1] is MSH-1 and [2] MSH-2. */
  readonly fields: readonly string[];
}

interface Path {
  readonly segment: string;
  readonly occurrence: number;
  readonly field: number;
  readonly repetition: number;
  readonly component?: number;
  readonly subcomponent?: number;
}

const PATH = /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?-(\d+)(?:\[(\d+)\])?(?:\.(\d+))?(?:\.(\d+))?$/;
const SEGMENT_NAME = /^[A-Z][A-Z0-9]{2}$/;

export function parsePath(path: string): Path {
  const m = PATH.exec(path);
  if (!m) throw new Error(`invalid HL7 path ${JSON.stringify(path)} (expected e.g. MSA-1, MSH-9.2, PID-3[2].1)`);
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  const p = { segment: m[1]!, occurrence: num(m[2]) ?? 1, field: num(m[3])!, repetition: num(m[4]) ?? 1, component: num(m[5]), subcomponent: num(m[6]) };
  if (p.occurrence < 1 || p.field < 1 || p.repetition < 1 || (p.component ?? 1) < 1 || (p.subcomponent ?? 1) < 1) throw new Error(`invalid HL7 path ${JSON.stringify(path)}: positions start at 1`);
  return { segment: p.segment, occurrence: p.occurrence, field: p.field, repetition: p.repetition, ...(p.component !== undefined ? { component: p.component } : {}), ...(p.subcomponent !== undefined ? { subcomponent: p.subcomponent } : {}) };
}

export class Hl7Message {
  readonly segments: readonly Hl7Segment[];
  readonly delimiters: Delimiters;

  constructor(segments: readonly Hl7Segment[], delimiters: Delimiters) {
    this.segments = segments;
    this.delimiters = delimiters;
  }

  /** The n-th (1-based) segment with that name. */
  segment(name: string, occurrence = 1): Hl7Segment | undefined {
    let seen = 0;
    for (const s of this.segments) if (s.name === name && ++seen === occurrence) return s;
    return undefined;
  }

  /** The decoded value at a path; undefined when the segment is absent, '' when the field is empty. */
  get(path: string): string | undefined {
    const p = parsePath(path);
    const seg = this.segment(p.segment, p.occurrence);
    if (!seg) return undefined;
    const raw = seg.fields[p.field] ?? '';
    // MSH-1 and MSH-2 hold the delimiters themselves: never split or unescape them
    if (seg.name === 'MSH' && p.field <= 2) return raw;
    const d = this.delimiters;
    let v = raw.split(d.repetition)[p.repetition - 1] ?? '';
    if (p.component !== undefined) v = v.split(d.component)[p.component - 1] ?? '';
    if (p.subcomponent !== undefined) v = v.split(d.subcomponent)[p.subcomponent - 1] ?? '';
    return unescapeValue(v, d);
  }

  /** Message type (MSH-9.1, e.g. ADT), trigger event (MSH-9.2, e.g. A01) and control id (MSH-10). */
  get messageType(): string {
    return this.get('MSH-9.1') ?? '';
  }
  get triggerEvent(): string {
    return this.get('MSH-9.2') ?? '';
  }
  get controlId(): string {
    return this.get('MSH-10') ?? '';
  }

  /**
   * A copy with the value at a path replaced (escaped as needed). Missing fields and components are
   * padded; a missing segment is an error (callers add segments with the builder).
   */
  with(path: string, value: string): Hl7Message {
    const p = parsePath(path);
    if (p.segment === 'MSH' && p.field <= 2) throw new Error('MSH-1 and MSH-2 (the delimiters) cannot be changed');
    const seg = this.segment(p.segment, p.occurrence);
    if (!seg) throw new Error(`the message has no ${p.segment} segment`);
    const d = this.delimiters;
    const fields = [...seg.fields];
    while (fields.length <= p.field) fields.push('');
    const reps = (fields[p.field] ?? '').split(d.repetition);
    while (reps.length < p.repetition) reps.push('');
    const escaped = escapeValue(value, d);
    if (p.component === undefined) reps[p.repetition - 1] = escaped;
    else {
      const comps = (reps[p.repetition - 1] ?? '').split(d.component);
      while (comps.length < p.component) comps.push('');
      if (p.subcomponent === undefined) comps[p.component - 1] = escaped;
      else {
        const subs = (comps[p.component - 1] ?? '').split(d.subcomponent);
        while (subs.length < p.subcomponent) subs.push('');
        subs[p.subcomponent - 1] = escaped;
        comps[p.component - 1] = subs.join(d.subcomponent);
      }
      reps[p.repetition - 1] = comps.join(d.component);
    }
    fields[p.field] = reps.join(d.repetition);
    return new Hl7Message(
      this.segments.map((s) => (s === seg ? { name: s.name, fields } : s)),
      d,
    );
  }

  /** The message text with \r after every segment (the HL7 segment terminator). */
  toString(): string {
    const d = this.delimiters;
    let out = '';
    for (const s of this.segments) {
      if (s.name === 'MSH') out += `MSH${d.field}${s.fields.slice(2).join(d.field)}\r`;
      else out += `${s.fields.join(d.field)}\r`;
    }
    return out;
  }
}

/** Parses one HL7 v2 message. Throws Hl7ParseError (code HL7_MALFORMED) saying what is wrong. */
export function parseHl7(text: string): Hl7Message {
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l.length > 0);
  const first = lines[0];
  if (first === undefined) throw new Hl7ParseError('empty message');
  if (!first.startsWith('MSH')) throw new Hl7ParseError(`message does not start with an MSH segment (starts with ${JSON.stringify(first.slice(0, 8))})`);
  const delimiters = readDelimiters(first);
  const segments: Hl7Segment[] = [];
  for (const [i, line] of lines.entries()) {
    const parts = line.split(delimiters.field);
    const name = parts[0] ?? '';
    if (!SEGMENT_NAME.test(name)) throw new Hl7ParseError(`segment ${i + 1} has an invalid name ${JSON.stringify(name.slice(0, 8))}`);
    if (name === 'MSH') {
      if (i > 0) throw new Hl7ParseError(`segment ${i + 1} is a second MSH segment`);
      segments.push({ name, fields: ['MSH', delimiters.field, ...parts.slice(1)] });
    } else segments.push({ name, fields: parts });
  }
  return new Hl7Message(segments, delimiters);
}

function readDelimiters(msh: string): Delimiters {
  const field = msh[3];
  if (field === undefined || /[A-Za-z0-9\s]/.test(field)) throw new Hl7ParseError('MSH-1 (field separator) is missing or invalid');
  const end = msh.indexOf(field, 4);
  const enc = end === -1 ? msh.slice(4) : msh.slice(4, end);
  // 4 characters, or 5 with the v2.7 truncation character
  if (enc.length < 4 || enc.length > 5) throw new Hl7ParseError(`MSH-2 (encoding characters) must have 4 characters, got ${JSON.stringify(enc)}`);
  const chars = [field, ...enc];
  if (new Set(chars).size !== chars.length || chars.some((c) => /[A-Za-z0-9\s]/.test(c))) throw new Hl7ParseError(`MSH-2 (encoding characters) ${JSON.stringify(enc)} repeats a delimiter or uses a letter, digit or space`);
  return { field, component: enc[0]!, repetition: enc[1]!, escape: enc[2]!, subcomponent: enc[3]! };
}

/** Builds a message from segments given as field values (unescaped), e.g. ['PID', '1', '', ['ID', '', '', 'FAC']]. */
export type FieldInput = string | readonly (string | readonly string[])[] | undefined;

export function buildHl7(segments: readonly (readonly [string, ...FieldInput[]])[], delimiters: Delimiters = DEFAULT_DELIMITERS): Hl7Message {
  const d = delimiters;
  const encodeField = (f: FieldInput): string => {
    if (f === undefined) return '';
    if (typeof f === 'string') return escapeValue(f, d);
    return f.map((c) => (typeof c === 'string' ? escapeValue(c, d) : c.map((s) => escapeValue(s, d)).join(d.subcomponent))).join(d.component);
  };
  const out: Hl7Segment[] = segments.map(([name, ...fields], i) => {
    if (!SEGMENT_NAME.test(name)) throw new Error(`invalid segment name ${JSON.stringify(name)}`);
    if (name === 'MSH') {
      if (i !== 0) throw new Error('MSH must be the first segment');
      return { name, fields: ['MSH', d.field, encodingCharacters(d), ...fields.map(encodeField)] };
    }
    return { name, fields: [name, ...fields.map(encodeField)] };
  });
  if (out[0]?.name !== 'MSH') throw new Error('a message starts with an MSH segment');
  return new Hl7Message(out, d);
}
