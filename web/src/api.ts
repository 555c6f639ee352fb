// The console's one door to the server: JSON over fetch with the session cookie, the CSRF token on
// every unsafe request, and RFC 9457 problem details turned into a ProblemError the pages can show
// (at the field, when the API names one).

export interface Problem {
  readonly type?: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly code?: string;
  /** Validation errors by field path, when the API reports them. */
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ProblemError';
  }
  get status(): number {
    return this.problem.status;
  }
  get code(): string | undefined {
    return this.problem.code;
  }
  /** Messages per field path ("settings.port"), from `errors` or a "path: message; ..." detail. */
  fieldErrors(): Map<string, string> {
    const m = new Map<string, string>();
    for (const e of this.problem.errors ?? []) m.set(e.path, e.message);
    if (m.size === 0 && this.problem.detail) {
      for (const part of this.problem.detail.split('; ')) {
        const match = /^([\w.[\]-]+): (.+)$/.exec(part);
        if (match?.[1] && match[2]) m.set(match[1], match[2]);
      }
    }
    return m;
  }
}

let csrfToken: string | undefined;
/** Called when a request comes back 401: the session ended (expired, logged out elsewhere). */
let onUnauthorized: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

export function setUnauthorizedHandler(fn: (() => void) | undefined): void {
  onUnauthorized = fn;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface RequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** Do not call the unauthorized handler on 401 (the login form handles its own). */
  readonly quiet401?: boolean;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const method = opts.method ?? (opts.body !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ProblemError({ title: 'The Wardwatch server cannot be reached', status: 0, detail: `${method} ${path}: ${e instanceof Error ? e.message : String(e)}`, code: 'NETWORK' });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: unknown;
  try {
    data = text === '' ? undefined : JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const p = isProblem(data) ? data : { title: res.statusText || 'Request failed', status: res.status, detail: `${method} ${path} answered ${res.status}` };
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw new ProblemError(p);
  }
  return data as T;
}

function isProblem(x: unknown): x is Problem {
  return typeof x === 'object' && x !== null && typeof (x as Problem).title === 'string' && typeof (x as Problem).status === 'number';
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Builds a query string from the defined values only. */
export function qs(params: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
