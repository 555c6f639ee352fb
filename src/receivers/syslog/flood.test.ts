// Flood handling: a burst is absorbed or dropped with a count, the queue never grows past maxQueue.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReceivedMessage } from '../../store/store.ts';
import type { SyslogReceiver } from './index.ts';
import { startSyslogReceiver } from './index.ts';
import { collector, until } from './testing.ts';

const LOCAL = '127.0.0.1';
let receiver: SyslogReceiver | undefined;
const UDP_SENDER = `
const dgram = require('node:dgram'); const [port, n] = process.argv.slice(-2).map(Number);
const s = dgram.createSocket('udp4'); let next = 0, inFlight = 0, done = 0;
const pump = () => { while (inFlight < 1000 && next < n) { inFlight++; s.send('<14>1 - h flood - - - message ' + next++, port, '127.0.0.1', (e) => { if (e) throw e; inFlight--; if (++done === n) { console.log(done); s.close(); } else pump(); }); } };
pump();`;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe('syslog flood', () => {
  it('100,000 UDP datagrams in a burst: every one read is stored or counted as dropped, the queue stays bounded', async () => {
    const c = collector();
    let stored = 0;
    const r = (receiver = await startSyslogReceiver({
      udp: { host: LOCAL, port: 0 },
      deviceOf: () => 'switch-1',
      sinkBatch: (b) => {
        stored += b.length;
        c.sink(b[b.length - 1]!);
      },
      maxQueue: 500,
      batchSize: 100,
    }));
    const port = r.addresses.udp!.port;
    const N = 100_000;
    // The burst comes from another process (as it would from devices), so that the sender does not
    // starve the receiver's event loop; it keeps at most 1,000 sends in flight and prints its count.
    const sender = spawn(process.execPath, ['-e', UDP_SENDER, '--', String(port), String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    sender.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await once(sender, 'exit');
    const sent = Number(out.trim());
    expect(sent).toBe(N);
    // Loopback keeps order: once a marker sent after the burst comes out of the sink, every earlier
    // datagram has been read or was dropped by the kernel. Resent in case the queue or kernel drops it.
    const sock = dgram.createSocket('udp4');
    let markers = 0;
    await until(() => {
      if (c.messages.some((m) => m.text === 'END')) return true;
      markers++;
      sock.send('<14>1 - h flood - - - END', port, LOCAL);
      return false;
    }, 'the end marker', 30_000);
    sock.close();
    await r.flush();
    const s = r.stats();
    expect(s.received).toBe(s.delivered + s.dropped);
    expect(stored).toBe(s.delivered);
    expect(s.queueHighWater).toBeLessThanOrEqual(500);
    const kernelDrops = sent + markers - s.received;
    expect(kernelDrops).toBeGreaterThanOrEqual(0);
    // What the kernel dropped is counted too (loopback loses nothing else): every datagram is accounted for.
    expect(s.kernelDropped).toBe(kernelDrops);
    console.log(`UDP flood: sent ${sent} (+${markers} markers), read ${s.received}, stored ${s.delivered}, dropped by the queue ${s.dropped}, dropped by the kernel ${kernelDrops}`);
  }, 60_000);

  it('a TCP burst against a stalled sink: the queue fills to maxQueue, the rest is dropped and counted exactly', async () => {
    let release!: () => void;
    const stalled = new Promise<void>((r) => (release = r));
    const got: ReceivedMessage[] = [];
    const drops: number[] = [];
    const r = (receiver = await startSyslogReceiver({
      tcp: { host: LOCAL, port: 0 },
      deviceOf: () => undefined,
      sinkBatch: async (b) => {
        got.push(...b);
        await stalled;
      },
      maxQueue: 100,
      batchSize: 10,
      onDrop: (n) => drops.push(n),
    }));
    const N = 20_000;
    const sock = net.connect(r.addresses.tcp!.port, LOCAL);
    const frames: string[] = [];
    for (let i = 0; i < N; i++) {
      const f = `<14>1 - h burst - - - m${i}`;
      frames.push(`${Buffer.byteLength(f)} ${f}`);
    }
    sock.end(frames.join(''));
    // TCP loses nothing: wait until the receiver has read every frame.
    await until(() => r.stats().received === N, 'all frames read');
    const before = r.stats();
    expect(before.queued).toBe(100);
    expect(before.queueHighWater).toBe(100);
    // Only the first batch (at most batchSize) left the queue before the sink stalled.
    expect(before.dropped).toBe(N - 100 - got.length);
    expect(got.length).toBeLessThanOrEqual(10);
    expect(drops.at(-1)).toBe(before.dropped);
    release();
    await r.flush();
    const after = r.stats();
    expect(after.delivered + after.dropped).toBe(N);
    expect(got).toHaveLength(after.delivered);
    expect(got[0]!.text).toBe('m0');
  }, 60_000);
});
