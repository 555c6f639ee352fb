import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tls from 'node:tls';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tcpKind } from './index.ts';
import { makeContext, runSensorContract, timeoutReason } from '../testing/contract.ts';
import { closedPort, startHangingServer, startTcpServer, type TestServer } from '../testing/peers.ts';
import { daysFromNow, makeCa, makeCertificate, type TestCertificate } from '../testing/certs.ts';
import { activeResources, settleResources } from '../testing/handles.ts';

const check = (input: Record<string, unknown>, signal?: AbortSignal) => tcpKind.check(tcpKind.settings.parse(input), makeContext(signal ? { signal } : {}));

let echo: TestServer;
let hanging: TestServer;

beforeAll(async () => {
  // answers "PING" with "PONG", like a trivial line protocol
  echo = await startTcpServer((socket) => {
    socket.on('data', (d: Buffer) => {
      if (d.toString().includes('PING\r\n')) socket.write('PONG\r\n');
    });
  });
  hanging = await startHangingServer();
});
afterAll(async () => {
  await echo.close();
  await hanging.close();
});

runSensorContract(tcpKind, {
  good: async () => ({ host: echo.host, port: echo.port, send: 'PING\\r\\n', expect: 'PONG' }),
  refused: async () => ({ host: '127.0.0.1', port: await closedPort() }),
  refusedError: 'ECONNREFUSED',
  hang: async () => ({ settings: { host: hanging.host, port: hanging.port, send: 'HELLO\\r\\n', expect: 'x' }, accepted: hanging.nextRequest() }),
});

describe('tcp', () => {
  it('measures the connect time of a bare port', async () => {
    const r = await check({ host: echo.host, port: echo.port });
    expect(r.error).toBeUndefined();
    expect(r.channels.map((c) => c.key)).toEqual(['connectTimeMs', 'totalTimeMs']);
    expect(r.message).toMatch(new RegExp(`^connected to 127\\.0\\.0\\.1:${echo.port} in \\d+\\.\\d ms$`));
    expect(Object.keys(r.phases ?? {})).toEqual(['connect']);
  });

  it('matches a banner against a regular expression', async () => {
    const smtp = await startTcpServer((s) => s.write('220 mail.hospital.test ESMTP\r\n'));
    try {
      const r = await check({ host: smtp.host, port: smtp.port, expect: '/^220 \\S+ ESMTP/' });
      expect(r.error).toBeUndefined();
      expect(r.channels.map((c) => c.key)).toEqual(['connectTimeMs', 'responseTimeMs', 'totalTimeMs']);
      expect(r.message).toMatch(/answered \/\^220 \\S\+ ESMTP\/ in/);
    } finally {
      await smtp.close();
    }
  });

  it('sends the unescaped text and waits for the expected answer', async () => {
    const r = await check({ host: echo.host, port: echo.port, send: 'PING\\r\\n', expect: 'PONG\\r\\n' });
    expect(r.error).toBeUndefined();
    expect(r.phases).toHaveProperty('response');
    // without the \r\n escape the echo server does not answer: the send really is unescaped
    const silent = new AbortController();
    const pending = check({ host: echo.host, port: echo.port, send: 'PING', expect: 'PONG' }, silent.signal);
    await echo.nextRequest();
    silent.abort(timeoutReason());
    expect((await pending).error).toBe('TIMEOUT');
  });

  it('reports what came back when the answer does not match, escaped and truncated', async () => {
    const srv = await startTcpServer((s) => s.end('500 service unavailable, try again later please; the interface engine is restarting\r\n'));
    try {
      const r = await check({ host: srv.host, port: srv.port, expect: '220' });
      expect(r.error).toBe('TCP_EXPECT_MISMATCH');
      expect(r.message).toBe('expected "220", got "500 service unavailable, try again later please; the interface engine is restart"… before the peer closed the connection');
    } finally {
      await srv.close();
    }
  });

  it('stops reading after 64 KiB when the expected text never comes', async () => {
    const srv = await startTcpServer((s) => s.write('x'.repeat(70_000)));
    try {
      const r = await check({ host: srv.host, port: srv.port, expect: 'READY' });
      expect(r.error).toBe('TCP_EXPECT_MISMATCH');
      expect(r.message).toBe(`expected "READY" within the first 64 KiB, got "${'x'.repeat(80)}"…`);
    } finally {
      await srv.close();
    }
  });

  it('reports CLOSED_EARLY when the peer hangs up without a word', async () => {
    const srv = await startTcpServer((s) => s.end());
    try {
      const r = await check({ host: srv.host, port: srv.port, send: 'HELLO\\n' });
      expect(r.error).toBe('CLOSED_EARLY');
      expect(r.message).toBe(`127.0.0.1:${srv.port} sent nothing (expected an answer)`);
      expect(r.channels.map((c) => c.key)).toEqual(['connectTimeMs']);
    } finally {
      await srv.close();
    }
  });

  it('reports a refused port with the catalogue message', async () => {
    const port = await closedPort();
    const r = await check({ host: '127.0.0.1', port });
    expect(r).toEqual({ channels: [], error: 'ECONNREFUSED', message: `127.0.0.1:${port}`, phases: {} });
  });

  it('tells TIMEOUT (connected, no answer) from CONNECT_TIMEOUT and ABORTED', async () => {
    const timedOut = new AbortController();
    const pending = check({ host: hanging.host, port: hanging.port, send: 'HELLO\\r\\n', expect: '+OK' }, timedOut.signal);
    await hanging.nextRequest();
    timedOut.abort(timeoutReason());
    const r = await pending;
    expect(r.error).toBe('TIMEOUT');
    expect(r.message).toBe(`127.0.0.1:${hanging.port} accepted the connection but sent no matching answer`);

    // aborted in the same tick as the connect started: the TCP handshake cannot have completed
    const early = new AbortController();
    const before = activeResources();
    const connecting = check({ host: hanging.host, port: hanging.port }, early.signal);
    early.abort(timeoutReason());
    expect((await connecting).error).toBe('CONNECT_TIMEOUT');
    expect(await settleResources(before)).toEqual({});

    const cancelled = new AbortController();
    const pending2 = check({ host: hanging.host, port: hanging.port, send: 'HELLO\\r\\n', expect: '+OK' }, cancelled.signal);
    await hanging.nextRequest();
    cancelled.abort();
    expect((await pending2).error).toBe('ABORTED');
  });

  it('gives up after expectTimeout even when the check timeout is far away', async () => {
    const r = await check({ host: hanging.host, port: hanging.port, send: 'HELLO\\r\\n', expect: '+OK', expectTimeout: '1ms' });
    expect(r.error).toBe('TIMEOUT');
    expect(r.message).toBe(`127.0.0.1:${hanging.port} accepted the connection but sent no matching answer`);
  });

  it('resolves a host name before connecting', async () => {
    const r = await check({ host: 'localhost', port: echo.port, send: 'PING\\r\\n', expect: 'PONG' });
    expect(r.error).toBeUndefined();
    expect(Object.keys(r.phases ?? {})).toEqual(['dns', 'connect', 'response']);
  });

  it('rejects bad settings with exact messages', () => {
    const issues = (input: unknown) => tcpKind.settings.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ host: 'pacs', port: 70000 })).toEqual(['port: expected integer 1–65535, got 70000']);
    expect(issues({ host: 'pacs', port: 104, expect: '/(unclosed/' })).toEqual(['expect: invalid regular expression /(unclosed/: Unterminated group']);
    expect(issues({ host: 'pacs', port: 104, expect: '' })).toEqual(['expect: expected text or a /regex/, got an empty string']);
  });
});

describe('tcp over TLS', () => {
  let ca: TestCertificate;
  let good: TestCertificate;
  let expired: TestCertificate;
  beforeAll(async () => {
    ca = await makeCa({ keyType: 'EC' }); // EC keys: generated in milliseconds, unlike RSA
    good = await makeCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], signWith: ca, keyType: 'EC' });
    expired = await makeCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], signWith: ca, keyType: 'EC', notBefore: daysFromNow(-60), notAfter: daysFromNow(-2) });
  });

  async function tlsServer(cert: TestCertificate, banner = '* OK IMAP ready\r\n'): Promise<{ port: number; close: () => Promise<void> }> {
    const srv = tls.createServer({ cert: cert.certPem, key: cert.keyPem }, (s) => s.end(banner));
    srv.on('tlsClientError', () => {});
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    return { port: (srv.address() as AddressInfo).port, close: () => new Promise((r) => srv.close(() => r())) };
  }

  it('connects over TLS with a private CA and reads the banner', async () => {
    const srv = await tlsServer(good);
    try {
      const r = await check({ host: '127.0.0.1', port: srv.port, tls: true, tlsCa: ca.certPem, expect: '* OK' });
      expect(r.error).toBeUndefined();
      expect(r.message).toMatch(/^TLSv1\.3 127\.0\.0\.1:\d+ answered "\* OK" in/);
      expect(Object.keys(r.phases ?? {})).toEqual(['connect', 'tls', 'response']);
    } finally {
      await srv.close();
    }
  });

  it('fails an expired certificate as TLS_CERT_EXPIRED, and an unknown CA as untrusted unless verification is off', async () => {
    const old = await tlsServer(expired);
    try {
      const r = await check({ host: '127.0.0.1', port: old.port, tls: true, tlsCa: ca.certPem });
      expect(r.error).toBe('TLS_CERT_EXPIRED');
      expect(r.message).toBe(`127.0.0.1:${old.port}: certificate has expired`);
      expect(r.channels.map((c) => c.key)).toEqual(['connectTimeMs']);
    } finally {
      await old.close();
    }
    const srv = await tlsServer(good);
    try {
      expect((await check({ host: '127.0.0.1', port: srv.port, tls: true })).error).toBe('TLS_CERT_UNTRUSTED');
      expect((await check({ host: '127.0.0.1', port: srv.port, tls: true, tlsVerify: false })).error).toBeUndefined();
    } finally {
      await srv.close();
    }
  });

  it('times out a TLS handshake the peer never answers as TIMEOUT', async () => {
    const controller = new AbortController();
    const pending = check({ host: hanging.host, port: hanging.port, tls: true }, controller.signal);
    await hanging.nextRequest(); // the ClientHello
    controller.abort(timeoutReason());
    const r = await pending;
    expect(r.error).toBe('TIMEOUT');
    expect(r.channels.map((c) => c.key)).toEqual(['connectTimeMs']);
  });
});
