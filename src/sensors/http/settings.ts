// Settings of the `http` kind: the target (a URL, or host/port/path/scheme from the device), the
// request, and what the answer must satisfy (status set, keywords, a JSON value). Also parses the
// status set ("200-299, 301") that the check compares against.

import { z } from 'zod';
import { describeGot, host, port } from '../fields.ts';
import { patternProblem } from '../../protocols/net/text.ts';

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** A closed range of status codes; a single code is a range of one. */
export interface StatusRange {
  readonly from: number;
  readonly to: number;
}

const STATUS_ITEM = /^\s*([1-5]\d\d)\s*(?:-\s*([1-5]\d\d)\s*)?$/;

/** "200-299, 301" (or [200, "300-399"]) → ranges; a string naming what is wrong when it does not parse. */
export function parseStatusSet(input: number | string | readonly (number | string)[]): StatusRange[] | string {
  const list: readonly (number | string)[] = typeof input === 'object' ? input : [input];
  const items = list.flatMap((i): (number | string)[] => (typeof i === 'string' ? i.split(',') : [i]));
  const out: StatusRange[] = [];
  for (const item of items) {
    const m = STATUS_ITEM.exec(String(item));
    if (!m) return `expected a status code or a range such as 200-299, got ${describeGot(item)}`;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return `status range ${String(item).trim()} runs backwards`;
    out.push({ from, to });
  }
  return out;
}

export function formatStatusSet(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(', ');
}

export const DEFAULT_STATUS: readonly StatusRange[] = [{ from: 200, to: 399 }];

const pattern = z.string().min(1, { error: 'expected text or a /regex/, got an empty string' }).superRefine((v, ctx) => {
  const problem = patternProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const statusSet = z
  .union([z.number(), z.string(), z.array(z.union([z.number(), z.string()]))], { error: (i) => `expected a status code or a range such as 200-299, got ${describeGot(i.input)}` })
  .superRefine((v, ctx) => {
    const parsed = parseStatusSet(v);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  })
  .transform((v) => parseStatusSet(v) as StatusRange[]);

const url = z.string().superRefine((v, ctx) => {
  let parsed: URL | undefined;
  try {
    parsed = new URL(v);
  } catch {
    // reported below
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) ctx.addIssue({ code: 'custom', message: `expected an http:// or https:// URL, got ${describeGot(v)}` });
});

const redirectsError = (i: { input?: unknown }): string => `expected true, false or a number of redirects 0–20, got ${describeGot(i.input)}`;

/** A JSON path: dotted keys with [index] or ["quoted key"], optionally starting with "$". */
export const JSON_PATH = /^\$?(?:\.?[A-Za-z_$][\w$-]*|\[\d+\]|\["[^"]*"\]|\['[^']*'\])+$|^\$$/;

export const httpSettings = z
  .strictObject({
    url: url.optional().describe('Full URL to request; when given, host, port, path and scheme are ignored'),
    host: host.optional(),
    port: port().optional().describe('TCP port (default 80 for http, 443 for https)'),
    scheme: z.enum(['http', 'https']).default('http').describe('http or https, when no url is given'),
    path: z.string().startsWith('/', { error: 'expected a path starting with /' }).default('/').describe('Path and query, when no url is given'),
    method: z.enum(METHODS).default('GET').describe('HTTP method'),
    headers: z.record(z.string(), z.string()).default({}).describe('Request headers'),
    body: z.string().optional().describe('Request body (send a Content-Type header with it)'),
    expectStatus: statusSet.optional().describe('Accepted status codes after redirects, e.g. [200, "300-399"] or "200-299" (default 200-399)'),
    keyword: pattern.optional().describe('Text (or /regex/flags) the body must contain'),
    keywordAbsent: pattern.optional().describe('Text (or /regex/flags) the body must not contain, e.g. "maintenance"'),
    jsonPath: z.string().regex(JSON_PATH, { error: (i) => `expected a JSON path such as status.checks[0].state, got ${describeGot(i.input)}` }).optional().describe('Dotted path into a JSON body, with [index] for arrays; the value must exist'),
    jsonExpect: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional().describe('Expected value at jsonPath (equality, or a /regex/ on the text of the value)'),
    followRedirects: z
      .union([z.boolean(), z.number().int({ error: redirectsError }).min(0, { error: redirectsError }).max(20, { error: redirectsError })], { error: redirectsError })
      .default(5)
      .transform((v) => (v === true ? 5 : v === false ? 0 : v))
      .describe('How many redirects to follow (default 5; 0 or false: none)'),
    tlsVerify: z.boolean().default(true).describe('Verify the TLS certificate chain and host name'),
    tlsCa: z.string().min(1).optional().describe('PEM CA certificate(s) to trust besides the system ones (private hospital CA)'),
    maxBodyBytes: z.number().int().min(0).max(64 * 1024 * 1024).default(1024 * 1024).describe('Most body bytes read and searched (default 1 MiB); the rest is not downloaded'),
  })
  .superRefine((s, ctx) => {
    if (s.url === undefined && s.host === undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'expected a url, or a host (with optional scheme, port and path)' });
    if (s.jsonExpect !== undefined && s.jsonPath === undefined) ctx.addIssue({ code: 'custom', path: ['jsonExpect'], message: 'jsonExpect needs a jsonPath' });
    if (typeof s.jsonExpect === 'string') {
      const problem = patternProblem(s.jsonExpect);
      if (problem) ctx.addIssue({ code: 'custom', path: ['jsonExpect'], message: problem });
    }
  });

export type HttpSettings = z.infer<typeof httpSettings>;

/** The URL a check starts from. */
export function startUrl(s: HttpSettings): URL {
  if (s.url !== undefined) return new URL(s.url);
  const hostPart = s.host!.includes(':') && !s.host!.startsWith('[') ? `[${s.host!}]` : s.host!;
  return new URL(`${s.scheme}://${hostPart}${s.port !== undefined ? `:${s.port}` : ''}${s.path}`);
}
