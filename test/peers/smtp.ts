// An SMTP sink on loopback (python3-aiosmtpd from Debian): plain, STARTTLS (offered or required),
// implicit TLS and AUTH, with the messages it received parsed for assertions. A test can stop it
// and start it again on the same port to play "the relay was down for a while".

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startPeer, type Peer } from './harness.ts';
import { makeCa, makeCertificate, type TestCertificate } from '../../src/sensors/testing/certs.ts';

const SCRIPT = fileURLToPath(new URL('./smtp-sink.py', import.meta.url));
/** Debian's python3 has aiosmtpd; a pyenv or venv python on PATH may not. */
const PYTHON = '/usr/bin/python3';
const AIOSMTPD = '/usr/lib/python3/dist-packages/aiosmtpd/__init__.py';

export interface SmtpSinkOptions {
  readonly port?: number;
  readonly starttls?: boolean;
  readonly requireStarttls?: boolean;
  readonly implicitTls?: boolean;
  /** "user:password" */
  readonly auth?: string;
  /** Refuse every recipient with this reply code (550 permanent, 451 temporary). */
  readonly rcptCode?: number;
  /** Certificate files (made by smtpCertificates) when TLS is used. */
  readonly tls?: SmtpTls;
}

export interface SmtpTls {
  readonly certFile: string;
  readonly keyFile: string;
  /** The CA to trust on the client side (caFile in the email channel). */
  readonly caFile: string;
  readonly ca: TestCertificate;
}

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  readonly tls: boolean;
  readonly auth: string | null;
  /** The raw message (headers and body) as received. */
  readonly raw: string;
}

export interface SmtpSink {
  readonly port: number;
  messages(): ReceivedMail[];
  events(): Record<string, unknown>[];
  /** Resolves when at least `count` messages have arrived (fails after timeoutMs with the sink's output). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
  readonly peer: Peer;
}

/** A CA and a server certificate for 127.0.0.1/localhost, written to a temporary directory. */
export async function smtpCertificates(): Promise<SmtpTls> {
  const ca = await makeCa();
  const server = await makeCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], signWith: ca });
  const dir = mkdtempSync(join(tmpdir(), 'ww-smtp-'));
  const certFile = join(dir, 'server.pem');
  const keyFile = join(dir, 'server.key');
  const caFile = join(dir, 'ca.pem');
  writeFileSync(certFile, server.certPem);
  writeFileSync(keyFile, server.keyPem, { mode: 0o600 });
  writeFileSync(caFile, ca.certPem);
  return { certFile, keyFile, caFile, ca };
}

export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  if (!existsSync(AIOSMTPD)) throw new Error('peer aiosmtpd is not installed: apt-get install python3-aiosmtpd');
  const port = opts.port ?? (await freePort());
  const args = [SCRIPT, '--port', String(port)];
  if (opts.tls) args.push('--cert', opts.tls.certFile, '--key', opts.tls.keyFile);
  if (opts.starttls) args.push('--starttls');
  if (opts.requireStarttls) args.push('--require-starttls');
  if (opts.implicitTls) args.push('--implicit-tls');
  if (opts.auth !== undefined) args.push('--auth', opts.auth);
  if (opts.rcptCode !== undefined) args.push('--rcpt-code', String(opts.rcptCode));
  const peer = await startPeer(PYTHON, args, { port, waitOutput: /"event": "ready"/, env: { PYTHONUNBUFFERED: '1' } });
  // Only whole lines: a large message may still be arriving on the pipe when the output is read.
  const events = (): Record<string, unknown>[] => {
    const out = peer.output();
    return out
      .slice(0, out.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  };
  const messages = (): ReceivedMail[] =>
    events()
      .filter((e) => e.event === 'message')
      .map((e) => ({ from: String(e.from), to: e.to as string[], tls: Boolean(e.tls), auth: (e.auth as string | null) ?? null, raw: Buffer.from(String(e.data), 'base64').toString('utf8') }));
  return {
    port,
    peer,
    messages,
    events,
    waitFor(count, timeoutMs = 10_000) {
      // Re-checks on every chunk the sink prints; the timeout only bounds a failing test.
      return new Promise<ReceivedMail[]>((resolve, reject) => {
        const out = peer.process.stdout!;
        const check = () => {
          if (messages().length < count) return;
          cleanup();
          resolve(messages());
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`SMTP sink on ${port}: expected ${count} messages, got ${messages().length}; output:\n${peer.output().slice(-3000)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          out.off('data', onData);
        };
        // The harness's own listener appends to output() first (registered earlier), so check after it.
        const onData = () => setImmediate(check);
        out.on('data', onData);
        check();
      });
    },
    stop: () => peer.stop(),
  };
}
