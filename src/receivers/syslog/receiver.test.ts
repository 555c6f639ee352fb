import { execFile, spawn } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createInbox } from '../inbox.ts';
import { makeCa, makeCertificate } from '../../sensors/testing/certs.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { requireCommand } from '../../../test/peers/harness.ts';
import type { SyslogReceiver, SyslogReceiverOptions } from './index.ts';
import { startSyslogReceiver } from './index.ts';
import { collector } from './testing.ts';

const run = promisify(execFile);
const LOCAL = '127.0.0.1';
let receiver: SyslogReceiver | undefined;

afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function start(extra: Partial<SyslogReceiverOptions> = {}) {
  const c = collector();
  receiver = await startSyslogReceiver({
    udp: { host: LOCAL, port: 0 },
    tcp: { host: LOCAL, port: 0 },
    deviceOf: (ip) => (ip === LOCAL ? 'pacs-01' : undefined),
    sink: c.sink,
    ...extra,
  });
  return { c, r: receiver };
}

function logger(r: SyslogReceiver, transport: 'udp' | 'tcp', args: string[]) {
  requireCommand('logger', 'bsdutils');
  const port = transport === 'udp' ? r.addresses.udp!.port : r.addresses.tcp!.port;
  return run('logger', ['--server', LOCAL, '--port', String(port), transport === 'udp' ? '--udp' : '--tcp', ...args]);
}

describe('syslog receiver with util-linux logger', () => {
  it('receives RFC 5424 over UDP with structured data, maps the device and publishes to the inbox', async () => {
    const inbox = createInbox();
    const published: unknown[] = [];
    inbox.subscribe('syslog:pacs-01', (m) => published.push(m));
    const { c, r } = await start({ inbox });
    await logger(r, 'udp', ['--rfc5424', '-p', 'local3.err', '-t', 'storescp', '--msgid', 'ASSOC', '--sd-id', 'dicom@32473', '--sd-param', 'aet="MODALITY\\"1"', 'association rejected']);
    const m = await c.waitFor((x) => x.text === 'association rejected', 'the UDP message');
    expect(m).toMatchObject({ receiver: 'syslog', source: LOCAL, deviceId: 'pacs-01', severity: 'error' });
    expect(m.data).toMatchObject({ transport: 'udp', format: 'rfc5424', facility: 'local3', severity: 'err', app: 'storescp', msgId: 'ASSOC' });
    expect((m.data!.sd as Record<string, unknown>)['dicom@32473']).toEqual({ aet: 'MODALITY"1' });
    await r.flush();
    expect(published).toContain(m);
    expect(r.stats()).toMatchObject({ received: 1, parsed: 1, parseErrors: 0, dropped: 0, delivered: 1 });
  });

  it('receives octet-counted RFC 5424 and newline-framed RFC 3164 over TCP', async () => {
    const { c, r } = await start();
    await logger(r, 'tcp', ['--rfc5424', '--octet-count', '-p', 'auth.warning', '-t', 'sshd', 'counted frame']);
    await logger(r, 'tcp', ['--rfc3164', '-p', 'daemon.info', '-t', 'dcmqrscp', 'newline frame']);
    const counted = await c.waitFor((x) => x.text === 'counted frame', 'the octet-counted message');
    const bsd = await c.waitFor((x) => x.text === 'newline frame', 'the RFC 3164 message');
    expect(counted).toMatchObject({ severity: 'warning', data: { transport: 'tcp', format: 'rfc5424', facility: 'auth', app: 'sshd' } });
    expect(bsd).toMatchObject({ severity: 'info', deviceId: 'pacs-01', data: { transport: 'tcp', format: 'rfc3164', facility: 'daemon', app: 'dcmqrscp' } });
  });

  it('stores ATNA audit records searchable by event, user and outcome', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    try {
      const { c, r } = await start({ sinkBatch: (b) => store.appendMessages(b) });
      const xml =
        '<AuditMessage><EventIdentification EventActionCode="E" EventOutcomeIndicator="8"><EventID csd-code="110114" codeSystemName="DCM" originalText="User Authentication"/>' +
        '</EventIdentification><ActiveParticipant UserID="dr.house" UserIsRequestor="true"/></AuditMessage>';
      await logger(r, 'tcp', ['--rfc5424', '--octet-count', '-p', 'auth.notice', '-t', 'ATNA', '--msgid', 'IHE+RFC-3881', xml]);
      const m = await c.waitFor((x) => x.data?.app === 'ATNA', 'the audit record');
      expect(m.data!.atna).toEqual({ eventId: '110114', eventName: 'User Authentication', action: 'E', outcome: '8', outcomeText: 'serious failure', userId: 'dr.house' });
      expect(m.text.startsWith('ATNA User Authentication by dr.house (serious failure): <AuditMessage>')).toBe(true);
      await r.flush();
      const found = await store.messages({ text: 'DR.HOUSE', receiver: 'syslog', deviceId: 'pacs-01' });
      expect(found.map((x) => x.data?.atna)).toEqual([m.data!.atna]);
      expect(await store.messages({ text: 'serious failure' })).toHaveLength(1);
    } finally {
      await receiver?.close();
      await store.close();
    }
  });
});

describe('syslog over TLS (RFC 5425) with openssl s_client', () => {
  it('receives octet-counted frames from a client with a certificate the CA signed', async () => {
    requireCommand('openssl', 'openssl');
    const ca = await makeCa({ commonName: 'Wardwatch test CA', keyType: 'EC' });
    const server = await makeCertificate({ commonName: 'localhost', altNames: ['127.0.0.1', 'localhost'], signWith: ca, keyType: 'EC' });
    const client = await makeCertificate({ commonName: 'modality-7', signWith: ca, keyType: 'EC' });
    const { c, r } = await start({
      tcp: undefined,
      tls: { host: LOCAL, port: 0, cert: server.certPem, key: server.keyPem, ca: ca.certPem, requireClientCert: true },
    });
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const dir = await mkdtemp('/tmp/ww-syslog-tls-');
    await writeFile(`${dir}/c.pem`, client.certPem);
    await writeFile(`${dir}/k.pem`, client.keyPem);
    await writeFile(`${dir}/ca.pem`, ca.certPem);
    const proc = spawn('openssl', ['s_client', '-connect', `${LOCAL}:${r.addresses.tls!.port}`, '-quiet', '-cert', `${dir}/c.pem`, '-key', `${dir}/k.pem`, '-CAfile', `${dir}/ca.pem`], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      const frames = ['<86>1 2026-11-28T10:00:00Z mod-7 auditd - - - tls one', '<84>1 - mod-7 auditd - - [x@1 a="b"] tls two'];
      proc.stdin.write(frames.map((f) => `${Buffer.byteLength(f)} ${f}`).join(''));
      await c.waitFor((x) => x.text === 'tls two', 'the second TLS frame');
      expect(c.messages.map((x) => [x.text, x.data?.transport, x.severity])).toEqual([
        ['tls one', 'tls', 'info'],
        ['tls two', 'tls', 'warning'],
      ]);
    } finally {
      proc.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('bad input never stops the receiver', () => {
  it('keeps broken headers and invalid UTF-8 with recorded errors, and ends only a connection with broken framing', async () => {
    const errors: string[] = [];
    const { c, r } = await start({ onError: (e) => errors.push(e.message) });
    const udp = (await import('node:dgram')).createSocket('udp4');
    const send = (b: Buffer) => new Promise<void>((res, rej) => udp.send(b, r.addresses.udp!.port, LOCAL, (e) => (e ? rej(e) : res())));
    await send(Buffer.from('<999>not a pri'));
    await send(Buffer.concat([Buffer.from('<13>Nov 28 10:00:00 h app: bad '), Buffer.from([0xfe, 0xff]), Buffer.from(' bytes')]));
    await send(Buffer.from('<13>1 2026-11-28T10:00:00Z h app - - [broken'));
    await c.waitFor((x) => x.data?.parseError === 'unterminated STRUCTURED-DATA element', 'the third message');
    udp.close();
    expect(c.messages.map((x) => [x.text, x.data?.parseError, x.data?.invalidUtf8])).toEqual([
      ['not a pri', 'PRI out of range: <999> (0..191)', undefined],
      ['bad \uFFFD\uFFFD bytes', undefined, true],
      ['[broken', 'unterminated STRUCTURED-DATA element', undefined],
    ]);

    const sock = net.connect(r.addresses.tcp!.port, LOCAL);
    sock.write('8 <13>ok 1');
    sock.write('99999999 <13>too long');
    await new Promise((res) => sock.on('close', res));
    expect(errors).toEqual(['syslog tcp from 127.0.0.1: octet-counted frame of 99999999 bytes is over the limit of 65536; connection closed']);
    await logger(r, 'udp', ['--rfc5424', 'still alive']);
    await c.waitFor((x) => x.text === 'still alive', 'a message after the bad input');
    expect(c.messages.some((x) => x.text === 'ok 1')).toBe(true);
    expect(r.stats()).toMatchObject({ received: 5, parsed: 2, parseErrors: 3, invalidUtf8: 1, framingErrors: 1, dropped: 0 });
  });
});
