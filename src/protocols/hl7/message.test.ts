import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { buildHl7, Hl7ParseError, parseHl7 } from './message.ts';
import { escapeValue, unescapeValue, DEFAULT_DELIMITERS } from './escape.ts';
import { decodeHl7, encodeHl7, msh18 } from './charset.ts';
import { buildAck } from './ack.ts';
import { BUILTIN_TEMPLATES, fillTemplate } from './templates.ts';
import { hl7Timestamp } from './timestamp.ts';

const fixture = readFileSync(new URL('./__fixtures__/oru-r01-latin1.hl7', import.meta.url));

function parseError(text: string): string {
  try {
    parseHl7(text);
  } catch (e) {
    expect(e).toBeInstanceOf(Hl7ParseError);
    return (e as Error).message;
  }
  throw new Error('parsed without error');
}

describe('HL7 v2 parser', () => {
  it('reads fields, components, repetitions and segment occurrences of a real-shaped ORU^R01', () => {
    const msg = parseHl7(decodeHl7(fixture));
    expect(msg.get('MSH-1')).toBe('|');
    expect(msg.get('MSH-2')).toBe('^~\\&');
    expect(msg.get('MSH-3')).toBe('LAB');
    expect(msg.messageType).toBe('ORU');
    expect(msg.triggerEvent).toBe('R01');
    expect(msg.controlId).toBe('MSG00042');
    expect(msg.get('PID-3.1')).toBe('PAT001');
    expect(msg.get('PID-3[2].4')).toBe('OTHER');
    expect(msg.get('OBX[2]-5')).toBe('5.4');
    expect(msg.get('OBX[3]-5')).toBeUndefined();
    expect(msg.get('PID-30')).toBe('');
    expect(msg.get('ZZZ-1')).toBeUndefined();
  });

  it('decodes 8859/1 by MSH-18 and UTF-8 otherwise', () => {
    expect(msh18(fixture)).toBe('8859/1');
    expect(parseHl7(decodeHl7(fixture)).get('PID-5.1')).toBe('Müller');
    const utf8 = Buffer.from('MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||UNICODE UTF-8\rPID|1||||Zoë\r', 'utf8');
    expect(parseHl7(decodeHl7(utf8)).get('PID-5')).toBe('Zoë');
    expect(encodeHl7('MSH|^~\\&|A||||||ADT^A01|1|P|2.5||||||8859/1\rPID|1||||Zoë\r').includes(Buffer.from([0xeb]))).toBe(true);
    expect(encodeHl7('MSH|^~\\&|A\rPID|1||||Zoë\r').includes(Buffer.from('ë', 'utf8'))).toBe(true);
  });

  it('decodes escape sequences and keeps unknown ones', () => {
    const msg = parseHl7(decodeHl7(fixture));
    expect(msg.get('OBX-5')).toBe('a | b ^ c & d ~ e \\ f \r g \\H\\ h');
  });

  it('tolerates \\n and \\r\\n segment terminators', () => {
    expect(parseHl7('MSH|^~\\&|A\nMSA|AA|1\n').get('MSA-2')).toBe('1');
    expect(parseHl7('MSH|^~\\&|A\r\nMSA|AA|1\r\n').get('MSA-1')).toBe('AA');
  });

  it('uses the delimiters the message declares', () => {
    const msg = parseHl7('MSH#*@!%#APP*X\rMSA#AE#C1#a!F!b\r');
    expect(msg.get('MSH-3.2')).toBe('X');
    expect(msg.get('MSA-3')).toBe('a#b');
  });

  it('rejects malformed messages with exact reasons', () => {
    expect(parseError('')).toBe('empty message');
    expect(parseError('PID|1\r')).toBe('message does not start with an MSH segment (starts with "PID|1")');
    expect(parseError('MSH')).toBe('MSH-1 (field separator) is missing or invalid');
    expect(parseError('MSH|^~|A')).toBe('MSH-2 (encoding characters) must have 4 characters, got "^~"');
    expect(parseError('MSH|^^\\&|A')).toBe('MSH-2 (encoding characters) "^^\\\\&" repeats a delimiter or uses a letter, digit or space');
    expect(parseError('MSH|^~\\&|A\rpid|1')).toBe('segment 2 has an invalid name "pid"');
    expect(parseError('MSH|^~\\&|A\rMSH|^~\\&|B')).toBe('segment 2 is a second MSH segment');
  });

  it('rejects invalid paths', () => {
    const msg = parseHl7('MSH|^~\\&|A\r');
    expect(() => msg.get('MSA')).toThrow('invalid HL7 path "MSA" (expected e.g. MSA-1, MSH-9.2, PID-3[2].1)');
    expect(() => msg.get('MSA-0')).toThrow('invalid HL7 path "MSA-0": positions start at 1');
  });

  it('escapes and unescapes round trip (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '|', '^', '~', '\\', '&', '\r', 'é', ' ') }), (s) => {
        expect(unescapeValue(escapeValue(s, DEFAULT_DELIMITERS), DEFAULT_DELIMITERS)).toBe(s);
      }),
      { numRuns: 1000 },
    );
  });

  it('builds messages and sets values with escaping, padding missing parts', () => {
    const msg = buildHl7([
      ['MSH', 'APP', 'FAC', '', '', '20260105080000', '', ['ADT', 'A01'], 'C1', 'P', '2.5.1'],
      ['PID', '1', '', [['ID', 'X'], '', '', 'FAC']],
    ]);
    expect(msg.toString()).toBe('MSH|^~\\&|APP|FAC|||20260105080000||ADT^A01|C1|P|2.5.1\rPID|1||ID&X^^^FAC\r');
    const changed = msg.with('PID-5.2', 'a|b').with('MSH-18', 'UNICODE UTF-8');
    expect(changed.toString()).toBe('MSH|^~\\&|APP|FAC|||20260105080000||ADT^A01|C1|P|2.5.1||||||UNICODE UTF-8\rPID|1||ID&X^^^FAC||^a\\F\\b\r');
    expect(parseHl7(changed.toString()).get('PID-5.2')).toBe('a|b');
    expect(msg.toString()).not.toContain('a\\F\\b');
    expect(() => msg.with('MSH-2', 'x')).toThrow('MSH-1 and MSH-2 (the delimiters) cannot be changed');
    expect(() => msg.with('MSA-1', 'AA')).toThrow('the message has no MSA segment');
  });

  it('fuzz: arbitrary text either parses or fails with Hl7ParseError, never anything else', () => {
    const hl7ish = fc.string({ unit: fc.constantFrom('M', 'S', 'H', 'A', '|', '^', '~', '\\', '&', '\r', '\n', '1', 'x', 'P', 'I', 'D', '#') });
    fc.assert(
      fc.property(fc.oneof(hl7ish, fc.string(), hl7ish.map((s) => `MSH|^~\\&|${s}`)), (text) => {
        try {
          const msg = parseHl7(text);
          msg.get('MSH-9.1');
          msg.get('MSA-2');
          parseHl7(msg.toString());
        } catch (e) {
          expect(e).toBeInstanceOf(Hl7ParseError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('HL7 ACK and templates', () => {
  const now = Date.UTC(2026, 0, 5, 8, 0, 0);
  const received = parseHl7(decodeHl7(fixture));

  it('formats MSH-7 timestamps as YYYYMMDDHHMMSS (UTC)', () => {
    expect(hl7Timestamp(now)).toBe('20260105080000');
  });

  it('builds AA with sender and receiver swapped and MSA-2 = MSH-10', () => {
    const ack = buildAck(received, { code: 'AA', now, controlId: 'ACK1' });
    expect(ack.toString()).toBe('MSH|^~\\&|WARDWATCH|MON|LAB|GENERAL|20260105080000||ACK^R01^ACK|ACK1|P|2.5.1\rMSA|AA|MSG00042|\r');
  });

  it('builds AE and AR with an ERR segment carrying the text', () => {
    const ae = parseHl7(buildAck(received, { code: 'AE', now, controlId: 'ACK2', text: 'bad | PID' }).toString());
    expect(ae.get('MSA-1')).toBe('AE');
    expect(ae.get('MSA-3')).toBe('bad | PID');
    expect(ae.get('ERR-3.1')).toBe('207');
    expect(ae.get('ERR-8')).toBe('bad | PID');
    const ar = parseHl7(buildAck(undefined, { code: 'AR', now, controlId: 'ACK3', ackedControlId: 'X9' }).toString());
    expect(ar.get('MSA-2')).toBe('X9');
    expect(ar.get('ERR-3.1')).toBe('200');
  });

  it('fills templates per send and applies MSH overrides', () => {
    const msg = fillTemplate(BUILTIN_TEMPLATES['adt-a01'], { now, controlId: 'WW123', msh: { receivingApplication: 'HIS^1.2.3^ISO', receivingFacility: 'WARD 7' } });
    expect(msg.get('MSH-7')).toBe('20260105080000');
    expect(msg.get('EVN-2')).toBe('20260105080000');
    expect(msg.controlId).toBe('WW123');
    expect(msg.get('MSH-5.2')).toBe('1.2.3');
    expect(msg.get('MSH-6')).toBe('WARD 7');
    expect(msg.toString().startsWith('MSH|^~\\&|WARDWATCH|MONITORING|HIS^1.2.3^ISO|WARD 7|20260105080000||ADT^A01^ADT_A01|WW123|P|2.5.1\r')).toBe(true);
    const qry = fillTemplate(BUILTIN_TEMPLATES['qry-a19'], { now, controlId: 'Q1' });
    expect(qry.get('QRD-4')).toBe('Q1');
    expect(() => fillTemplate('MSH|^~\\&|{{who}}', { now, controlId: 'X' })).toThrow('unknown placeholder {{who}} in the template (known: {{now}}, {{controlId}})');
  });
});
