// The SIEM channel against real listeners on loopback (UDP, TCP and TLS sockets): RFC 5424 records
// with structured data, CEF with its escaping, octet-counted framing over streams.

import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { smtpCertificates } from '../../../../test/peers/smtp.ts';
import { makeCertificate } from '../../../sensors/testing/certs.ts';
import { freePort } from '../../../../test/peers/harness.ts';
import { sampleNotification, sendOnce, T0 } from '../testing/fixtures.ts';
import { truncateUtf8 } from './index.ts';

const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

async function udpListener(): Promise<{ port: number; next: () => Promise<string> }> {
  const sock = dgram.createSocket('udp4');
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  closers.push(() => sock.close());
  return { port: sock.address().port, next: async () => String(((await once(sock, 'message')) as [Buffer])[0]) };
}

/** A stream listener that collects everything one connection sends until it closes. */
async function streamListener(secure?: { key: string; cert: string }): Promise<{ port: number; next: () => Promise<string> }> {
  const received: Promise<string>[] = [];
  let push: ((s: string) => void) | undefined;
  const onConn = (s: net.Socket) => {
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => {
      push?.(Buffer.concat(chunks).toString('utf8'));
      s.end();
    });
  };
  const server = secure ? tls.createServer(secure, onConn) : net.createServer(onConn);
  received.push(new Promise((r) => (push = r)));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => server.close());
  return { port: (server.address() as net.AddressInfo).port, next: () => received[0]! };
}

describe('syslog channel', () => {
  it('sends one RFC 5424 record by UDP with structured data escaped', async () => {
    const l = await udpListener();
    const got = l.next();
    expect(await sendOnce({ kind: 'syslog', host: '127.0.0.1', port: l.port, hostname: 'ww-core' })).toMatchObject({ ok: true, status: 'sent' });
    const rec = await got;
    // local0 (16) * 8 + critical (2) = 130
    expect(rec).toBe(
      `<130>1 ${new Date(T0).toISOString()} ww-core wardwatch ${process.pid} alert [wardwatch@32473 alertId="alert-42" rule="Imaging down" sensorId="main/imaging/pacs/echo" device="PACS archive | B=2" sensor="DICOM echo" state="Down" previousState="Up" value="1200 ms" severity="critical"] \uFEFFAlert: PACS <Archive> "A&B" is Down: association rejected: called AE "PACS" unknown second line ]`,
    );
  });

  it('escapes ", \\ and ] inside structured data', async () => {
    const l = await udpListener();
    const got = l.next();
    const n = sampleNotification({ vars: { title: 't', device: 'a"b\\c]d' } });
    await sendOnce({ kind: 'syslog', host: '127.0.0.1', port: l.port, hostname: 'h', facility: 1 }, n);
    expect(await got).toContain('device="a\\"b\\\\c\\]d"');
    expect(await got).toMatch(/^<14>1 /);
  });

  it('sends CEF over TCP with octet counting and CEF escaping', async () => {
    const l = await streamListener();
    const got = l.next();
    expect(await sendOnce({ kind: 'syslog', host: '127.0.0.1', port: l.port, transport: 'tcp', format: 'cef', hostname: 'ww-core' })).toMatchObject({ ok: true });
    const framed = await got;
    const m = /^(\d+) ([\s\S]*)$/.exec(framed)!;
    expect(Buffer.byteLength(m[2]!)).toBe(Number(m[1]));
    const cef = m[2]!.slice(m[2]!.indexOf('CEF:'));
    expect(cef).toBe(
      `CEF:0|Wardwatch|Wardwatch|1|alert|Alert: PACS <Archive> "A&B" is Down: association rejected: called AE "PACS" unknown second line ]|10|rt=${T0} dvchost=10.1.2.3 dvc=10.1.2.3 cs1Label=alertId cs1=alert-42 cs2Label=sensor cs2=DICOM echo cs3Label=state cs3=Down cs4Label=device cs4=PACS archive | B\\=2 cs5Label=rule cs5=Imaging down cs6Label=clinicalSystem cs6=PACS msg=association rejected: called AE "PACS" unknown\\nsecond line ] request=https://wardwatch.example/sensors/main/imaging/pacs/echo`,
    );
  });

  it('escapes pipes and backslashes in CEF header fields', async () => {
    const l = await udpListener();
    const got = l.next();
    await sendOnce({ kind: 'syslog', host: '127.0.0.1', port: l.port, format: 'cef', templates: { message: 'a|b\\c' } });
    expect(await got).toContain('|alert|a\\|b\\\\c|10|');
  });

  it('sends over TLS to a collector with a trusted certificate and refuses an untrusted one', async () => {
    const certs = await smtpCertificates();
    const server = await makeCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], signWith: certs.ca });
    const l = await streamListener({ key: server.keyPem, cert: server.certPem });
    const got = l.next();
    expect(await sendOnce({ kind: 'syslog', host: '127.0.0.1', port: l.port, transport: 'tls', caFile: certs.caFile })).toMatchObject({ ok: true, status: 'sent' });
    expect(await got).toMatch(/^\d+ <130>1 /);
    const untrusted = await sendOnce({ kind: 'syslog', host: '127.0.0.1', port: l.port, transport: 'tls' });
    expect(untrusted).toMatchObject({ ok: false, retryable: true });
  });

  it('cuts a UDP record to 8 KiB at a character boundary', async () => {
    const l = await udpListener();
    const got = l.next();
    const members = Array.from({ length: 1000 }, (_, i) => ({ sensorId: `s${i}`, name: `Röntgen-Gerät ${i}`, state: 'Down' }));
    const res = await sendOnce({ kind: 'syslog', host: '127.0.0.1', port: l.port, templates: { message: '{{#members}}{{name}} {{/members}}' } }, sampleNotification({ vars: { title: 't', members } }));
    expect(res).toMatchObject({ ok: true });
    expect(res.ok ? res.response : '').toMatch(/^\d+ bytes by UDP \(cut from \d+\)$/);
    const rec = await got;
    expect(Buffer.byteLength(rec)).toBeLessThanOrEqual(8192);
    expect(rec).not.toContain('\uFFFD');
  });

  it('never cuts inside a UTF-8 character', () => {
    expect(truncateUtf8(Buffer.from('aé'), 2).toString()).toBe('a');
    expect(truncateUtf8(Buffer.from('a🩻'), 4).toString()).toBe('a');
    expect(truncateUtf8(Buffer.from('a🩻b'), 5).toString()).toBe('a🩻');
    expect(truncateUtf8(Buffer.from('abc'), 5).toString()).toBe('abc');
  });

  it('reports a refused TCP connection as retryable', async () => {
    const port = await freePort();
    expect(await sendOnce({ kind: 'syslog', host: '127.0.0.1', port, transport: 'tcp' })).toEqual({ ok: false, retryable: true, status: 'ECONNREFUSED', error: `TCP 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}` });
  });
});
