// SSE replay over a real socket: a client reconnecting with Last-Event-ID gets exactly the deltas
// it missed (no snapshot); one whose id has left the bounded ring, or comes from another server
// run, gets a fresh snapshot instead.

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPLAY_EVENTS } from '../../src/api/live/stream.ts';
import type { TimedReading } from '../../src/core/model.ts';
import { enc, startHarness, type Harness } from './harness.ts';

const SENSOR = 'site-a/p1/icu/monitor-1/temp';
const DEVICE = 'site-a/p1/icu/monitor-1';

interface Frame {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: { values?: { value: number } };
}

interface Client {
  /** Resolves once `n` frames (events with data) have arrived. */
  frames(n: number): Promise<Frame[]>;
  close(): void;
}

function connect(h: Harness, port: number, lastEventId?: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const headers = { ...h.headers.ward, ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}) };
    const req = request({ host: '127.0.0.1', port, path: `/api/live?nodes=${enc(DEVICE)}`, headers }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
      const got: Frame[] = [];
      let buf = '';
      let wake: (() => void) | undefined;
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) got.push({ id: /^id: (.*)$/m.exec(block)?.[1], event, data: JSON.parse(data) as Frame['data'] });
        }
        wake?.();
      });
      resolve({
        async frames(n) {
          while (got.length < n) await new Promise<void>((r) => (wake = r));
          return got.slice(0, n);
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('live stream replay after Last-Event-ID', () => {
  let h: Harness;
  let port: number;
  let value = 0;
  const publish = () => h.live.publish({ type: 'reading', reading: { sensorId: SENSOR, ts: h.clock.now(), durationMs: 1, channels: [{ key: 'value', value: ++value }] } satisfies TimedReading });
  beforeAll(async () => {
    h = await startHarness();
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as { port: number }).port;
  });
  afterAll(async () => h?.close());

  it('replays exactly the missed deltas, without a snapshot', async () => {
    const first = await connect(h, port);
    const [snap] = await first.frames(1);
    expect(snap?.event).toBe('snapshot');
    expect(snap?.id).toMatch(/^[0-9a-f]+-\d+$/);
    publish();
    const frames = await first.frames(2);
    const last = frames[1]!;
    expect(last.data.values?.value).toBe(value);
    first.close();
    const missedFrom = value + 1;
    publish();
    publish();
    const again = await connect(h, port, last.id);
    const replayed = await again.frames(2);
    expect(replayed.map((f) => [f.event, f.data.values?.value])).toEqual([
      ['values', missedFrom],
      ['values', missedFrom + 1],
    ]);
    // And live deltas follow the replay, with ids that keep increasing.
    publish();
    const [, , live] = await again.frames(3);
    expect(live?.data.values?.value).toBe(value);
    const seq = (f: Frame | undefined) => Number(f?.id?.split('-')[1]);
    expect(seq(live)).toBeGreaterThan(seq(replayed[1]));
    again.close();
  });

  it('sends a fresh snapshot when the id has left the ring or comes from another run', async () => {
    const first = await connect(h, port);
    publish();
    const [, delta] = await first.frames(2);
    first.close();
    for (let i = 0; i <= REPLAY_EVENTS; i++) publish();
    const tooOld = await connect(h, port, delta!.id);
    const [f] = await tooOld.frames(1);
    expect(f?.event).toBe('snapshot');
    tooOld.close();
    const foreign = await connect(h, port, `ffffffff-${delta!.id!.split('-')[1]}`);
    expect((await foreign.frames(1))[0]?.event).toBe('snapshot');
    foreign.close();
  });
});
