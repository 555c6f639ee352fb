import dgram from 'node:dgram';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, requireCommand, startPeer, type Peer } from '../../../test/peers/harness.ts';
import { isKnownError } from '../../core/errors.ts';
import { makeContext, runSensorContract, timeoutReason } from '../testing/contract.ts';
import { dnsKind } from './index.ts';

/** dnsmasq as an authoritative-only server for hospital.test on a free loopback port. */
async function startDnsmasq(): Promise<Peer> {
  requireCommand('dnsmasq', 'dnsmasq');
  const port = await freePort();
  return startPeer(
    'dnsmasq',
    [
      '--no-daemon',
      '--keep-in-foreground',
      `--port=${port}`,
      '--listen-address=127.0.0.1',
      '--bind-interfaces',
      '--no-resolv',
      '--no-hosts',
      '--conf-file=/dev/null',
      '--pid-file=',
      '--user=root',
      '--local=/hospital.test/',
      '--address=/pacs.hospital.test/10.20.30.40',
      '--host-record=ris.hospital.test,10.20.30.41,fd00::41',
      '--host-record=lims.hospital.test,10.20.30.42',
      '--mx-host=hospital.test,mail.hospital.test,10',
      '--txt-record=hospital.test,v=spf1 ip4:10.20.30.0/24 -all',
      '--srv-host=_dicom._tcp.hospital.test,pacs.hospital.test,104,0,5',
      '--cname=images.hospital.test,pacs.hospital.test',
    ],
    { port },
  );
}

/** A UDP "server" that takes every query and never answers; resolves `received` on the first one. */
async function startSilentUdp(): Promise<{ port: number; received: Promise<unknown>; close: () => Promise<void> }> {
  const sock = dgram.createSocket('udp4');
  const received = once(sock, 'message');
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  return { port: sock.address().port, received, close: () => new Promise<void>((r) => sock.close(() => r())) };
}

let peer: Promise<Peer> | undefined;
const dnsmasq = () => (peer ??= startDnsmasq());
const base = async () => ({ host: '127.0.0.1', port: (await dnsmasq()).port });
const silent: { close: () => Promise<void> }[] = [];

afterAll(async () => {
  await Promise.all(silent.map((s) => s.close()));
  if (peer) await (await peer).stop();
});

async function check(extra: Record<string, unknown>, ctx = makeContext()) {
  return dnsKind.check(dnsKind.settings.parse({ ...(await base()), ...extra }), ctx);
}

describe('dns against dnsmasq', () => {
  beforeAll(async () => {
    // dnsmasq answers UDP as soon as its TCP port accepts, but make sure before timing anything
    const r = await check({ query: 'pacs.hospital.test' });
    expect(r.error, r.message).toBeUndefined();
  });

  it('resolves an A record with its response time', async () => {
    const r = await check({ query: 'pacs.hospital.test', expect: ['10.20.30.40'] });
    expect(r.error).toBeUndefined();
    expect(r.channels.map((c) => c.key)).toEqual(['responseTimeMs', 'answers']);
    expect(r.channels[0]!.value).toBeGreaterThan(0);
    expect(r.channels[1]!.value).toBe(1);
    expect(r.message).toMatch(/^pacs\.hospital\.test A 10\.20\.30\.40 from 127\.0\.0\.1:\d+ in \d+\.\d ms$/);
  });

  it('reports an unexpected answer with what it got and what was expected', async () => {
    const r = await check({ query: 'pacs.hospital.test', expect: ['10.20.30.40', '10.20.30.99'] });
    expect(r.error).toBe('DNS_UNEXPECTED_ANSWER');
    expect(r.message).toBe('pacs.hospital.test A: expected 10.20.30.40, 10.20.30.99, got 10.20.30.40 (missing 10.20.30.99)');
    expect(r.channels.find((c) => c.key === 'answers')?.value).toBe(1);
  });

  it('checks answers against a regular expression', async () => {
    expect((await check({ query: 'lims.hospital.test', expectRegex: '^10\\.20\\.30\\.' })).error).toBeUndefined();
    const r = await check({ query: 'lims.hospital.test', expectRegex: '^192\\.168\\.' });
    expect(r.error).toBe('DNS_UNEXPECTED_ANSWER');
    expect(r.message).toBe('lims.hospital.test A: expected an answer matching /^192\\.168\\./, got 10.20.30.42');
  });

  it('reports NXDOMAIN for a name that does not exist', async () => {
    const r = await check({ query: 'nope.hospital.test' });
    expect(r.error).toBe('DNS_NXDOMAIN');
    expect(r.message).toMatch(/^nope\.hospital\.test A: the name does not exist \(NXDOMAIN\) \(server 127\.0\.0\.1:\d+\)$/);
    expect(r.channels.map((c) => c.key)).toEqual(['responseTimeMs', 'answers']);
  });

  it('reports NODATA for a name without a record of that type', async () => {
    const r = await check({ query: 'lims.hospital.test', type: 'AAAA' });
    expect(r.error).toBe('DNS_NODATA');
    expect(r.message).toMatch(/^lims\.hospital\.test AAAA: the name has no AAAA record \(NODATA\)/);
  });

  it('reports REFUSED for a name the server is not authoritative for (no recursion)', async () => {
    const r = await check({ query: 'example.org' });
    expect(r.error).toBe('DNS_REFUSED');
  });

  it('resolves AAAA, MX, TXT, SRV and CNAME records and matches expected answers', async () => {
    const aaaa = await check({ query: 'ris.hospital.test', type: 'AAAA', expect: ['fd00::41'] });
    expect(aaaa.error, aaaa.message).toBeUndefined();
    const mx = await check({ query: 'hospital.test', type: 'MX', expect: ['mail.hospital.test.'] });
    expect(mx.error, mx.message).toBeUndefined();
    expect(mx.message).toMatch(/^hospital\.test MX 10 mail\.hospital\.test from /);
    const mxFull = await check({ query: 'hospital.test', type: 'MX', expect: ['20 mail.hospital.test'] });
    expect(mxFull.error).toBe('DNS_UNEXPECTED_ANSWER');
    expect(mxFull.message).toBe('hospital.test MX: expected 20 mail.hospital.test, got 10 mail.hospital.test (missing 20 mail.hospital.test)');
    const txt = await check({ query: 'hospital.test', type: 'TXT', expect: ['v=spf1 ip4:10.20.30.0/24 -all'] });
    expect(txt.error, txt.message).toBeUndefined();
    const srv = await check({ query: '_dicom._tcp.hospital.test', type: 'SRV', expect: ['pacs.hospital.test'] });
    expect(srv.error, srv.message).toBeUndefined();
    expect(srv.message).toMatch(/^_dicom\._tcp\.hospital\.test SRV 0 5 104 pacs\.hospital\.test from /);
    const cname = await check({ query: 'images.hospital.test', type: 'CNAME', expect: ['PACS.hospital.test'] });
    expect(cname.error, cname.message).toBeUndefined();
  });

  it('uses `server` instead of the device host when given', async () => {
    const { port } = await dnsmasq();
    const r = await dnsKind.check(dnsKind.settings.parse({ host: 'pacs-web.invalid', server: '127.0.0.1', port, query: 'pacs.hospital.test' }), makeContext());
    expect(r.error, r.message).toBeUndefined();
  });
});

describe('dns failures without a working server', () => {
  it('times out against a server that never answers', async () => {
    const udp = await startSilentUdp();
    silent.push(udp);
    const r = await dnsKind.check(dnsKind.settings.parse({ host: '127.0.0.1', port: udp.port, query: 'pacs.hospital.test', tries: 1 }), makeContext({ timeoutMs: 300 }));
    expect(r).toEqual({ channels: [], error: 'TIMEOUT', message: `pacs.hospital.test A: no answer after 1 try from 127.0.0.1:${udp.port}` });
  });

  it('is cancelled by the signal while the query is in flight', async () => {
    const udp = await startSilentUdp();
    silent.push(udp);
    const ac = new AbortController();
    const pending = dnsKind.check(dnsKind.settings.parse({ host: '127.0.0.1', port: udp.port, query: 'pacs.hospital.test' }), makeContext({ signal: ac.signal }));
    await udp.received;
    ac.abort(timeoutReason());
    expect(await pending).toEqual({ channels: [], error: 'TIMEOUT', message: 'the DNS query did not finish within the timeout' });
  });

  it('reports a DNS server name that cannot be resolved', async () => {
    const r = await dnsKind.check(dnsKind.settings.parse({ host: 'dns.nowhere.invalid', query: 'pacs.hospital.test' }), makeContext());
    expect(r).toEqual({ channels: [], error: 'ENOTFOUND', message: 'the DNS server name dns.nowhere.invalid could not be resolved' });
  });

  it('registers its extra error code', () => {
    expect(isKnownError('DNS_BAD_RESPONSE')).toBe(true);
  });
});

describe('dns settings', () => {
  it('fills defaults', () => {
    expect(dnsKind.settings.parse({ host: '10.0.0.53', query: 'pacs.hospital.test' })).toEqual({ host: '10.0.0.53', port: 53, query: 'pacs.hospital.test', type: 'A', tries: 2 });
  });

  it.each([
    [{ host: '10.0.0.53', query: 'pacs.hospital.test', type: 'AXFR' }, 'expected one of A, AAAA, CNAME, MX, TXT, NS, PTR, SRV, SOA, got "AXFR"'],
    [{ host: '10.0.0.53', query: 'bad name' }, 'expected a DNS name, got "bad name"'],
    [{ host: '10.0.0.53', query: 'x', expectRegex: '(' }, 'invalid regular expression: Invalid regular expression: /(/: Unterminated group'],
    [{ host: '10.0.0.53', query: 'x', expect: [] }, 'expect needs at least one answer'],
    [{ host: '10.0.0.53', query: 'x', port: 'abc' }, 'expected integer 1–65535, got "abc"'],
    [{ host: '10.0.0.53', query: 'x', tries: 9 }, 'expected an integer 1–5, got 9'],
  ])('rejects %j', (input, message) => {
    const r = dnsKind.settings.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe(message);
  });
});

runSensorContract(dnsKind, {
  good: async () => ({ ...(await base()), query: 'pacs.hospital.test', expect: ['10.20.30.40'] }),
  hang: async () => {
    const udp = await startSilentUdp();
    silent.push(udp);
    return { settings: { host: '127.0.0.1', port: udp.port, query: 'pacs.hospital.test' }, accepted: udp.received };
  },
});
