import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { encodeFrame, type MllpError } from './frame.ts';
import { mllpSend } from './client.ts';
import { startMllpServer, type MllpServer } from './server.ts';
import { activeResources, settleResources } from '../../sensors/testing/handles.ts';

let servers: MllpServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

async function echoServer(extra: Partial<Parameters<typeof startMllpServer>[0]> = {}): Promise<MllpServer> {
  const s = await startMllpServer({ handler: (m) => Buffer.concat([Buffer.from('ACK:'), m]), ...extra });
  servers.push(s);
  return s;
}

/** Connects a raw socket and collects everything it receives until `bytes` have arrived. */
async function raw(port: number): Promise<{ sock: net.Socket; received: (n: number) => Promise<Buffer> }> {
  const sock = net.connect({ port, host: '127.0.0.1' });
  await once(sock, 'connect');
  let buf = Buffer.alloc(0);
  const waiters: (() => void)[] = [];
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (const w of waiters.splice(0)) w();
  });
  const received = async (n: number) => {
    while (buf.length < n) await new Promise<void>((r) => waiters.push(r));
    return buf;
  };
  return { sock, received };
}

describe('MLLP server and client', () => {
  it('binds 127.0.0.1 by default and answers a client round trip', async () => {
    const s = await echoServer();
    expect(s.host).toBe('127.0.0.1');
    const before = activeResources();
    const ex = await mllpSend(Buffer.from('MSH|hello'), { host: '127.0.0.1', port: s.port });
    expect(ex.reply.toString()).toBe('ACK:MSH|hello');
    expect(ex.timings.totalMs).toBeGreaterThanOrEqual(ex.timings.replyMs);
    expect(await settleResources(before)).toEqual({});
  });

  it('reassembles a message sent one byte at a time, and answers two messages in one packet in order', async () => {
    const s = await echoServer({ handler: async (m) => (m.toString() === 'slow' ? new Promise((r) => setImmediate(() => r(Buffer.from('1')))) : Buffer.from('2')) });
    const { sock, received } = await raw(s.port);
    sock.write(Buffer.concat([encodeFrame(Buffer.from('slow')), encodeFrame(Buffer.from('fast'))]));
    expect((await received(8)).toString('latin1')).toBe('\x0b1\x1c\r\x0b2\x1c\r');
    sock.destroy();

    const s2 = await echoServer();
    const r2 = await raw(s2.port);
    for (const b of encodeFrame(Buffer.from('split'))) r2.sock.write(Buffer.of(b));
    expect((await r2.received(12)).toString('latin1')).toBe('\x0bACK:split\x1c\r');
    r2.sock.destroy();
  });

  it('reports unframed bytes and closes a connection whose frame exceeds the maximum', async () => {
    const unframed: string[] = [];
    const errors: string[] = [];
    const s = await echoServer({ maxFrameBytes: 16, onUnframed: (b) => unframed.push(b.toString()), onError: (e) => errors.push(`${(e as MllpError).code}: ${e.message}`) });
    const { sock } = await raw(s.port);
    sock.write('hello');
    sock.write(encodeFrame(Buffer.alloc(17, 0x41)));
    await once(sock, 'close');
    expect(unframed).toEqual(['hello']);
    expect(errors).toEqual(['MLLP_FRAME_TOO_LARGE: MLLP frame larger than 16 bytes']);
    expect(s.connections()).toBe(0);
  });

  it('client: an already aborted signal fails before connecting; an abort while waiting names the phase', async () => {
    const s = await echoServer({ handler: () => undefined });
    const c = new AbortController();
    c.abort();
    await expect(mllpSend(Buffer.from('x'), { host: '127.0.0.1', port: s.port, signal: c.signal })).rejects.toMatchObject({ code: 'MLLP_ABORTED', phase: 'connect' });
    const c2 = new AbortController();
    const before = activeResources();
    const pending = mllpSend(Buffer.from('x'), { host: '127.0.0.1', port: s.port, signal: c2.signal });
    while (s.connections() === 0) await new Promise((r) => setImmediate(r));
    c2.abort();
    await expect(pending).rejects.toMatchObject({ code: 'MLLP_ABORTED', message: 'aborted while waiting (reply)' });
    expect(await settleResources(before)).toEqual({});
  });

  it('client: reassembles a reply that arrives one byte per packet, ignoring line ends after it', async () => {
    const srv = net.createServer((sock) => {
      sock.setNoDelay(true);
      sock.once('data', () => {
        const bytes = Buffer.concat([encodeFrame(Buffer.from('MSH|^~\\&|ACK\rMSA|AA|1\r')), Buffer.from('\r\n')]);
        let i = 0;
        const step = () => {
          if (i < bytes.length) sock.write(bytes.subarray(i, ++i), step);
        };
        step();
      });
    });
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    try {
      const ex = await mllpSend(Buffer.from('x'), { host: '127.0.0.1', port: (srv.address() as net.AddressInfo).port });
      expect(ex.reply.toString()).toBe('MSH|^~\\&|ACK\rMSA|AA|1\r');
    } finally {
      await new Promise((r) => srv.close(r));
    }
  });

  it('client: refuses an oversized reply', async () => {
    const s = await echoServer({ handler: () => Buffer.alloc(5000, 0x41) });
    await expect(mllpSend(Buffer.from('x'), { host: '127.0.0.1', port: s.port, maxFrameBytes: 4096 })).rejects.toMatchObject({ code: 'MLLP_FRAME_TOO_LARGE' });
  });

  it('a handler that throws is reported and the connection stays usable', async () => {
    const errors: string[] = [];
    let n = 0;
    const s = await echoServer({
      handler: () => {
        if (n++ === 0) throw new Error('boom');
        return Buffer.from('ok');
      },
      onError: (e) => errors.push(e.message),
    });
    const { sock, received } = await raw(s.port);
    sock.write(Buffer.concat([encodeFrame(Buffer.from('a')), encodeFrame(Buffer.from('b'))]));
    expect((await received(5)).toString('latin1')).toBe('\x0bok\x1c\r');
    expect(errors).toEqual(['boom']);
    sock.destroy();
  });

  it('refuses to start on a port in use', async () => {
    const s = await echoServer();
    await expect(startMllpServer({ port: s.port, handler: () => undefined })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
