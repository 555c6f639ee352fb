// The push receiver end to end: Fastify inject() against pushRoutes, a real inbox and the real push
// kind listening, on a ManualClock. Bad input asserts the exact problem detail.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { ManualClock } from '../../shared/clock.ts';
import { createInbox } from '../inbox.ts';
import { RouteTable } from '../../api/routes/define.ts';
import { pushRoutes } from './route.ts';
import { pushKind } from '../../sensors/push/index.ts';
import type { CheckContext, Inbox, ListenContext, Listener, SensorMessage } from '../../sensors/sensor.ts';
import type { Reading } from '../../core/model.ts';

const TOKEN = 'k3Jq9vX2mP7tR4wY8zB1nC6d';
const OTHER = 'Zz9yX8wV7uT6sR5qP4oN3mL2';

let app: FastifyInstance;
let clock: ManualClock;
let inbox: Inbox;
let listener: Listener;
let memory: Map<string, unknown>;
let records: SensorMessage[];
let checksAsked: number;

async function listenFor(settings: unknown, extra: Partial<ListenContext> = {}): Promise<void> {
  memory = new Map();
  records = [];
  const ctx: ListenContext = { sensorId: 'p1', memory, inbox, now: () => clock.monotonic(), wallNow: () => clock.now(), record: (m) => records.push(m), checkNow: () => checksAsked++, ...extra };
  listener = await pushKind.listen!(pushKind.settings.parse(settings), ctx);
}

function check(settings: unknown): Promise<Reading> {
  const ctx: CheckContext = { signal: new AbortController().signal, timeoutMs: 1000, now: () => clock.monotonic(), wallNow: () => clock.now(), memory, sensorId: 'p1' };
  return pushKind.check(pushKind.settings.parse(settings), ctx);
}

beforeEach(async () => {
  clock = new ManualClock();
  inbox = createInbox();
  checksAsked = 0;
  app = Fastify();
  pushRoutes(app, { inbox, now: () => clock.now() });
  await app.ready();
  await listenFor({ token: TOKEN, expectEvery: '5m', grace: '1m', units: { backupSizeBytes: 'bytes' } });
});
afterEach(async () => {
  await listener.close();
  await app.close();
});

const post = (token: string, payload?: unknown) => app.inject({ method: 'POST', url: `/api/push/${token}`, ...(payload !== undefined ? { payload: payload as object } : {}) });
const detail = (res: { json(): unknown }) => (res.json() as { detail?: string }).detail;
const ch = (r: Reading, key: string) => r.channels.find((c) => c.key === key)?.value;

describe('push receiver and kind', () => {
  it('accepts a POST with values, status and message and the check reports them', async () => {
    const res = await post(TOKEN, { value: 12.5, values: { backupSizeBytes: 2048 }, status: 'warning', message: 'backup slow' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: true });
    await clock.advance(10_000);
    const r = await check({ token: TOKEN, units: { backupSizeBytes: 'bytes' } });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe('warning');
    expect(r.message).toBe('warning: backup slow (reported 10 s ago)');
    expect(r.channels).toEqual([
      { key: 'lastPushAgeS', value: 10 },
      { key: 'pushCount', value: 1 },
      { key: 'backupSizeBytes', value: 2048, unit: 'bytes' },
      { key: 'value', value: 12.5, unit: 'value' },
    ]);
  });

  it('accepts a GET with query parameters and a bare POST heartbeat', async () => {
    const res = await app.inject({ method: 'GET', url: `/api/push/${TOKEN}?value=3&status=up&message=ok` });
    expect(res.statusCode).toBe(202);
    expect(ch(await check({ token: TOKEN }), 'value')).toBe(3);
    expect((await post(TOKEN)).statusCode).toBe(202);
    const r = await check({ token: TOKEN });
    expect(r.message).toBe('up (reported 0 s ago)');
    expect(ch(r, 'pushCount')).toBe(1);
  });

  it('goes Down (PUSH_MISSING) when no report arrives within expectEvery + grace', async () => {
    await post(TOKEN, { value: 1 });
    await clock.advance(360_000);
    expect((await check({ token: TOKEN, expectEvery: '5m', grace: '1m' })).error).toBeUndefined();
    await clock.advance(1_000);
    const r = await check({ token: TOKEN, expectEvery: '5m', grace: '1m' });
    expect(r.error).toBe('PUSH_MISSING');
    expect(r.message).toBe('last report 361 s ago; one was expected every 300 s (+60 s grace)');
    expect(ch(r, 'lastPushAgeS')).toBe(361);
  });

  it('goes Down when nothing ever arrived, and on a reported down (recorded, check asked)', async () => {
    await clock.advance(400_000);
    const never = await check({ token: TOKEN });
    expect(never.error).toBe('PUSH_MISSING');
    expect(never.message).toBe('no report since the sensor started 400 s ago; one was expected every 300 s (+60 s grace)');
    await post(TOKEN, { status: 'down', message: 'disk full' });
    const down = await check({ token: TOKEN });
    expect(down.error).toBe('PUSH_REPORTED_DOWN');
    expect(down.status).toBe('down');
    expect(down.message).toBe('down: disk full (reported 0 s ago)');
    expect(records.map((m) => m.text)).toEqual(['push report from 127.0.0.1: down (disk full)']);
    expect(checksAsked).toBe(1);
  });

  it('answers 404 for a well-formed token no sensor listens for', async () => {
    const res = await post(OTHER, { value: 1 });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toEqual({ type: 'https://wardwatch.dev/problems/not-found', title: 'Not found', status: 404, code: 'NOT_FOUND', detail: 'no push sensor has this token' });
    await listener.close();
    expect((await post(TOKEN, { value: 1 })).statusCode).toBe(404);
  });

  it('rejects bad payloads with exact 400 problem details', async () => {
    const cases: [unknown, string][] = [
      [{ value: 'high' }, 'body.value: expected a number, got "high"'],
      [{ status: 'ok' }, 'body.status: expected up, warning or down, got "ok"'],
      [{ values: { 'Queue Length': 1 } }, 'body.values["Queue Length"]: expected a camelCase key such as queueLength, got "Queue Length"'],
      [{ values: { pushCount: 1 } }, 'body.values.pushCount: "pushCount" is reserved'],
      [{ values: { queueLength: '3' } }, 'body.values.queueLength: expected a number, got "3"'],
      [{ value: 1, colour: 'red' }, 'body: unknown field "colour"'],
      [[1, 2], 'body: expected a JSON object, got a list'],
      [{ message: 'x'.repeat(1001) }, 'body.message: longer than 1000 characters'],
    ];
    for (const [payload, expected] of cases) {
      const res = await post(TOKEN, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(detail(res)).toBe(expected);
    }
    const q = await app.inject({ method: 'GET', url: `/api/push/${TOKEN}?value=abc` });
    expect(detail(q)).toBe('query.value: expected a number, got "abc"');
    const unknown = await app.inject({ method: 'GET', url: `/api/push/${TOKEN}?val=1` });
    expect(detail(unknown)).toBe('query: unknown parameter "val"');
    const twice = await app.inject({ method: 'GET', url: `/api/push/${TOKEN}?value=1&value=2` });
    expect(detail(twice)).toBe('query.value: given more than once');
    const twiceStatus = await app.inject({ method: 'GET', url: `/api/push/${TOKEN}?status=up&status=down` });
    expect(detail(twiceStatus)).toBe('query.status: given more than once');
    // nothing bad reached the sensor
    expect(ch(await check({ token: TOKEN }), 'pushCount')).toBe(0);
  });

  it('takes a JSON null as a plain heartbeat and answers a too large body with a 413 problem', async () => {
    expect((await app.inject({ method: 'POST', url: `/api/push/${TOKEN}`, headers: { 'content-type': 'application/json' }, payload: 'null' })).statusCode).toBe(202);
    const big = await post(TOKEN, { message: 'x'.repeat(20 * 1024) });
    expect(big.statusCode).toBe(413);
    expect(big.headers['content-type']).toContain('application/problem+json');
    expect(big.json()).toMatchObject({ code: 'BAD_REQUEST', status: 413 });
  });

  it('is declared public in a route table it is given, with its schemas for the reference', async () => {
    const other = Fastify();
    try {
      const routes = new RouteTable(other);
      pushRoutes(other, { inbox, now: () => clock.now() }, routes);
      expect(routes.declared.map((r) => [r.method, r.url, r.public, r.status])).toEqual([
        ['POST', '/api/push/:token', true, 202],
        ['GET', '/api/push/:token', true, 202],
      ]);
      expect(routes.declared.every((r) => r.params !== undefined)).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('rejects a short or malformed token with 400 before looking it up', async () => {
    for (const t of ['short', 'has.dots.in.it.abcdefghijklmnop']) {
      const res = await post(t, { value: 1 });
      expect(res.statusCode).toBe(400);
      expect(detail(res)).toBe('params.token: a push token is 20 to 128 characters of A-Z, a-z, 0-9, _ and -');
    }
  });
});

describe('push kind settings and tokens', () => {
  it('rejects a short token in settings with the exact message', () => {
    const r = pushKind.settings.safeParse({ token: 'abc' });
    expect(r.error?.issues[0]?.message).toBe('a push token is 20 to 128 characters of A-Z, a-z, 0-9, _ and -');
  });

  it('takes the token from a credential of type push', async () => {
    await listener.close();
    await listenFor({}, { credential: { name: 'backup-job', type: 'push', values: { token: OTHER } } });
    expect((await post(OTHER, { value: 7 })).statusCode).toBe(202);
    expect(ch(await check({}), 'value')).toBe(7);
  });

  it('reports BAD_SETTINGS for a missing or weak credential token', async () => {
    await listener.close();
    await listenFor({});
    expect(await check({})).toMatchObject({ error: 'BAD_SETTINGS', message: 'no token: set `token` or a credential of type push' });
    await listener.close();
    await listenFor({}, { credential: { name: 'weak', type: 'push', values: { token: 'abc' } } });
    expect(await check({})).toMatchObject({ error: 'BAD_SETTINGS', message: 'credential "weak": a push token is 20 to 128 characters of A-Z, a-z, 0-9, _ and -' });
  });
});
