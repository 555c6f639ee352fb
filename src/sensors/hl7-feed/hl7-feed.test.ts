import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { activeResources, settleResources } from '../testing/handles.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { worstBreach } from '../../core/limits.ts';
import { encodeFrame, mllpSend } from '../../protocols/mllp/index.ts';
import { parseHl7, decodeHl7 } from '../../protocols/hl7/index.ts';
import { hl7Kind } from '../hl7/index.ts';
import { makeContext } from '../testing/contract.ts';
import { makeCa, makeCertificate } from '../testing/certs.ts';
import type { ListenContext, Listener, SensorMessage } from '../sensor.ts';
import { freePort, requireCommand } from '../../../test/peers/harness.ts';
import { hl7FeedKind } from './index.ts';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/** A listener with a hand-driven wall clock, its memory shared with checks, and recorded events. */
async function feed(settings: Record<string, unknown> = {}) {
  const clock = { wall: T0 };
  const memory = new Map<string, unknown>();
  const events: SensorMessage[] = [];
  const ctx: ListenContext = {
    sensorId: 'feed-test',
    memory,
    inbox: { subscribe: () => () => {}, publish: () => 0 },
    now: () => 0,
    wallNow: () => clock.wall,
    record: (m) => events.push(m),
    checkNow: () => {},
  };
  const s = hl7FeedKind.settings.parse({ port: await freePort(), bindHost: '127.0.0.1', ...settings });
  const listener = await hl7FeedKind.listen!(s, ctx);
  listeners.push(listener);
  const port = Number(/:(\d+)$/.exec(listener.address ?? '')?.[1]);
  const check = () => hl7FeedKind.check(s, makeContext({ memory, wallNow: () => clock.wall }));
  return { clock, events, listener, port, check };
}

let listeners: Listener[] = [];
afterEach(async () => {
  for (const l of listeners) await l.close();
  listeners = [];
});

const msg = (type: string, id: string) => `MSH|^~\\&|HIS|HOSP|COPY|WW|20260105080000||${type}|${id}|P|2.5.1\rPID|1||WW${id}^^^HOSP^MR||SYNTHETIC^PATIENT\r`;
const value = (r: { channels: readonly { key: string; value: number }[] }, key: string) => r.channels.find((c) => c.key === key)?.value;

describe('hl7-feed', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ww-feed-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('binds 0.0.0.0 by default in production settings; tests pass 127.0.0.1', () => {
    expect(hl7FeedKind.settings.parse({}).bindHost).toBe('0.0.0.0');
    expect(hl7FeedKind.settings.parse({}).port).toBe(2575);
    expect(hl7FeedKind.settings.safeParse({ allowFrom: ['engine.local'] }).error?.issues[0]?.message).toBe('expected an IP address, got "engine.local"');
  });

  it("python3-hl7's mllp_send delivers into the listener: ACKed AA, counted per type", async () => {
    requireCommand('mllp_send', 'python3-hl7');
    const f = await feed();
    const file = join(dir, 'feed.hl7');
    const messages = [msg('ADT^A01', 'M1'), msg('ADT^A08', 'M2'), msg('ORU^R01', 'M3'), msg('ORM^O01', 'M4'), msg('ADT^A03', 'M5')];
    await writeFile(file, Buffer.concat(messages.map((m) => encodeFrame(Buffer.from(m)))));
    const child = spawn('/usr/bin/mllp_send', ['--port', String(f.port), '--file', file, '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(err).toBe('');
    expect(code).toBe(0);
    for (const id of ['M1', 'M2', 'M3', 'M4', 'M5']) expect(out).toContain(`MSA|AA|${id}|`);
    expect(out.split('\x0b').length - 1).toBe(5);

    f.clock.wall = T0 + 60_000;
    const r = await f.check();
    expect(r.error).toBeUndefined();
    expect(value(r, 'messagesPerMin')).toBe(5);
    expect(value(r, 'adtPerMin')).toBe(3);
    expect(value(r, 'oruPerMin')).toBe(1);
    expect(value(r, 'ormPerMin')).toBe(1);
    expect(value(r, 'lastMessageAgeS')).toBe(60);
    expect(value(r, 'nackCount')).toBe(0);
    expect(r.message).toBe('5 messages in 1 min (ADT 3, ORM 1, ORU 1); last message 60 s ago');
    expect(f.events).toEqual([]);
  });

  it('rates are per interval; a silent feed goes Warning then Down by the default limits', async () => {
    const f = await feed();
    await mllpSend(Buffer.from(msg('ADT^A01', 'A')), { host: '127.0.0.1', port: f.port });
    f.clock.wall = T0 + 120_000;
    expect(value(await f.check(), 'messagesPerMin')).toBe(0.5);

    f.clock.wall = T0 + 120_000 + 5 * 60_000;
    const quiet = await f.check();
    expect(value(quiet, 'messagesPerMin')).toBe(0);
    expect(value(quiet, 'adtPerMin')).toBe(0);
    expect(value(quiet, 'lastMessageAgeS')).toBe(420);
    expect(worstBreach(quiet.channels, hl7FeedKind.channels)).toBeUndefined();

    f.clock.wall = T0 + 11 * 60_000;
    expect(worstBreach((await f.check()).channels, hl7FeedKind.channels)).toMatchObject({ level: 'warning', channel: 'lastMessageAgeS', message: 'The HL7 feed has been silent for over 10 minutes' });
    f.clock.wall = T0 + 31 * 60_000;
    const down = await f.check();
    expect(worstBreach(down.channels, hl7FeedKind.channels)).toMatchObject({ level: 'error', message: 'The HL7 feed has been silent for over 30 minutes' });
    expect(down.message).toBe('0 messages in 20 min; last message 1860 s ago');
  });

  it('a feed that never sent anything ages from the start of listening', async () => {
    const f = await feed();
    f.clock.wall = T0 + 90_000;
    const r = await f.check();
    expect(value(r, 'lastMessageAgeS')).toBe(90);
    expect(r.message).toBe('0 messages in 1.5 min; no message since listening started 90 s ago');
  });

  it('answers AE to an unparseable message, counts a NACK and records no contents', async () => {
    const f = await feed();
    const ex = await mllpSend(Buffer.from('MSH|^~|SECRET-PATIENT-NAME|X|Y|Z|T||ADT^A01|C77|P|2.5\r'), { host: '127.0.0.1', port: f.port });
    const ack = parseHl7(decodeHl7(ex.reply));
    expect(ack.get('MSA-1')).toBe('AE');
    expect(ack.get('MSA-2')).toBe('C77');
    f.clock.wall = T0 + 60_000;
    const r = await f.check();
    expect(value(r, 'nackCount')).toBe(1);
    expect(worstBreach(r.channels, hl7FeedKind.channels)).toMatchObject({ level: 'warning', channel: 'nackCount' });
    expect(f.events).toHaveLength(1);
    expect(f.events[0]!.text).toMatch(/^unparseable HL7 message from 127\.0\.0\.1:\d+ \(54 bytes, answered AE\): MSH-2 \(encoding characters\) must have 4 characters, got \[…\]$/);
    expect(JSON.stringify(f.events)).not.toContain('SECRET');
    expect(value(await f.check(), 'nackCount')).toBe(0);
  });

  it('answers CA in enhanced acknowledgement mode, and our own hl7 sensor is Up against it', async () => {
    const f = await feed();
    const ex = await mllpSend(Buffer.from('MSH|^~\\&|A|B|C|D|20260105080000||ORU^R01|E1|P|2.5.1|||AL|NE\r'), { host: '127.0.0.1', port: f.port });
    expect(parseHl7(decodeHl7(ex.reply)).get('MSA-1')).toBe('CA');
    const r = await hl7Kind.check(hl7Kind.settings.parse({ host: '127.0.0.1', port: f.port }), makeContext());
    expect(r.error).toBeUndefined();
    expect(r.message).toMatch(/^ADT\^A01 → AA in /);
  });

  it('closes a connection sending an oversized message, counting a NACK', async () => {
    const f = await feed({ maxMessageBytes: 1024 });
    await expect(mllpSend(Buffer.alloc(2000, 0x41), { host: '127.0.0.1', port: f.port })).rejects.toMatchObject({ code: 'MLLP_CLOSED_EARLY' });
    expect(value(await f.check(), 'nackCount')).toBe(1);
    expect(f.events.map((e) => e.text)).toEqual([expect.stringMatching(/^127\.0\.0\.1:\d+ sent a message larger than 1024 bytes: connection closed$/)]);
  });

  it('closing the listener releases its server and every sender connection', async () => {
    const before = activeResources();
    const f = await feed();
    const sender = net.connect({ port: f.port, host: '127.0.0.1' });
    sender.on('error', () => {});
    await once(sender, 'connect');
    sender.write(encodeFrame(Buffer.from(msg('ADT^A01', 'L1'))).subarray(0, 20));
    await f.listener.close();
    listeners = [];
    await new Promise((resolve) => sender.on('close', resolve));
    expect(await settleResources(before)).toEqual({});
  });

  it('refuses senders outside allowFrom and records it', async () => {
    const f = await feed({ allowFrom: ['10.20.30.40'] });
    await expect(mllpSend(Buffer.from(msg('ADT^A01', 'X')), { host: '127.0.0.1', port: f.port })).rejects.toMatchObject({ code: expect.stringMatching(/^(MLLP_CLOSED_EARLY|ECONNRESET|EPIPE)$/) as unknown });
    expect(f.events.map((e) => e.text)).toEqual(['refused a connection from 127.0.0.1: not in allowFrom']);
    const open = await feed({ allowFrom: ['127.0.0.1'] });
    await mllpSend(Buffer.from(msg('ADT^A01', 'Y')), { host: '127.0.0.1', port: open.port });
    open.clock.wall = T0 + 60_000;
    expect(value(await open.check(), 'adtPerMin')).toBe(1);
  });

  it('reports HL7_FEED_NOT_LISTENING when the check runs without a listener', async () => {
    const r = await hl7FeedKind.check(hl7FeedKind.settings.parse({}), makeContext());
    expect(r.error).toBe('HL7_FEED_NOT_LISTENING');
    expect(r.message).toBe('the HL7 receiver for this sensor is not listening');
  });

  it('listens over mutual TLS: our hl7 sensor with a client certificate gets AA', async () => {
    const ca = await makeCa({ commonName: 'Feed CA', keyType: 'EC' });
    const srv = await makeCertificate({ commonName: 'localhost', altNames: ['127.0.0.1'], signWith: ca, keyType: 'EC' });
    const cli = await makeCertificate({ commonName: 'engine', signWith: ca, keyType: 'EC' });
    const f = await feed({ tls: { cert: srv.certPem, key: srv.keyPem, ca: ca.certPem, requireClientCert: true } });
    expect(f.listener.address).toBe(`mllps://127.0.0.1:${f.port}`);
    const r = await hl7Kind.check(hl7Kind.settings.parse({ host: '127.0.0.1', port: f.port, tls: { ca: ca.certPem, cert: cli.certPem, key: cli.keyPem } }), makeContext());
    expect(r.error).toBeUndefined();
    f.clock.wall = T0 + 60_000;
    expect(value(await f.check(), 'adtPerMin')).toBe(1);
  });
});
