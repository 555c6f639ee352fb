import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, requireCommand, startPeer } from '../../../test/peers/harness.ts';
import type { Reading } from '../../core/model.ts';
import { isKnownError } from '../../core/errors.ts';
import { startHl7Endpoint, type Hl7Endpoint } from '../../sim/hl7/index.ts';
import { makeContext, runSensorContract } from '../testing/contract.ts';
import { activeResources, settleResources } from '../testing/handles.ts';
import { closedPort, startHangingServer, type TestServer } from '../testing/peers.ts';
import { makeCa, makeCertificate, type TestCertificate } from '../testing/certs.ts';
import { startMllpServer } from '../../protocols/mllp/index.ts';
import { hl7Kind } from './index.ts';

const hangers: TestServer[] = [];
let ep: Hl7Endpoint;
let dir: string;

beforeAll(async () => {
  ep = await startHl7Endpoint();
  dir = await mkdtemp(join(tmpdir(), 'ww-hl7-'));
});
afterAll(async () => {
  await ep.close();
  for (const h of hangers) await h.close();
  await rm(dir, { recursive: true, force: true });
});

runSensorContract(hl7Kind, {
  good: async () => ({ host: '127.0.0.1', port: ep.port }),
  refused: async () => ({ host: '127.0.0.1', port: await closedPort() }),
  refusedError: 'ECONNREFUSED',
  hang: async () => {
    const h = await startHangingServer();
    hangers.push(h);
    return { settings: { host: '127.0.0.1', port: h.port }, accepted: h.nextConnection() };
  },
});

/** Runs a check against an endpoint with the given behaviour and asserts nothing is left open. */
async function run(endpoint: { readonly port: number }, settings: Record<string, unknown> = {}, signal?: AbortSignal): Promise<Reading> {
  const s = hl7Kind.settings.parse({ host: '127.0.0.1', port: endpoint.port, ...settings });
  const before = activeResources();
  const reading = await hl7Kind.check(s, makeContext(signal ? { signal } : {}));
  expect(await settleResources(before), 'resources left open').toEqual({});
  if (reading.error) expect(isKnownError(reading.error)).toBe(true);
  return reading;
}

const ackCode = (r: Reading) => r.channels.find((c) => c.key === 'ackCode')?.value;
const target = () => `mllp://127.0.0.1:${ep.port}`;

describe('hl7 sensor: acknowledgement codes', () => {
  it.each([
    ['AA', undefined, undefined, 0],
    ['CA', undefined, undefined, 0],
    ['AE', 'warning', 'HL7_NACK_AE', 1],
    ['CE', 'warning', 'HL7_NACK_AE', 1],
    ['AR', 'down', 'HL7_NACK_AR', 2],
    ['CR', 'down', 'HL7_NACK_AR', 2],
  ] as const)('%s → status %s', async (code, status, error, value) => {
    ep.set({ ack: code, fault: 'none', text: undefined });
    const r = await run(ep);
    expect(r.status).toBe(status);
    expect(r.error).toBe(error);
    expect(ackCode(r)).toBe(value);
    expect(r.channels.find((c) => c.key === 'roundTripMs')?.value).toBeGreaterThanOrEqual(0);
    expect(r.phases?.connect).toBeGreaterThanOrEqual(0);
  });

  it('reports AE as Down when configured, with MSA-3 and ERR text in the message', async () => {
    ep.set({ ack: 'AE', fault: 'none', text: 'PID-3 missing' });
    const r = await run(ep, { onApplicationError: 'down' });
    expect(r.status).toBe('down');
    expect(r.error).toBe('HL7_NACK_AE');
    expect(r.message).toMatch(/^ADT\^A01 → AE: PID-3 missing — Application internal error in [\d.]+ ms$/);
  });

  it('sends QRY^A19 and a template file with MSH overrides', async () => {
    ep.set({ ack: 'AA', fault: 'none', text: undefined });
    const before = ep.receivedByType();
    expect((await run(ep, { template: 'qry-a19' })).message).toMatch(/^QRY\^A19 → AA in /);
    const file = join(dir, 'orm.hl7');
    await writeFile(file, 'MSH|^~\\&|X|Y|Z|W|{{now}}||ORM^O01|{{controlId}}|P|2.3\nPID|1||WW1\n');
    const r = await run(ep, { templateFile: file, msh: { sendingApplication: 'MONITOR^1.2.3^ISO', characterSet: '8859/1' } });
    expect(r.error).toBeUndefined();
    expect(r.message).toMatch(/^ORM\^O01 → AA in /);
    expect(ep.receivedByType().QRY).toBe((before.QRY ?? 0) + 1);
    expect(ep.receivedByType().ORM).toBe((before.ORM ?? 0) + 1);
  });

  it('reports a missing or invalid template file without connecting', async () => {
    const missing = join(dir, 'nope.hl7');
    const r = await run(ep, { templateFile: missing });
    expect(r.error).toBe('HL7_TEMPLATE_INVALID');
    expect(r.message).toBe(`cannot read template file ${missing}: ENOENT: no such file or directory, open '${missing}'`);
    const bad = join(dir, 'bad.hl7');
    await writeFile(bad, 'PID|1\n');
    expect((await run(ep, { templateFile: bad })).message).toBe(`template ${bad}: message does not start with an MSH segment (starts with "PID|1")`);
  });
});

describe('hl7 sensor: character sets', () => {
  it('encodes the message by MSH-18 (8859/1 → latin1, default UTF-8)', async () => {
    const seen: Buffer[] = [];
    const srv = await startMllpServer({ handler: (m) => (seen.push(m), Buffer.from(`MSH|^~\\&|R|F|S|F|20260105080000||ACK|A|P|2.5\rMSA|AA|${/\|ADT\^A01\|([^|]+)\|/.exec(m.toString('latin1'))?.[1] ?? ''}\r`)) });
    try {
      const file = join(dir, 'umlaut.hl7');
      await writeFile(file, 'MSH|^~\\&|X|Y|Z|W|{{now}}||ADT^A01|{{controlId}}|P|2.5\nPID|1||WW1||Müller^Zoë\n');
      expect((await run(srv, { templateFile: file, msh: { characterSet: '8859/1' } })).error).toBeUndefined();
      expect((await run(srv, { templateFile: file })).error).toBeUndefined();
      expect(seen[0]!.includes(Buffer.from('M\xfcller^Zo\xeb', 'latin1'))).toBe(true);
      expect(seen[0]!.toString('latin1')).toMatch(/\|8859\/1\r/);
      expect(seen[1]!.includes(Buffer.from('Müller^Zoë', 'utf8'))).toBe(true);
    } finally {
      await srv.close();
    }
  });
});

describe('hl7 sensor: misbehaving receivers', () => {
  it('a receiver that never answers: HL7_NO_ACK after the timeout', async () => {
    ep.set({ fault: 'drop', ack: 'AA' });
    const r = await run(ep, { ackTimeout: '150ms' });
    expect(r.error).toBe('HL7_NO_ACK');
    expect(r.message).toBe(`${target()}: no reply within 150 ms`);
  });

  it('the runner aborting while we wait: TIMEOUT, promptly', async () => {
    ep.set({ fault: 'drop' });
    const controller = new AbortController();
    const arrived = ep.nextMessage();
    const pending = run(ep, {}, controller.signal);
    await arrived;
    controller.abort(new DOMException('timed out', 'TimeoutError'));
    const r = await pending;
    expect(r.error).toBe('TIMEOUT');
    expect(r.message).toBe(`${target()}: No answer within the timeout (waiting for the ACK)`);
  });

  it('garbage: HL7_GARBAGE with the reason and the bytes', async () => {
    ep.set({ fault: 'garbage' });
    const r = await run(ep);
    expect(r.error).toBe('HL7_GARBAGE');
    expect(r.message).toBe(`${target()}: message does not start with an MSH segment (starts with "HELLO th"): "HELLO this is not HL7<0x00><0x01>"`);
  });

  it('closes without answering: HL7_CLOSED_EARLY', async () => {
    ep.set({ fault: 'close' });
    const r = await run(ep);
    expect(r.error).toBe('HL7_CLOSED_EARLY');
    expect(r.message).toBe(`${target()}: connection closed before a reply`);
  });

  it('closes in the middle of the ACK frame: HL7_CLOSED_EARLY naming the partial frame', async () => {
    ep.set({ fault: 'partial', ack: 'AA' });
    const r = await run(ep);
    expect(r.error).toBe('HL7_CLOSED_EARLY');
    expect(r.message).toMatch(new RegExp(`^${target()}: connection closed before a reply \\(after \\d+ bytes of an unfinished frame\\)$`));
  });

  it('answers without MLLP framing: HL7_UNFRAMED', async () => {
    ep.set({ fault: 'unframed', ack: 'AA' });
    const r = await run(ep);
    expect(r.error).toBe('HL7_UNFRAMED');
    expect(r.message).toMatch(new RegExp(`^${target()}: reply bytes outside an MLLP frame: "MSH\\|\\^~\\\\\\\\&\\|`));
  });

  it('acknowledges another control ID: HL7_CONTROL_ID_MISMATCH', async () => {
    ep.set({ fault: 'wrong-control-id', ack: 'AA' });
    const r = await run(ep);
    expect(r.error).toBe('HL7_CONTROL_ID_MISMATCH');
    expect(r.status).toBe('down');
    expect(r.message).toMatch(/^ADT\^A01 → AA for control ID "NOT-(WW[0-9A-Z]+)", but we sent "\1" in [\d.]+ ms$/);
  });

  it('answers slowly but within the timeout: Up', async () => {
    ep.set({ fault: 'delay', delayMs: 30, ack: 'AA' });
    const r = await run(ep, { ackTimeout: '10s' });
    expect(r.error).toBeUndefined();
    expect(r.channels.find((c) => c.key === 'roundTripMs')!.value).toBeGreaterThanOrEqual(29);
  });

  it('an oversized ACK: MLLP_FRAME_TOO_LARGE instead of unbounded buffering', async () => {
    ep.set({ fault: 'none', ack: 'AE', text: 'x'.repeat(3000) });
    const r = await run(ep, { maxReplyBytes: 1024 });
    expect(r.error).toBe('MLLP_FRAME_TOO_LARGE');
    expect(r.message).toBe(`${target()}: MLLP frame larger than 1024 bytes`);
  });
});

describe('hl7 sensor over TLS', () => {
  let ca: TestCertificate;
  let server: TestCertificate;
  let client: TestCertificate;
  let tlsEp: Hl7Endpoint;
  let mtlsEp: Hl7Endpoint;

  beforeAll(async () => {
    ca = await makeCa({ commonName: 'Wardwatch Test CA', keyType: 'EC' });
    server = await makeCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], signWith: ca, keyType: 'EC' });
    client = await makeCertificate({ commonName: 'wardwatch-probe', signWith: ca, keyType: 'EC' });
    tlsEp = await startHl7Endpoint({ tls: { cert: server.certPem, key: server.keyPem } });
    mtlsEp = await startHl7Endpoint({ tls: { cert: server.certPem, key: server.keyPem, ca: ca.certPem, requireClientCert: true } });
  });
  afterAll(async () => {
    await tlsEp?.close();
    await mtlsEp?.close();
  });

  it('verifies the server against the given CA (PEM inline or a file)', async () => {
    const r = await run(tlsEp, { tls: { ca: ca.certPem } });
    expect(r.error).toBeUndefined();
    expect(r.phases?.tls).toBeGreaterThan(0);
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, ca.certPem);
    expect((await run(tlsEp, { tls: { ca: caFile } })).error).toBeUndefined();
  });

  it('rejects an untrusted server certificate unless verification is off', async () => {
    const r = await run(tlsEp, { tls: {} });
    expect(r.error).toBe('TLS_CERT_UNTRUSTED');
    expect(r.message).toBe(`mllps://127.0.0.1:${tlsEp.port}: unable to verify the first certificate`);
    expect((await run(tlsEp, { tls: { verify: false } })).error).toBeUndefined();
  });

  it('mutual TLS: succeeds with our client certificate, fails without', async () => {
    expect((await run(mtlsEp, { tls: { ca: ca.certPem, cert: client.certPem, key: client.keyPem } })).error).toBeUndefined();
    const r = await run(mtlsEp, { tls: { ca: ca.certPem } });
    expect(r.error).toBe('TLS_HANDSHAKE');
    expect(r.message).toBe(`mllps://127.0.0.1:${mtlsEp.port}: TLS: tlsv13 alert certificate required (the receiver requires a client certificate: set tls.cert and tls.key)`);
  });

  it('plain MLLP against a TLS receiver is not mistaken for an ACK', async () => {
    const r = await run(tlsEp, { ackTimeout: '2s' });
    expect(r.error).toBe('HL7_CLOSED_EARLY');
    expect(r.message).toBe(`mllp://127.0.0.1:${tlsEp.port}: connection closed before a reply`);
  });

  it('rejects cert without key in the settings', () => {
    const res = hl7Kind.settings.safeParse({ host: 'h', tls: { cert: 'x' } });
    expect(res.success).toBe(false);
    expect(res.error?.issues[0]?.message).toBe('tls.cert and tls.key go together (mutual TLS needs both)');
  });
});

describe('hl7 sensor against python3-hl7 (a third-party MLLP receiver)', () => {
  it.each([
    ['AA', undefined],
    ['AE', 'HL7_NACK_AE'],
    ['AR', 'HL7_NACK_AR'],
  ] as const)('python-hl7 create_ack(%s) → %s', async (code, error) => {
    requireCommand('/usr/bin/python3', 'python3-hl7');
    const port = await freePort();
    const script = fileURLToPath(new URL('./__fixtures__/python_hl7_ack_server.py', import.meta.url));
    const peer = await startPeer('/usr/bin/python3', [script, String(port), code], { port, waitOutput: /ready/ });
    try {
      const s = hl7Kind.settings.parse({ host: '127.0.0.1', port });
      const r = await hl7Kind.check(s, makeContext());
      expect(r.error, r.message).toBe(error);
      expect(ackCode(r)).toBe({ AA: 0, AE: 1, AR: 2 }[code]);
      expect(r.message).toMatch(new RegExp(`^ADT\\^A01 → ${code} in [\\d.]+ ms$`));
    } finally {
      await peer.stop();
    }
  });
});
