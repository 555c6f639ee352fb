// Package URL (purl) parsing per the purl specification, with the type-specific name
// normalisation that makes two spellings of one package compare equal, and purl matching.

export interface Purl {
  readonly type: string;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly version: string | undefined;
  readonly qualifiers: Readonly<Record<string, string>>;
  readonly subpath: string | undefined;
}

export type PurlParseResult = { readonly ok: true; readonly purl: Purl } | { readonly ok: false; readonly error: string };

function decode(s: string, what: string): string | { error: string } {
  try {
    return decodeURIComponent(s);
  } catch {
    return { error: `${what} has a bad percent-encoding: "${s}"` };
  }
}

/** Types whose namespace and name are case-insensitive (the spec says: lowercase them). */
const LOWERCASE_TYPES: ReadonlySet<string> = new Set(['npm', 'pypi', 'github', 'bitbucket', 'composer', 'deb', 'apk', 'hex', 'golang']);

function normaliseName(type: string, ns: string | undefined, name: string): { ns: string | undefined; name: string } {
  let n = name;
  let s = ns;
  if (LOWERCASE_TYPES.has(type)) {
    n = n.toLowerCase();
    s = s?.toLowerCase();
  }
  // PEP 503: runs of "-", "_" and "." are the same character.
  if (type === 'pypi') n = n.replace(/[-_.]+/g, '-');
  return { ns: s, name: n };
}

/** Parses `pkg:type/namespace/name@version?qualifiers#subpath`. */
export function parsePurl(input: string): PurlParseResult {
  const fail = (error: string): PurlParseResult => ({ ok: false, error });
  let rest = input.trim();
  if (!/^pkg:/i.test(rest)) return fail(`a purl starts with "pkg:": "${input}"`);
  rest = rest.slice(4).replace(/^\/+/, '');
  let subpath: string | undefined;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    const segs: string[] = [];
    for (const seg of rest.slice(hash + 1).split('/')) {
      if (seg === '' || seg === '.' || seg === '..') continue;
      const d = decode(seg, 'subpath');
      if (typeof d !== 'string') return fail(d.error);
      segs.push(d);
    }
    subpath = segs.length > 0 ? segs.join('/') : undefined;
    rest = rest.slice(0, hash);
  }
  const qualifiers: Record<string, string> = {};
  const q = rest.indexOf('?');
  if (q >= 0) {
    for (const pair of rest.slice(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      if (eq <= 0) return fail(`qualifier "${pair}" is not key=value: "${input}"`);
      const key = pair.slice(0, eq).toLowerCase();
      const value = decode(pair.slice(eq + 1), `qualifier ${key}`);
      if (typeof value !== 'string') return fail(value.error);
      if (value !== '') qualifiers[key] = value;
    }
    rest = rest.slice(0, q);
  }
  let version: string | undefined;
  const at = rest.lastIndexOf('@');
  // An "@" in the first segment after the type is an npm scope in its encoded-less form; only
  // an "@" after the last "/" separates the version.
  if (at > rest.lastIndexOf('/')) {
    const v = decode(rest.slice(at + 1), 'version');
    if (typeof v !== 'string') return fail(v.error);
    version = v === '' ? undefined : v;
    rest = rest.slice(0, at);
  }
  const parts = rest.split('/').filter((p) => p !== '');
  const type = parts.shift()?.toLowerCase();
  if (type === undefined || !/^[a-z.+-][a-z0-9.+-]*$/.test(type)) return fail(`a purl needs a type made of letters, digits, ".", "+" or "-": "${input}"`);
  const rawName = parts.pop();
  if (rawName === undefined) return fail(`a purl needs a name: "${input}"`);
  const name = decode(rawName, 'name');
  if (typeof name !== 'string') return fail(name.error);
  const nsParts: string[] = [];
  for (const p of parts) {
    const d = decode(p, 'namespace');
    if (typeof d !== 'string') return fail(d.error);
    nsParts.push(d);
  }
  const n = normaliseName(type, nsParts.length > 0 ? nsParts.join('/') : undefined, name);
  if (n.name === '') return fail(`a purl needs a name: "${input}"`);
  return { ok: true, purl: { type, namespace: n.ns, name: n.name, version, qualifiers, subpath } };
}

/**
 * Whether a component's purl names the package of a vulnerability's purl: same type, namespace
 * and name (after normalisation); every qualifier the vulnerability states must be equal on the
 * component. Versions are not looked at: ranges are the caller's business.
 */
export function purlMatches(component: Purl, vuln: Purl): boolean {
  if (component.type !== vuln.type || component.name !== vuln.name || (component.namespace ?? '') !== (vuln.namespace ?? '')) return false;
  for (const [k, v] of Object.entries(vuln.qualifiers)) {
    if (component.qualifiers[k] !== v) return false;
  }
  return true;
}
