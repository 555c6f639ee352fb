import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/peers/harness.ts';
import { FEEDS, harness } from '../service/testing.ts';
import type { Harness } from '../service/testing.ts';
import { FeedScheduler } from './schedule.ts';

let h: Harness;
let server: ReturnType<typeof createServer>;
let base: string;
let body = FEEDS.kev.text;
let status = 200;
const seen: Array<string | undefined> = [];

beforeEach(async () => {
  h = harness();
  body = FEEDS.kev.text;
  status = 200;
  seen.length = 0;
  server = createServer((req, res) => {
    seen.push(req.headers['if-none-match']);
    const etag = `"${body.length}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', etag }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(async () => {
  h.close();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('FeedScheduler', () => {
  it('fetches on start and on each interval, asks with the ETag, and imports only a changed feed', async () => {
    const s = new FeedScheduler({ service: h.service, clock: h.clock, fetch, sources: [{ name: 'CISA KEV', url: `${base}/kev.json`, intervalS: 3600 }] });
    s.start();
    await h.clock.advance(0);
    await s.idle();
    expect(s.status()[0]).toMatchObject({ name: 'CISA KEV', lastResult: '2 new, 0 updated, 0 unchanged', lastOkAt: h.clock.now() });
    expect(await h.store.kev()).toHaveLength(2);
    await h.clock.advance(3_599_000);
    await s.idle();
    expect(seen).toHaveLength(1);
    await h.clock.advance(1000);
    await s.idle();
    expect(seen).toEqual([undefined, `"${FEEDS.kev.text.length}"`]);
    expect(s.status()[0]!.lastResult).toBe('not modified');
    s.stop();
    await h.clock.advance(10 * 3_600_000);
    expect(seen).toHaveLength(2);
  });
  it('records HTTP errors and malformed feeds per source, keeping the data it had', async () => {
    const s = new FeedScheduler({ service: h.service, clock: h.clock, fetch, sources: [{ name: 'KEV', url: `${base}/kev.json`, intervalS: 60 }] });
    await s.runOnce({ name: 'KEV', url: `${base}/kev.json`, intervalS: 60 });
    status = 503;
    body = 'busy';
    await s.runOnce({ name: 'KEV', url: `${base}/kev.json`, intervalS: 60 });
    expect(s.status()[0]!.lastError).toBe(`HTTP 503 Service Unavailable from ${base}/kev.json`);
    status = 200;
    body = '{"vulnerabilities": [{"cveID": "CVE-1"}]}';
    await s.runOnce({ name: 'KEV', url: `${base}/kev.json`, intervalS: 60 });
    expect(s.status()[0]!.lastError).toBe(`KEV (${base}/kev.json): vulnerabilities[0].cveID: expected a CVE id like CVE-2022-2119, got "CVE-1" (and 5 more problems)`);
    expect(await h.store.kev()).toHaveLength(2);
    const closed = `http://127.0.0.1:${await freePort()}/kev.json`;
    await s.runOnce({ name: 'KEV', url: closed, intervalS: 60 });
    expect(s.status().find((x) => x.url === closed)!.lastError).toBe(`${closed}: fetch failed (connect ECONNREFUSED ${closed.slice(7, closed.indexOf('/kev'))})`);
  });
});
