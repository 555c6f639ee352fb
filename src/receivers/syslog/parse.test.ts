import { describe, expect, it } from 'vitest';
import { detectAtna } from './atna.ts';
import { createDeframer } from './framing.ts';
import { parseSyslog } from './parse.ts';

const NOW = new Date(2026, 10, 28, 12, 0, 0).getTime();
const b = (s: string) => Buffer.from(s, 'utf8');

describe('parseSyslog RFC 5424', () => {
  it('reads every header field, structured data with escapes and the BOM', () => {
    const line = Buffer.concat([
      b('<165>1 2026-11-28T10:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="App\\"lic\\]a\\\\tion" x="a\\b"][origin ip="10.0.0.1"] '),
      Buffer.from([0xef, 0xbb, 0xbf]),
      b('An application event log entry ü'),
    ]);
    expect(parseSyslog(line, NOW)).toEqual({
      format: 'rfc5424',
      facility: 20,
      severity: 5,
      timestamp: Date.UTC(2026, 10, 28, 10, 14, 15, 3),
      hostname: 'mymachine.example.com',
      appName: 'evntslog',
      procId: '1234',
      msgId: 'ID47',
      structuredData: { 'exampleSDID@32473': { iut: '3', eventSource: 'App"lic]a\\tion', x: 'a\\b' }, origin: { ip: '10.0.0.1' } },
      msg: 'An application event log entry ü',
      bom: true,
    });
  });

  it('takes NILVALUEs as absent and an empty MSG as empty', () => {
    expect(parseSyslog(b('<34>1 - - - - - -'), NOW)).toEqual({ format: 'rfc5424', facility: 4, severity: 2, msg: '' });
  });

  it('keeps the message when the timestamp is invalid and says so', () => {
    const p = parseSyslog(b('<13>1 yesterday host app - - - hello'), NOW);
    expect(p.parseError).toBe('invalid TIMESTAMP "yesterday"');
    expect(p).toMatchObject({ hostname: 'host', appName: 'app', msg: 'hello' });
  });

  it('reports unterminated structured data and keeps the rest as the message', () => {
    const p = parseSyslog(b('<13>1 - h a - - [id x="1 hello'), NOW);
    expect(p.parseError).toBe('unterminated SD-PARAM value in [id]');
    expect(p.msg).toBe('[id x="1 hello');
    expect(parseSyslog(b('<13>1 - h a - - [id x="1" hello'), NOW).parseError).toBe('malformed SD-PARAM in [id]');
  });

  it('reports a truncated header', () => {
    expect(parseSyslog(b('<13>1 2026-11-28T10:00:00Z host'), NOW).parseError).toBe(
      'truncated RFC 5424 header: expected TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA',
    );
  });
});

describe('parseSyslog RFC 3164 and broken input', () => {
  it('reads a BSD header with tag and pid, the year taken from now', () => {
    expect(parseSyslog(b('<13>Nov  3 09:05:01 pacs-01 storescp[4711]: association from MODALITY'), NOW)).toEqual({
      format: 'rfc3164',
      facility: 1,
      severity: 5,
      timestamp: new Date(2026, 10, 3, 9, 5, 1).getTime(),
      hostname: 'pacs-01',
      appName: 'storescp',
      procId: '4711',
      msg: 'association from MODALITY',
    });
  });

  it('puts a December stamp received in January in the previous year', () => {
    const jan = new Date(2027, 0, 1, 0, 0, 5).getTime();
    expect(parseSyslog(b('<13>Dec 31 23:59:59 h app: x'), jan).timestamp).toBe(new Date(2026, 11, 31, 23, 59, 59).getTime());
  });

  it('accepts an RFC 3339 stamp in a BSD line', () => {
    expect(parseSyslog(b('<11>2026-11-28T10:00:00+01:00 ups-2 apcupsd: on battery'), NOW)).toMatchObject({
      timestamp: Date.UTC(2026, 10, 28, 9),
      hostname: 'ups-2',
      appName: 'apcupsd',
      msg: 'on battery',
      severity: 3,
    });
  });

  it('keeps lines without PRI, with a PRI out of range, or without timestamp, with the exact error', () => {
    expect(parseSyslog(b('just text\n'), NOW)).toEqual({
      format: 'rfc3164', facility: 1, severity: 5, msg: 'just text', parseError: 'missing PRI: the message does not start with <0>..<191>',
    });
    expect(parseSyslog(b('<999>x'), NOW)).toMatchObject({ msg: 'x', parseError: 'PRI out of range: <999> (0..191)' });
    expect(parseSyslog(b('<13>kernel: oops'), NOW)).toMatchObject({
      appName: 'kernel', msg: 'oops', parseError: 'no TIMESTAMP after PRI: the rest is kept as the message',
    });
  });

  it('replaces invalid UTF-8 and flags it', () => {
    const p = parseSyslog(Buffer.concat([b('<14>Nov 28 10:00:00 h app: bad '), Buffer.from([0xff, 0xc3, 0x28]), b(' end')]), NOW);
    expect(p.invalidUtf8).toBe(true);
    expect(p.msg).toBe('bad \uFFFD\uFFFD( end');
    expect(p.parseError).toBeUndefined();
  });
});

describe('detectAtna', () => {
  it('extracts event, outcome and requesting user from DICOM audit XML', () => {
    const xml =
      '<?xml version="1.0"?><AuditMessage><EventIdentification EventActionCode="E" EventDateTime="2026-11-28T10:00:00Z" EventOutcomeIndicator="4">' +
      '<EventID csd-code="110114" codeSystemName="DCM" originalText="User Authentication"/></EventIdentification>' +
      '<ActiveParticipant UserID="node-1" UserIsRequestor="false"/><ActiveParticipant UserID="dr.m&amp;ller" UserIsRequestor="true"/></AuditMessage>';
    expect(detectAtna(xml)).toEqual({ eventId: '110114', eventName: 'User Authentication', action: 'E', outcome: '4', outcomeText: 'minor failure', userId: 'dr.m&ller' });
  });

  it('reads RFC 3881 code attributes and ignores non-audit text', () => {
    expect(detectAtna('<AuditMessage><EventIdentification EventOutcomeIndicator="0"><EventID code="110110" displayName="Patient Record"/></EventIdentification></AuditMessage>')).toEqual({
      eventId: '110110', eventName: 'Patient Record', outcome: '0', outcomeText: 'success',
    });
    expect(detectAtna('<Audit>nothing</Audit>')).toBeUndefined();
  });
});

describe('createDeframer', () => {
  const run = (chunks: string[], max = 100) => {
    const frames: string[] = [];
    const d = createDeframer(max, (f, cut) => frames.push(cut ? `CUT:${f.toString()}` : f.toString()));
    const errors = chunks.map((c) => d.push(b(c))).filter((e) => e !== undefined);
    d.end();
    return { frames, errors };
  };

  it('splits octet-counted and newline frames, mixed and across chunks', () => {
    expect(run(['5 <1>a', 'b3 <2>', '<3>c\n<4>d\r\n', '<5>e'])).toEqual({ frames: ['<1>ab', '<2>', '<3>c', '<4>d\r', '<5>e'], errors: [] });
  });

  it('cuts over-long lines and refuses over-long or non-numeric counts', () => {
    expect(run(['<1>' + 'x'.repeat(20) + '\n<2>ok\n'], 10).frames).toEqual(['CUT:<1>xxxxxxx', '<2>ok']);
    expect(run(['999 <1>x'], 10).errors).toEqual(['octet-counted frame of 999 bytes is over the limit of 10']);
    expect(run(['12a <1>x'], 10).errors).toEqual(['octet-counting frame header is not a number: "12a"']);
  });
});
