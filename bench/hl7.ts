// HL7 benchmark: `hl7` sensor round trips per second against the in-process MLLP simulator (with
// concurrency), inbound hl7-feed throughput on one connection, and the 100,000-case fuzz runs of the
// MLLP decoder and the HL7 parser (no crash, no hang, only catalogued errors).

import net from 'node:net';
import os from 'node:os';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { startHl7Endpoint } from '../src/sim/hl7/index.ts';
import { hl7Kind } from '../src/sensors/hl7/index.ts';
import { hl7FeedKind } from '../src/sensors/hl7-feed/index.ts';
import type { ListenContext } from '../src/sensors/sensor.ts';
import { encodeFrame, MllpDecoder } from '../src/protocols/mllp/index.ts';
import { Hl7ParseError, parseHl7 } from '../src/protocols/hl7/index.ts';
import { freePort } from '../test/peers/harness.ts';

const FUZZ_CASES = 100_000;

async function sensorRoundTrips(concurrency: number, durationMs: number): Promise<{ perS: number; failures: number; cpuMsPerCheck: number; p50Ms: number; p99Ms: number }> {
  const ep = await startHl7Endpoint();
  const settings = hl7Kind.settings.parse({ host: '127.0.0.1', port: ep.port });
  const rtts: number[] = [];
  let failures = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async () => {
    while (performance.now() - t0 < durationMs) {
      const r = await hl7Kind.check(settings, { signal: new AbortController().signal, timeoutMs: 10_000, now: () => performance.now(), wallNow: () => Date.now(), memory: new Map(), sensorId: 'bench' });
      if (r.error) failures++;
      else rtts.push(r.channels.find((c) => c.key === 'roundTripMs')?.value ?? 0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await ep.close();
  const n = rtts.length + failures;
  rtts.sort((a, b) => a - b);
  return { perS: (n / elapsed) * 1000, failures, cpuMsPerCheck: (cpu.user + cpu.system) / 1000 / n, p50Ms: rtts[Math.floor(rtts.length * 0.5)] ?? 0, p99Ms: rtts[Math.floor(rtts.length * 0.99)] ?? 0 };
}

/** One sender, one connection, message → ACK → next message (how interface engines send). */
async function feedThroughput(messages: number): Promise<number> {
  const memory = new Map<string, unknown>();
  const ctx: ListenContext = { sensorId: 'bench-feed', memory, inbox: { subscribe: () => () => {}, publish: () => 0 }, now: () => performance.now(), wallNow: () => Date.now(), record: () => {}, checkNow: () => {} };
  const port = await freePort();
  const listener = await hl7FeedKind.listen!(hl7FeedKind.settings.parse({ port, bindHost: '127.0.0.1' }), ctx);
  const sock = net.connect({ port, host: '127.0.0.1' });
  await once(sock, 'connect');
  sock.setNoDelay(true);
  const decoder = new MllpDecoder();
  let acked = 0;
  let next: (() => void) | undefined;
  sock.on('data', (d: Buffer) => {
    for (const ev of decoder.push(d)) if (ev.type === 'frame') acked++;
    next?.();
  });
  const t0 = performance.now();
  for (let i = 0; i < messages; i++) {
    const type = ['ADT^A01', 'ORU^R01', 'ORM^O01'][i % 3]!;
    sock.write(encodeFrame(Buffer.from(`MSH|^~\\&|HIS|HOSP|WW|MON|20260105080000||${type}|B${i}|P|2.5.1\rPID|1||SYN${i}^^^HOSP^MR||SYNTHETIC^TEST\r`)));
    while (acked <= i) await new Promise<void>((r) => (next = r));
  }
  const perS = (messages / (performance.now() - t0)) * 1000;
  sock.destroy();
  await listener.close();
  return perS;
}

function fuzzDecoder(): { cases: number; failures: number; ms: number } {
  const t0 = performance.now();
  const result = fc.check(
    fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (chunks) => {
      const d = new MllpDecoder({ maxFrameBytes: 512 });
      for (const c of chunks) {
        const events = d.push(Buffer.from(c));
        const last = events.at(-1);
        if (last?.type === 'tooLarge') {
          if (last.error.code !== 'MLLP_FRAME_TOO_LARGE') return false;
          return true;
        }
        if (d.pendingBytes > 512) return false;
      }
      return true;
    }),
    { numRuns: FUZZ_CASES },
  );
  return { cases: result.numRuns, failures: result.failed ? 1 : 0, ms: performance.now() - t0 };
}

function fuzzParser(): { cases: number; failures: number; ms: number } {
  const t0 = performance.now();
  const hl7ish = fc.string({ unit: fc.constantFrom('M', 'S', 'H', 'A', 'P', 'I', 'D', '|', '^', '~', '\\', '&', '\r', '\n', '1', 'F', 'E', '#', 'é') });
  const result = fc.check(
    fc.property(fc.oneof(hl7ish, fc.string(), hl7ish.map((s) => `MSH|^~\\&|${s}`)), (text) => {
      try {
        const msg = parseHl7(text);
        msg.get('MSH-9.1');
        msg.get('MSA-2');
        msg.get('PID-3[2].1.1');
        parseHl7(msg.toString());
        return true;
      } catch (e) {
        return e instanceof Hl7ParseError;
      }
    }),
    { numRuns: FUZZ_CASES },
  );
  return { cases: result.numRuns, failures: result.failed ? 1 : 0, ms: performance.now() - t0 };
}

export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  const single = await sensorRoundTrips(1, 2000);
  out['hl7.sensor.c1.roundTripsPerS'] = Math.round(single.perS);
  out['hl7.sensor.c1.p50Ms'] = single.p50Ms;
  const many = await sensorRoundTrips(32, 3000);
  out['hl7.sensor.c32.roundTripsPerS'] = Math.round(many.perS);
  out['hl7.sensor.c32.p50Ms'] = many.p50Ms;
  out['hl7.sensor.c32.p99Ms'] = many.p99Ms;
  out['hl7.sensor.cpuMsPerCheck'] = Math.round(many.cpuMsPerCheck * 1000) / 1000;
  out['hl7.sensor.failures'] = single.failures + many.failures;
  out['hl7.feed.oneConnection.messagesPerS'] = Math.round(await feedThroughput(5000));
  const dec = fuzzDecoder();
  out['fuzz.mllpDecoder.cases'] = dec.cases;
  out['fuzz.mllpDecoder.failures'] = dec.failures;
  out['fuzz.mllpDecoder.ms'] = Math.round(dec.ms);
  const par = fuzzParser();
  out['fuzz.hl7Parser.cases'] = par.cases;
  out['fuzz.hl7Parser.failures'] = par.failures;
  out['fuzz.hl7Parser.ms'] = Math.round(par.ms);
  out['loadAverage1m'] = Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
  out['note'] = 'simulator and sensors share one Node process (and its CPU) on a 2-core VM; each check opens a new TCP connection';
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run();
  for (const [k, v] of Object.entries(result)) console.log(`${k.padEnd(40)} ${v}`);
}
