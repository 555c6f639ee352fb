// `dns`: asks one DNS server (the device, or `server`) for one name and record type, and checks
// that the expected answers come back. Reports the response time and the number of answers; a
// missing name, an empty answer, a failing or refusing server each get their own catalogue code.

import { isIP } from 'node:net';
import { promises as dnsPromises } from 'node:dns';
import { z } from 'zod';
import './errors.ts';
import type { Reading } from '../../core/model.ts';
import { defineSensorKind, failed, type CheckContext } from '../sensor.ts';
import { describeGot, host, port } from '../fields.ts';
import { RECORD_TYPES, dnsErrorCode, formatAnswer, missingAnswers, type Answer } from './answers.ts';

const NAME = /^[A-Za-z0-9._\-:*]+$/;

const settings = z.strictObject({
  host,
  server: host.optional().describe('DNS server to ask (default: the device host)'),
  port: port(53),
  query: z
    .string({ error: (i) => `expected a DNS name, got ${describeGot(i.input)}` })
    .max(253, { error: 'DNS name longer than 253 characters' })
    .regex(NAME, { error: (i) => `expected a DNS name, got ${describeGot(i.input)}` })
    .describe('The name to resolve (for PTR also an IP address)'),
  type: z.enum(RECORD_TYPES, { error: (i) => `expected one of ${RECORD_TYPES.join(', ')}, got ${describeGot(i.input)}` }).default('A').describe('Record type (default A)'),
  expect: z
    .array(z.string().min(1, { error: 'expected answers must not be empty' }), { error: (i) => `expected a list of answers, got ${describeGot(i.input)}` })
    .min(1, { error: 'expect needs at least one answer' })
    .optional()
    .describe('Answers that must all be present (MX/SRV: the host name or the full "10 mail.example" form)'),
  expectRegex: z
    .string()
    .refine((v) => regexProblem(v) === undefined, { error: (i) => `invalid regular expression: ${regexProblem(String(i.input)) ?? ''}` })
    .optional()
    .describe('A regular expression that at least one answer must match'),
  tries: z
    .number({ error: (i) => `expected an integer 1–5, got ${describeGot(i.input)}` })
    .int({ error: (i) => `expected an integer 1–5, got ${describeGot(i.input)}` })
    .min(1, { error: (i) => `expected an integer 1–5, got ${describeGot(i.input)}` })
    .max(5, { error: (i) => `expected an integer 1–5, got ${describeGot(i.input)}` })
    .default(2).describe('Queries sent before giving up (UDP loses packets; default 2)'),
});

export type DnsSettings = z.infer<typeof settings>;

function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function abortReading(ctx: CheckContext): Reading {
  const timeout = (ctx.signal.reason as { name?: unknown } | undefined)?.name === 'TimeoutError';
  return failed(timeout ? 'TIMEOUT' : 'ABORTED', timeout ? 'the DNS query did not finish within the timeout' : 'the DNS query was cancelled');
}

/** c-ares doubles the timeout on every retry: share the budget so that all tries end before the runner's timeout. */
function perTryTimeoutMs(totalMs: number, tries: number): number {
  return Math.max(50, Math.floor((totalMs * 0.9) / (2 ** tries - 1)));
}

async function serverAddress(server: string): Promise<string | undefined> {
  if (isIP(server)) return server;
  try {
    return (await dnsPromises.lookup(server)).address;
  } catch {
    return undefined;
  }
}

/** Resolves, and cancels the query when the signal aborts (the Resolver then rejects with ECANCELLED). */
async function query(resolver: dnsPromises.Resolver, s: DnsSettings, signal: AbortSignal): Promise<unknown[]> {
  const cancel = () => resolver.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    if (s.type === 'PTR' && isIP(s.query)) return await resolver.reverse(s.query);
    return (await resolver.resolve(s.query, s.type)) as unknown[];
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

function failureDetail(code: string, s: DnsSettings, err: Error): string {
  switch (code) {
    case 'DNS_NXDOMAIN':
      return 'the name does not exist (NXDOMAIN)';
    case 'DNS_NODATA':
      return `the name has no ${s.type} record (NODATA)`;
    case 'DNS_SERVFAIL':
      return 'the server failed to answer (SERVFAIL)';
    case 'DNS_REFUSED':
      return 'the server refused the query (REFUSED)';
    case 'TIMEOUT':
      return `no answer after ${s.tries} ${s.tries === 1 ? 'try' : 'tries'}`;
    case 'ECONNREFUSED':
      return 'connection refused';
    default:
      return err.message;
  }
}

function judge(s: DnsSettings, answers: readonly Answer[]): { error: string; message: string } | undefined {
  const got = answers.map((a) => a.text).join(', ');
  const what = `${s.query} ${s.type}`;
  if (s.expect) {
    const missing = missingAnswers(s.expect, answers, s.type);
    if (missing.length > 0) return { error: 'DNS_UNEXPECTED_ANSWER', message: `${what}: expected ${s.expect.join(', ')}, got ${got} (missing ${missing.join(', ')})` };
  }
  if (s.expectRegex !== undefined) {
    const re = new RegExp(s.expectRegex);
    if (!answers.some((a) => re.test(a.text))) return { error: 'DNS_UNEXPECTED_ANSWER', message: `${what}: expected an answer matching /${s.expectRegex}/, got ${got}` };
  }
  return undefined;
}

export const dnsKind = defineSensorKind({
  kind: 'dns',
  title: 'DNS',
  description:
    'Resolves a name of a given record type (A, AAAA, CNAME, MX, TXT, NS, PTR, SRV, SOA) against one DNS server and checks that the expected answers come back. Reports the response time and the number of answers.',
  settings,
  channels: [
    { key: 'responseTimeMs', name: 'Response time', unit: 'ms', primary: true },
    { key: 'answers', name: 'Answers', unit: 'count' },
  ],
  concurrency: 50,
  defaultIntervalS: 60,
  usesHost: true,
  async check(s, ctx) {
    if (ctx.signal.aborted) return abortReading(ctx);
    const serverName = s.server ?? s.host;
    const ip = await serverAddress(serverName);
    if (ctx.signal.aborted) return abortReading(ctx);
    if (ip === undefined) return failed('ENOTFOUND', `the DNS server name ${serverName} could not be resolved`);
    const where = isIP(ip) === 6 ? `[${ip}]:${s.port}` : `${ip}:${s.port}`;
    const resolver = new dnsPromises.Resolver({ timeout: perTryTimeoutMs(ctx.timeoutMs, s.tries), tries: s.tries });
    resolver.setServers([where]);
    const t0 = ctx.now();
    let raw: unknown[];
    try {
      raw = await query(resolver, s, ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) return abortReading(ctx);
      const code = dnsErrorCode(err);
      const ms = Math.round((ctx.now() - t0) * 1000) / 1000;
      // the server did answer (with a negative answer): its response time is still worth keeping
      const answered = code.startsWith('DNS_');
      const detail = failureDetail(code, s, err as Error) + (code === 'TIMEOUT' ? ` from ${where}` : ` (server ${where})`);
      return failed(code, `${s.query} ${s.type}: ${detail}`, answered ? [{ key: 'responseTimeMs', value: ms }, { key: 'answers', value: 0 }] : []);
    }
    const ms = Math.round((ctx.now() - t0) * 1000) / 1000;
    const answers = raw.map((r) => formatAnswer(s.type, r));
    const channels = [
      { key: 'responseTimeMs', value: ms },
      { key: 'answers', value: answers.length },
    ];
    if (answers.length === 0) return failed('DNS_NODATA', `${s.query} ${s.type}: no answer (server ${where})`, channels);
    const problem = judge(s, answers);
    if (problem) return failed(problem.error, problem.message, channels);
    return { channels, message: `${s.query} ${s.type} ${answers.map((a) => a.text).join(', ')} from ${where} in ${ms.toFixed(1)} ms` };
  },
});
