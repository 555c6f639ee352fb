// The email channel against a real SMTP server (python3-aiosmtpd) on loopback: plain, STARTTLS
// required and if offered, implicit TLS, AUTH, both MIME parts, Message-ID from the key, and how
// each kind of failure is classified.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, smtpCertificates, type SmtpSink, type SmtpTls } from '../../../../test/peers/smtp.ts';
import { freePort } from '../../../../test/peers/harness.ts';
import { sampleNotification, sendOnce } from '../testing/fixtures.ts';
import { messageId } from './index.ts';

let tls: SmtpTls;
const sinks: SmtpSink[] = [];

beforeAll(async () => {
  tls = await smtpCertificates();
});
afterAll(async () => {
  await Promise.all(sinks.map((s) => s.stop()));
});

async function sink(o: Parameters<typeof startSmtpSink>[0]): Promise<SmtpSink> {
  const s = await startSmtpSink(o);
  sinks.push(s);
  return s;
}

const base = { kind: 'email', host: '127.0.0.1', from: 'wardwatch@hospital.example' };

/** Unfolds header lines and decodes quoted-printable, enough to assert on the text. */
function decode(raw: string): string {
  const qp = (s: string) => Buffer.from(s.replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  return qp(
    raw
      .replace(/\?=\r\n[ \t]=\?UTF-8\?Q\?/g, '')
      .replace(/=\?UTF-8\?Q\?(.*?)\?=/g, (_m, w: string) => w.replace(/_/g, ' '))
      .replace(/=\r?\n/g, '')
      .replace(/\r\n[ \t]/g, ' '),
  );
}

describe('email channel', () => {
  it('sends plain SMTP with a text and an HTML part, the Message-ID from the key and the alert thread', async () => {
    const s = await sink({});
    const n = sampleNotification();
    const r = await sendOnce({ ...base, port: s.port, security: 'none' }, n);
    expect(r).toMatchObject({ ok: true, status: '250' });
    const [m] = await s.waitFor(1);
    expect(m!.to).toEqual(['oncall@hospital.example']);
    expect(m!.tls).toBe(false);
    const raw = decode(m!.raw);
    expect(raw).toContain(`Message-ID: ${messageId(n)}`);
    expect(raw).toMatch(/References: <alert-[0-9a-f]{32}@wardwatch>/);
    expect(raw).toContain('Subject: [Wardwatch] Alert: PACS <Archive> "A&B" is Down');
    expect(raw).toContain('Content-Type: text/plain');
    expect(raw).toContain('Content-Type: text/html');
    expect(raw).toContain('Auto-Submitted: auto-generated');
    // The HTML part escapes what the device said; the text part keeps it verbatim.
    expect(raw).toContain('<h2>Alert: PACS &#60;Archive&#62; &#34;A&#38;B&#34;</h2>');
    expect(raw).toContain('Message: association rejected: called AE "PACS" unknown');
    expect(raw).toContain('<a href="https://wardwatch.example/ack?t=abc&#38;x=1">Acknowledge</a>');
    expect(raw).toContain('Acknowledge: https://wardwatch.example/ack?t=abc&x=1');
  });

  it('upgrades with STARTTLS when required, verifying the server against the configured CA', async () => {
    const s = await sink({ tls, starttls: true, requireStarttls: true });
    const r = await sendOnce({ ...base, port: s.port, security: 'starttls', caFile: tls.caFile });
    expect(r.ok).toBe(true);
    const [m] = await s.waitFor(1);
    expect(m!.tls).toBe(true);
  });

  it('fails permanently when STARTTLS is required but the server does not offer it', async () => {
    const s = await sink({});
    const r = await sendOnce({ ...base, port: s.port, security: 'starttls' });
    expect(r).toMatchObject({ ok: false, retryable: false, response: '454 TLS not available' });
    expect(s.messages()).toHaveLength(0);
  });

  it('uses STARTTLS if offered and sends in clear text if not (opportunistic)', async () => {
    const offered = await sink({ tls, starttls: true });
    const plain = await sink({});
    expect((await sendOnce({ ...base, port: offered.port, security: 'starttls-if-offered', caFile: tls.caFile })).ok).toBe(true);
    expect((await sendOnce({ ...base, port: plain.port, security: 'starttls-if-offered' })).ok).toBe(true);
    expect((await offered.waitFor(1))[0]!.tls).toBe(true);
    expect((await plain.waitFor(1))[0]!.tls).toBe(false);
  });

  it('refuses an untrusted certificate unless told not to verify (retryable: the relay may get a proper one)', async () => {
    const s = await sink({ tls, starttls: true });
    const r = await sendOnce({ ...base, port: s.port, security: 'starttls' });
    expect(r).toMatchObject({ ok: false });
    expect(r.ok ? '' : r.error).toMatch(/certificate/i);
    expect((await sendOnce({ ...base, port: s.port, security: 'starttls', rejectUnauthorized: false })).ok).toBe(true);
  });

  it('speaks implicit TLS and authenticates with the password from the secrets', async () => {
    const s = await sink({ tls, implicitTls: true, auth: 'ward:s3cret' });
    const r = await sendOnce({ ...base, port: s.port, security: 'tls', caFile: tls.caFile, username: 'ward', passwordSecret: 'smtp' }, sampleNotification(), { secrets: { smtp: 's3cret' } });
    expect(r.ok).toBe(true);
    const [m] = await s.waitFor(1);
    expect(m).toMatchObject({ tls: true, auth: 'ward' });
  });

  it('classifies a wrong password and a missing secret as permanent', async () => {
    const s = await sink({ tls, starttls: true, auth: 'ward:s3cret' });
    const settings = { ...base, port: s.port, security: 'starttls', caFile: tls.caFile, username: 'ward', passwordSecret: 'smtp' };
    expect(await sendOnce(settings, sampleNotification(), { secrets: { smtp: 'wrong' } })).toMatchObject({ ok: false, retryable: false, status: '535' });
    expect(await sendOnce(settings)).toEqual({ ok: false, retryable: false, status: 'config', error: 'secret "smtp" (passwordSecret) is not in the secrets file' });
  });

  it('treats 550 as permanent, 451 as temporary and a closed port as temporary', async () => {
    const refused = await sink({ rcptCode: 550 });
    const busy = await sink({ rcptCode: 451 });
    expect(await sendOnce({ ...base, port: refused.port, security: 'none' })).toMatchObject({ ok: false, retryable: false, status: '550' });
    expect(await sendOnce({ ...base, port: busy.port, security: 'none' })).toMatchObject({ ok: false, retryable: true, status: '451' });
    const closed = await freePort();
    expect(await sendOnce({ ...base, port: closed, security: 'none' })).toMatchObject({ ok: false, retryable: true, status: 'ESOCKET' });
  });

  it('fails permanently without a recipient address', async () => {
    const n = sampleNotification({ recipient: { name: 'nobody' } });
    expect(await sendOnce({ ...base, port: 25, security: 'none' }, n)).toEqual({ ok: false, retryable: false, status: 'no address', error: 'the recipient has no email address' });
  });
});
