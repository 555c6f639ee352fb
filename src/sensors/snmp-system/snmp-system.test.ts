import dgram from 'node:dgram';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeOf } from '../../core/state.ts';
import { startSnmpAgent, type SimulatedSnmpAgent } from '../../sim/snmp/index.ts';
import { snmpSystemKind } from './index.ts';
import { testCtx } from './testing/ctx.ts';
import { credentialFor, SNMPD_COMMUNITY, SNMPD_USERS, startSnmpd, type Snmpd } from './testing/snmpd.ts';

const parse = (s: Record<string, unknown>) => snmpSystemKind.settings.parse({ host: '127.0.0.1', requestTimeout: '3s', requestRetries: 0, ...s });

describe('snmp-system against net-snmp snmpd', () => {
  let snmpd: Snmpd;
  beforeAll(async () => {
    snmpd = await startSnmpd();
  });
  afterAll(async () => {
    await snmpd?.stop();
  });

  it.each(['1', '2c'] as const)('reads the system group over v%s with the community from the credential', async (version) => {
    const ctx = testCtx({ credential: { name: 'c', type: 'snmp', values: { community: SNMPD_COMMUNITY } } });
    const r = await snmpSystemKind.check(parse({ port: snmpd.port, version }), ctx);
    expect(r.error).toBeUndefined();
    expect(r.message).toMatch(/^wardwatch-snmpd Linux .*\(1\.3\.6\.1\.4\.1\.8072\.3\.2\.10\), up \d+ (s|min \d+ s)$/);
    const uptime = r.channels.find((c) => c.key === 'uptimeS')!.value;
    expect(uptime).toBeGreaterThanOrEqual(0);
    expect(uptime).toBeLessThan(600);
  });

  it.each(Object.entries(SNMPD_USERS).filter(([k]) => k !== 'md5Des'))('reads the system group over v3 as %s', async (_name, user) => {
    const ctx = testCtx({ credential: credentialFor(user) });
    const r = await snmpSystemKind.check(parse({ port: snmpd.port, version: 3 }), ctx);
    expect(r.error).toBeUndefined();
    expect(r.message).toContain('wardwatch-snmpd');
  });

  it('v3 MD5/DES either works or says plainly that this Node.js cannot do DES', async () => {
    const ctx = testCtx({ credential: credentialFor(SNMPD_USERS.md5Des) });
    const r = await snmpSystemKind.check(parse({ port: snmpd.port, version: 3 }), ctx);
    if (r.error) {
      expect(r.error).toBe('SNMP_PRIV_UNSUPPORTED');
      expect(r.message).toMatch(/^privacy protocol des is not available in this Node\.js \(.*\); use AES, or start the probe with --openssl-legacy-provider for DES$/);
    } else expect(r.message).toContain('wardwatch-snmpd');
  });

  it('a wrong community is a timeout that says a wrong community looks like this', async () => {
    const ctx = testCtx();
    const r = await snmpSystemKind.check(parse({ port: snmpd.port, version: '2c', community: 'not-the-community', requestTimeout: '300ms' }), ctx);
    expect(r.error).toBe('SNMP_TIMEOUT');
    expect(r.message).toBe(`no answer from 127.0.0.1:${snmpd.port} within 300 ms (1 try); a wrong community looks exactly like this in SNMP v2c (the agent drops the request silently)`);
  });

  it('a wrong v3 password is an authentication error', async () => {
    const ctx = testCtx({ credential: credentialFor(SNMPD_USERS.sha256Aes, { authKey: 'not-the-password' }) });
    const r = await snmpSystemKind.check(parse({ port: snmpd.port, version: 3 }), ctx);
    expect(r.error).toBe('SNMP_AUTH');
    expect(r.message).toBe(`SNMPv3 user ww-sha256 rejected by 127.0.0.1:${snmpd.port}: Wrong Digest (incorrect password, community or key)`);
  });

  it('an unknown v3 user is an authentication error', async () => {
    const ctx = testCtx({ credential: credentialFor(SNMPD_USERS.shaAes, { user: 'nobody' }) });
    const r = await snmpSystemKind.check(parse({ port: snmpd.port, version: 3 }), ctx);
    expect(r.error).toBe('SNMP_AUTH');
    expect(r.message).toBe(`SNMPv3 user nobody rejected by 127.0.0.1:${snmpd.port}: Unknown User Name`);
  });
});

describe('snmp-system settings and credentials', () => {
  it('refuses a version that does not exist', () => {
    const r = snmpSystemKind.settings.safeParse({ host: 'h', version: '2' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('expected SNMP version 1, 2c or 3, got "2"');
  });

  it('a host name that does not resolve is ENOTFOUND', async () => {
    const r = await snmpSystemKind.check(parse({ host: 'no-such-host.invalid', port: 161, community: 'x' }), testCtx());
    expect(r).toEqual({ channels: [], error: 'ENOTFOUND', message: expect.stringMatching(/^getaddrinfo (ENOTFOUND|EAI_AGAIN) no-such-host\.invalid$/) as unknown });
  });

  it('asks for a community when there is none', async () => {
    const r = await snmpSystemKind.check(parse({ port: 161 }), testCtx());
    expect(r).toEqual({ channels: [], error: 'BAD_SETTINGS', message: 'no community for SNMP v2c: name a credential of type snmp with a community (or set community for lab use)' });
  });

  it('refuses a credential of another type and unknown v3 protocols', async () => {
    const other = await snmpSystemKind.check(parse({ port: 161 }), testCtx({ credential: { name: 'db', type: 'sql', values: {} } }));
    expect(other.message).toBe('credential db is of type sql, expected snmp');
    const bad = await snmpSystemKind.check(parse({ port: 161, version: 3 }), testCtx({ credential: { name: 'v3', type: 'snmp', values: { user: 'u', authKey: 'k1234567', authProtocol: 'sha3' } } }));
    expect(bad.message).toBe('credential v3: authProtocol "sha3" is not one of md5, sha, sha224, sha256, sha384, sha512');
  });
});

describe('snmp-system against the simulator', () => {
  let t = Date.UTC(2026, 0, 5, 8, 0, 0);
  let agent: SimulatedSnmpAgent;
  beforeAll(async () => {
    agent = await startSnmpAgent({ profile: 'ups', community: 'sim', now: () => t });
  });
  afterAll(async () => {
    await agent?.close();
  });

  it('detects a reboot as a Warning with SNMP_REBOOTED, then is Up again', async () => {
    const clock = { now: 1_000_000 };
    const ctx = testCtx({ clock });
    const s = parse({ port: agent.port, community: 'sim' });
    t += 3 * 86_400_000;
    clock.now += 3 * 86_400_000;
    const first = await snmpSystemKind.check(s, ctx);
    expect(first.message).toMatch(/up 3 d 0 h$/);
    t += 60_000;
    clock.now += 60_000;
    agent.reboot();
    t += 125_000;
    clock.now += 125_000;
    const second = await snmpSystemKind.check(s, ctx);
    expect(second.status).toBe('warning');
    expect(second.error).toBe('SNMP_REBOOTED');
    expect(second.message).toBe('device rebooted 2 min 5 s ago (uptime went back from 3 d 0 h to 2 min 5 s): sim-ups Wardwatch simulated UPS 3000VA, firmware 7.1 (1.3.6.1.4.1.318.1.3.27)');
    expect(outcomeOf(second, snmpSystemKind.channels).kind).toBe('warning');
    t += 60_000;
    clock.now += 60_000;
    const third = await snmpSystemKind.check(s, ctx);
    expect(third.error).toBeUndefined();
    expect(third.channels.find((c) => c.key === 'uptimeS')?.value).toBe(185);
  });

  it('cancels at once when the runner aborts', async () => {
    const silent = await startSnmpAgent({ profile: 'ups', community: 'other' });
    try {
      const ac = new AbortController();
      const p = snmpSystemKind.check(parse({ port: silent.port, community: 'sim', requestTimeout: '10s' }), testCtx({ signal: ac.signal }));
      ac.abort();
      expect(await p).toEqual({ channels: [], error: 'ABORTED', message: 'the check was cancelled' });
    } finally {
      await silent.close();
    }
  });

  it('speaks SNMPv3 SHA-512/AES-256 to the simulator', async () => {
    const user = { name: 'ops', level: 'authPriv', authProtocol: 'sha512', authKey: 'auth-secret-512', privProtocol: 'aes256r', privKey: 'priv-secret-256' } as const;
    const v3 = await startSnmpAgent({ profile: 'server', v3Users: [user] });
    try {
      const cred = { name: 'v3', type: 'snmp', values: { user: 'ops', authProtocol: 'SHA512', authKey: 'auth-secret-512', privProtocol: 'aes256r', privKey: 'priv-secret-256' } };
      const r = await snmpSystemKind.check(parse({ port: v3.port, version: '3' }), testCtx({ credential: cred }));
      expect(r.message).toMatch(/^sim-server Linux pacs-archive/);
    } finally {
      await v3.close();
    }
  });

  it('answers a batch of sensors on one device with one request', async () => {
    const before = agent.requests;
    const items = [0, 1, 2].map(() => ({ settings: parse({ port: agent.port, community: 'sim' }), ctx: testCtx() }));
    const readings = await snmpSystemKind.batch!.check(items, new AbortController().signal);
    expect(readings.map((r) => r.error)).toEqual([undefined, undefined, undefined]);
    expect(agent.requests - before).toBe(1);
  });
});

describe('snmp-system against a broken agent', () => {
  it('garbage UDP replies give SNMP_BAD_RESPONSE, and the process survives', async () => {
    const sock = dgram.createSocket('udp4');
    sock.on('message', (_m, rinfo) => sock.send(Buffer.from('this is not BER at all'), rinfo.port, rinfo.address));
    sock.bind(0, '127.0.0.1');
    await once(sock, 'listening');
    try {
      const r = await snmpSystemKind.check(parse({ port: sock.address().port, community: 'x', requestTimeout: '300ms' }), testCtx());
      expect(r.error).toBe('SNMP_BAD_RESPONSE');
      expect(r.message).toMatch(new RegExp(`^127\\.0\\.0\\.1:${sock.address().port} answered with a datagram that is not SNMP \\(.+\\)$`));
    } finally {
      sock.close();
    }
  });

  it('a reply that is valid BER but not a response for us is ignored: timeout', async () => {
    const sock = dgram.createSocket('udp4');
    // An SNMP message with request id 1 (not ours): a sequence with version, community and an empty GetResponse.
    const bogus = Buffer.from('3019020101040673696d706c65a20c020101020100020100' + '3000', 'hex');
    bogus[1] = bogus.length - 2;
    sock.on('message', (_m, rinfo) => sock.send(bogus, rinfo.port, rinfo.address));
    sock.bind(0, '127.0.0.1');
    await once(sock, 'listening');
    try {
      const r = await snmpSystemKind.check(parse({ port: sock.address().port, community: 'x', requestTimeout: '300ms' }), testCtx());
      expect(r.error).toBe('SNMP_TIMEOUT');
    } finally {
      sock.close();
    }
  });
});
