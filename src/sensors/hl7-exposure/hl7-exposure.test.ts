// hl7-exposure against our HL7 endpoint simulator on loopback: plaintext MLLP, MLLP over TLS, and
// both at once; plus the contract (the good peer is a TLS-only receiver).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeOf } from '../../core/state.ts';
import { startHl7Endpoint, type Hl7Endpoint } from '../../sim/hl7/index.ts';
import { makeCa, makeCertificate, type TestCertificate } from '../testing/certs.ts';
import { makeContext, runSensorContract } from '../testing/contract.ts';
import { closedPort, startHangingServer, startTcpServer } from '../testing/peers.ts';
import { hl7ExposureKind } from './index.ts';

let ca: TestCertificate;
let plain: Hl7Endpoint;
let secure: Hl7Endpoint;

beforeAll(async () => {
  ca = await makeCa();
  const cert = await makeCertificate({ commonName: 'engine.example', altNames: ['127.0.0.1'], signWith: ca });
  plain = await startHl7Endpoint({ host: '127.0.0.1' });
  secure = await startHl7Endpoint({ host: '127.0.0.1', tls: { cert: cert.certPem, key: cert.keyPem } });
});
afterAll(async () => {
  await Promise.all([plain.close(), secure.close()]);
});

const tlsSettings = () => ({ ca: ca.certPem });
const check = (over: Record<string, unknown>) => hl7ExposureKind.check(hl7ExposureKind.settings.parse({ host: '127.0.0.1', ...over }), makeContext());
const value = (r: { channels: readonly { key: string; value: number }[] }, key: string) => r.channels.find((c) => c.key === key)?.value;
const STD = '[MDS2 TXCF / TXIG (transmission confidentiality and integrity), IHE ITI ATNA secure node]';

runSensorContract(hl7ExposureKind, {
  good: () => Promise.resolve({ host: '127.0.0.1', port: secure.port, tls: tlsSettings() }),
  refused: async () => ({ host: '127.0.0.1', port: await closedPort() }),
  refusedError: 'ECONNREFUSED',
  hang: async () => {
    const srv = await startHangingServer();
    return { settings: { host: '127.0.0.1', port: srv.port }, accepted: srv.nextRequest() };
  },
});

describe('hl7-exposure', () => {
  it('finds a receiver answering plaintext MLLP (Down: high severity)', async () => {
    const r = await check({ port: plain.port });
    expect(r.error).toBe('EXPOSURE_HL7_PLAINTEXT');
    expect(r.status).toBeUndefined();
    expect(r.message).toBe(`mllp://127.0.0.1:${plain.port} answered a QRY^A19 query sent in plaintext (reply ACK^A19 AA) ${STD}; not tested: MLLP over TLS (no tls settings)`);
    expect(value(r, 'plaintextAnswered')).toBe(1);
    expect(outcomeOf(r, hl7ExposureKind.channels).kind).toBe('failure');
  });

  it('passes a TLS-only receiver: the plaintext probe is dropped, the TLS probe answered', async () => {
    const r = await check({ port: secure.port, tls: tlsSettings() });
    expect(r.error, r.message).toBeUndefined();
    expect(r.message).toBe(`passed: mllp://127.0.0.1:${secure.port} closed the plaintext connection without answering, mllps://127.0.0.1:${secure.port} answered over TLS (reply ACK^A19 AA)`);
    expect(value(r, 'plaintextAnswered')).toBe(0);
    expect(value(r, 'tlsWorks')).toBe(1);
  });

  it('finds plaintext next to a working TLS port', async () => {
    const r = await check({ port: plain.port, tlsPort: secure.port, tls: tlsSettings(), probe: 'framing' });
    expect(r.error).toBe('EXPOSURE_HL7_PLAINTEXT');
    expect(r.message).toBe(
      `mllp://127.0.0.1:${plain.port} answered an empty MLLP frame sent in plaintext (reply ACK AE) ${STD}; passed: mllps://127.0.0.1:${secure.port} answered over TLS (reply ACK AE)`,
    );
  });

  it('finds that TLS does not work where it is expected', async () => {
    // A plaintext receiver given a ClientHello either stays silent (the TLS attempt ends at its own
    // timeout) or answers in plaintext (not a TLS record): which one comes first depends on timing,
    // and both mean the same thing, TLS does not work there.
    const r = await check({ port: plain.port, tlsPort: plain.port, tls: tlsSettings(), replyTimeout: '300ms' });
    expect(r.error).toBe('EXPOSURE_HL7_PLAINTEXT');
    expect(value(r, 'tlsWorks')).toBe(0);
    const prefix = `mllp://127.0.0.1:${plain.port} answered a QRY^A19 query sent in plaintext (reply ACK^A19 AA) ${STD}; mllps://127.0.0.1:${plain.port}: `;
    const suffix = ' [MDS2 TXCF (transmission confidentiality), IHE ITI ATNA secure node]';
    expect([`${prefix}no connection within 300 ms${suffix}`, `${prefix}TLS: wrong version number${suffix}`]).toContain(r.message);
  });

  it('reports a plaintext port that answers in TLS as passed', async () => {
    const tlsish = await startTcpServer((s) => s.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46])));
    try {
      const r = await check({ port: tlsish.port, tlsPort: secure.port, tls: tlsSettings() });
      expect(r.error, r.message).toBeUndefined();
      expect(r.message).toMatch(new RegExp(`^passed: mllp://127\\.0\\.0\\.1:${tlsish.port} answered plaintext with a TLS record \\(TLS required\\), `));
    } finally {
      await tlsish.close();
    }
  });

  it('says the interface is down, not secure, when nothing listens', async () => {
    const port = await closedPort();
    const r = await check({ port, tls: tlsSettings() });
    expect(r.error).toBe('ECONNREFUSED');
    expect(r.message).toBe(`mllp://127.0.0.1:${port} and mllps://127.0.0.1:${port}: nothing listens (connection refused)`);
  });
});
