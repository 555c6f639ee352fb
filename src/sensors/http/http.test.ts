import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpKind } from './index.ts';
import { makeContext, runSensorContract, timeoutReason } from '../testing/contract.ts';
import { closedPort, startHangingServer, startTcpServer, type TestServer } from '../testing/peers.ts';
import { startRouteServer, type RouteServer } from '../testing/http-servers.ts';
import { daysFromNow, makeCa, makeCertificate, type TestCertificate } from '../testing/certs.ts';
import type { CheckContext } from '../sensor.ts';

const check = (input: Record<string, unknown>, ctx: Partial<CheckContext> = {}) => httpKind.check(httpKind.settings.parse(input), makeContext(ctx));
const keys = (r: { channels: readonly { key: string }[] }) => r.channels.map((c) => c.key);

const HEALTH = { status: 'up', version: '4.2.1', checks: [{ name: 'db', ok: true, latencyMs: 4 }, { name: 'hl7-out', ok: false }] };

let web: RouteServer;
let hanging: TestServer;

beforeAll(async () => {
  web = await startRouteServer({
    '/': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Welcome to the LIS</h1>'),
    '/health': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(HEALTH)),
    '/not-json': (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>oops</html>'),
    '/down': (_req, res) => res.writeHead(503).end('busy'),
    '/maintenance': (_req, res) => res.writeHead(200).end('<p>The RIS is in scheduled maintenance until 06:00, please use the downtime forms.</p>'),
    '/relative': (_req, res) => res.writeHead(302, { location: 'health?from=relative' }).end(),
    '/absolute': (_req, res) => res.writeHead(301, { location: `${web.base}/` }).end(),
    '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
    '/post-then-see-other': (req, res) => res.writeHead(303, { location: `/method` }).end(req.method),
    '/method': (req, res, body) => res.writeHead(200).end(`${req.method ?? ''} body=${body}`),
    '/echo': (req, res, body) => res.writeHead(200).end(`${req.method ?? ''} ${req.headers['x-ward'] as string} ${body}`),
    '/secret': (req, res) => {
      if (req.headers.authorization === `Basic ${Buffer.from('alice:s3cret').toString('base64')}`) res.writeHead(200).end('hello alice');
      else res.writeHead(401, { 'www-authenticate': 'Basic realm="lis"' }).end();
    },
    '/big': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // more than the client will read; the server stops writing once the client hangs up
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = (): void => {
        while (sent < 8 * 1024 * 1024 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => {});
      pump();
    },
    '/slow': () => {
      // never answers: the check must give up when its signal aborts
    },
    '/hangup': (req) => req.socket.destroy(),
  });
  hanging = await startHangingServer();
});
afterAll(async () => {
  await web.close();
  await hanging.close();
});

runSensorContract(httpKind, {
  good: async () => ({ url: `${web.base}/` }),
  refused: async () => ({ url: `http://127.0.0.1:${await closedPort()}/` }),
  refusedError: 'ECONNREFUSED',
  hang: async () => ({ settings: { host: hanging.host, port: hanging.port }, accepted: hanging.nextRequest() }),
});

describe('http', () => {
  it('times every phase of a plain request and reports status and size', async () => {
    const r = await check({ host: '127.0.0.1', port: web.port, path: '/' });
    expect(r.error).toBeUndefined();
    expect(keys(r)).toEqual(['responseTimeMs', 'dnsMs', 'connectMs', 'firstByteMs', 'downloadMs', 'statusCode', 'bytes']);
    expect(r.channels.find((c) => c.key === 'statusCode')?.value).toBe(200);
    expect(r.channels.find((c) => c.key === 'bytes')?.value).toBe(27);
    expect(Object.keys(r.phases ?? {})).toEqual(['dns', 'connect', 'firstByte', 'download']);
    expect(r.message).toMatch(/^200 OK in \d+ ms$/);
  });

  it('resolves a host name and times the lookup', async () => {
    const r = await check({ url: `http://localhost:${web.port}/`, keyword: 'Welcome' });
    expect(r.error).toBeUndefined();
    expect(keys(r)).toEqual(['responseTimeMs', 'dnsMs', 'connectMs', 'firstByteMs', 'downloadMs', 'statusCode', 'bytes']);
  });

  it('fails an unexpected status with the status line, and accepts it when listed', async () => {
    const r = await check({ url: `${web.base}/down` });
    expect(r.error).toBe('HTTP_STATUS');
    expect(r.message).toBe('HTTP 503 Service Unavailable (expected 200-399)');
    expect(r.channels.find((c) => c.key === 'statusCode')?.value).toBe(503);
    expect((await check({ url: `${web.base}/down`, expectStatus: '200-299, 503' })).error).toBeUndefined();
    expect((await check({ url: `${web.base}/`, expectStatus: [201, '300-399'] })).message).toBe('HTTP 200 OK (expected 201, 300-399)');
  });

  it('sends method, headers and body', async () => {
    const r = await check({ url: `${web.base}/echo`, method: 'PUT', headers: { 'X-Ward': 'ICU-3' }, body: 'bed=12', keyword: 'PUT ICU-3 bed=12' });
    expect(r.error).toBeUndefined();
  });

  it('checks keywords present and absent, as text or regex', async () => {
    expect((await check({ url: `${web.base}/`, keyword: 'Welcome to the LIS' })).error).toBeUndefined();
    const missing = await check({ url: `${web.base}/`, keyword: '/Welcome to the (RIS|PACS)/' });
    expect(missing.error).toBe('HTTP_KEYWORD_MISSING');
    expect(missing.message).toBe('/Welcome to the (RIS|PACS)/ not found in the page');
    const present = await check({ url: `${web.base}/maintenance`, keywordAbsent: '/maintenance/i' });
    expect(present.error).toBe('HTTP_KEYWORD_PRESENT');
    expect(present.message).toBe('/maintenance/i found in the page: "<p>The RIS is in scheduled maintenance until 06:00, please use the d…"');
    expect((await check({ url: `${web.base}/`, keywordAbsent: 'maintenance' })).error).toBeUndefined();
  });

  it('reads a value at a JSON path and compares it', async () => {
    const url = `${web.base}/health`;
    expect((await check({ url, jsonPath: 'status', jsonExpect: 'up' })).error).toBeUndefined();
    expect((await check({ url, jsonPath: '$.checks[0].ok', jsonExpect: true })).error).toBeUndefined();
    expect((await check({ url, jsonPath: 'checks[0].latencyMs', jsonExpect: '/^\\d$/' })).error).toBeUndefined();
    expect((await check({ url, jsonPath: 'version' })).error).toBeUndefined();
    const wrong = await check({ url, jsonPath: 'checks[1].ok', jsonExpect: true });
    expect(wrong).toMatchObject({ error: 'HTTP_JSON_MISMATCH', message: 'checks[1].ok: expected true, got false' });
    const absent = await check({ url, jsonPath: 'checks[2].name' });
    expect(absent).toMatchObject({ error: 'HTTP_JSON_MISMATCH', message: 'checks[2].name: not present in the response' });
    const text = await check({ url, jsonPath: 'checks[1]', jsonExpect: 'ok' });
    expect(text.message).toBe('checks[1]: expected "ok", got {"name":"hl7-out","ok":false}');
    const invalid = await check({ url: `${web.base}/not-json`, jsonPath: 'status' });
    expect(invalid).toMatchObject({ error: 'HTTP_JSON_INVALID', message: `response is not valid JSON (Unexpected token '<', "<html>oops</html>" is not valid JSON): "<html>oops</html>"` });
  });

  it('follows relative and absolute redirects and reports the final URL', async () => {
    const rel = await check({ url: `${web.base}/relative`, jsonPath: 'status', jsonExpect: 'up' });
    expect(rel.error).toBeUndefined();
    expect(rel.message).toMatch(new RegExp(`^200 OK in \\d+ ms \\(after 1 redirect: ${web.base}/health\\?from=relative\\)$`));
    const abs = await check({ url: `${web.base}/absolute`, keyword: 'Welcome' });
    expect(abs.message).toContain(`(after 1 redirect: ${web.base}/)`);
    const off = await check({ url: `${web.base}/absolute`, followRedirects: false });
    expect(off.channels.find((c) => c.key === 'statusCode')?.value).toBe(301);
  });

  it('turns a POST answered by 303 into a GET without body', async () => {
    const r = await check({ url: `${web.base}/post-then-see-other`, method: 'POST', body: 'x=1', keyword: 'GET body=' });
    expect(r.error).toBeUndefined();
  });

  it('stops a redirect loop', async () => {
    const r = await check({ url: `${web.base}/loop`, followRedirects: 3 });
    expect(r.error).toBe('HTTP_TOO_MANY_REDIRECTS');
    expect(r.message).toBe(`more than 3 (the last one to ${web.base}/loop)`);
  });

  it('reads at most maxBodyBytes of a large body and does not download the rest', async () => {
    const r = await check({ url: `${web.base}/big`, keyword: 'zzz' });
    expect(r.error).toBe('HTTP_KEYWORD_MISSING');
    expect(r.message).toBe('"zzz" not found in the page (only the first 1 MiB read)');
    const bytes = r.channels.find((c) => c.key === 'bytes')?.value ?? 0;
    expect(bytes).toBeGreaterThan(1024 * 1024);
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    const small = await check({ url: `${web.base}/big`, maxBodyBytes: 1000 });
    expect(small.error).toBeUndefined();
    expect(small.message).toMatch(/^200 OK in \d+ ms, body cut at 1000 bytes$/);
  });

  it('sends basic auth from the credential, only when one is configured', async () => {
    const url = `${web.base}/secret`;
    expect((await check({ url })).message).toBe('HTTP 401 Unauthorized (expected 200-399)');
    const credential = { name: 'lis-monitor', type: 'http', values: { username: 'alice', password: 's3cret' } };
    expect((await check({ url, keyword: 'hello alice' }, { credential })).error).toBeUndefined();
    const ssh = { name: 'modality-ssh', type: 'ssh', values: { username: 'alice', password: 's3cret' } };
    expect((await check({ url }, { credential: ssh })).error).toBe('HTTP_STATUS');
  });

  it('gives TIMEOUT when aborted while the server thinks, ABORTED when cancelled', async () => {
    const controller = new AbortController();
    const arrived = web.arrival('/slow');
    const pending = check({ url: `${web.base}/slow` }, { signal: controller.signal });
    await arrived;
    controller.abort(timeoutReason());
    const r = await pending;
    expect(r.error).toBe('TIMEOUT');
    expect(r.message).toBe(`127.0.0.1:${web.port}`);
    expect(keys(r)).toEqual(['responseTimeMs', 'dnsMs', 'connectMs']);

    const cancel = new AbortController();
    const again = web.arrival('/slow');
    const pending2 = check({ url: `${web.base}/slow` }, { signal: cancel.signal });
    await again;
    cancel.abort();
    expect((await pending2).error).toBe('ABORTED');
  });

  it('reports a server that hangs up without answering, and one that does not speak HTTP', async () => {
    const r = await check({ url: `${web.base}/hangup` });
    expect(r.error).toBe('CLOSED_EARLY');
    expect(r.message).toBe(`127.0.0.1:${web.port}`);
    const telnet = await startTcpServer((s) => s.write('Welcome to the modality service port\r\n\r\n'));
    try {
      const bad = await check({ host: telnet.host, port: telnet.port });
      expect(bad.error).toBe('HTTP_PROTOCOL');
      // the parser's own wording after "Expected HTTP/" varies with the Node version
      expect(bad.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${telnet.port}: Parse Error: Expected HTTP/`));
    } finally {
      await telnet.close();
    }
  });

  it('rejects bad settings with exact messages', () => {
    const issues = (input: unknown) => httpKind.settings.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({})).toEqual(['url: expected a url, or a host (with optional scheme, port and path)']);
    expect(issues({ url: 'ftp://pacs/' })).toEqual(['url: expected an http:// or https:// URL, got "ftp://pacs/"']);
    expect(issues({ host: 'lis', expectStatus: '200-2xx' })).toEqual(['expectStatus: expected a status code or a range such as 200-299, got "200-2xx"']);
    expect(issues({ host: 'lis', expectStatus: '299-200' })).toEqual(['expectStatus: status range 299-200 runs backwards']);
    expect(issues({ host: 'lis', jsonExpect: 'up' })).toEqual(['jsonExpect: jsonExpect needs a jsonPath']);
    expect(issues({ host: 'lis', jsonPath: 'a..b' })).toEqual(['jsonPath: expected a JSON path such as status.checks[0].state, got "a..b"']);
    expect(issues({ host: 'lis', followRedirects: 50 })).toEqual(['followRedirects: expected true, false or a number of redirects 0–20, got 50']);
  });
});

describe('https', () => {
  let ca: TestCertificate;
  let valid: RouteServer;
  let expired: RouteServer;
  let selfSigned: RouteServer;
  beforeAll(async () => {
    ca = await makeCa({ keyType: 'EC' }); // EC keys: generated in milliseconds, unlike RSA
    const names = { commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] };
    const validCert = await makeCertificate({ ...names, signWith: ca, keyType: 'EC' });
    const expiredCert = await makeCertificate({ ...names, signWith: ca, keyType: 'EC', notBefore: daysFromNow(-400), notAfter: daysFromNow(-5) });
    const selfCert = await makeCertificate({ ...names, keyType: 'EC' });
    const hello = { '/': ((_req, res) => res.writeHead(200).end('PACS web viewer')) as Parameters<typeof startRouteServer>[0][string] };
    valid = await startRouteServer(hello, { cert: validCert.certPem, key: validCert.keyPem });
    expired = await startRouteServer(hello, { cert: expiredCert.certPem, key: expiredCert.keyPem });
    selfSigned = await startRouteServer(hello, { cert: selfCert.certPem, key: selfCert.keyPem });
  });
  afterAll(async () => {
    await Promise.all([valid.close(), expired.close(), selfSigned.close()]);
  });

  it('verifies the chain against a private CA and times the TLS handshake', async () => {
    const r = await check({ url: `${valid.base}/`, tlsCa: ca.certPem, keyword: 'PACS' });
    expect(r.error).toBeUndefined();
    expect(keys(r)).toEqual(['responseTimeMs', 'dnsMs', 'connectMs', 'tlsMs', 'firstByteMs', 'downloadMs', 'statusCode', 'bytes']);
    expect(Object.keys(r.phases ?? {})).toEqual(['dns', 'connect', 'tls', 'firstByte', 'download']);
  });

  it('fails an expired certificate as TLS_CERT_EXPIRED', async () => {
    const r = await check({ url: `${expired.base}/`, tlsCa: ca.certPem });
    expect(r.error).toBe('TLS_CERT_EXPIRED');
    expect(r.message).toBe(`127.0.0.1:${expired.port}: certificate has expired`);
    expect(keys(r)).toEqual(['responseTimeMs', 'dnsMs', 'connectMs']);
  });

  it('refuses a self-signed certificate unless tlsVerify is off', async () => {
    expect((await check({ url: `${selfSigned.base}/` })).error).toBe('TLS_CERT_UNTRUSTED');
    const r = await check({ url: `${selfSigned.base}/`, tlsVerify: false, keyword: 'PACS' });
    expect(r.error).toBeUndefined();
    expect(r.channels.find((c) => c.key === 'tlsMs')?.value).toBeGreaterThanOrEqual(0);
  });
});
