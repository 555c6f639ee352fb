// A small logic-less template language (a Mustache subset) for channel messages: {{var}} is escaped
// for the medium, {{{var}}} is inserted raw, {{#x}}…{{/x}} repeats for a list or shows when x is
// set, {{^x}}…{{/x}} shows when x is empty. Templates are parsed once and checked against the known
// variables, so a typo in a channel's template is a config error, not an empty line in a page at 3 am.

export type Escape = (text: string) => string;

type Node =
  | { readonly t: 'text'; readonly text: string }
  | { readonly t: 'var'; readonly name: string; readonly raw: boolean }
  | { readonly t: 'section'; readonly name: string; readonly inverted: boolean; readonly body: readonly Node[] };

export interface Template {
  readonly source: string;
  readonly nodes: readonly Node[];
}

export class TemplateError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'TemplateError';
  }
}

function lineCol(source: string, offset: number): string {
  const before = source.slice(0, offset).split('\n');
  return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

const TAG = /\{\{(\{)?\s*([#^/]?)\s*([A-Za-z][A-Za-z0-9_.]*)\s*(\})?\}\}/g;

/**
 * Parses a template. `scope(name, sections)` says whether a variable exists where it is used
 * (sections are the enclosing section names, innermost last); unknown names are errors.
 */
export function parseTemplate(source: string, known: (name: string, sections: readonly string[]) => boolean): Template {
  const root: Node[] = [];
  const stack: { name: string; inverted: boolean; body: Node[]; at: number }[] = [];
  const out = () => stack.at(-1)?.body ?? root;
  // A "{{" that is not a well-formed tag (e.g. "{{ 1 }}", "{{name") is most likely a mistake: say so.
  const pushText = (from: number, to: number) => {
    const text = source.slice(from, to);
    const bad = text.indexOf('{{');
    if (bad >= 0) throw new TemplateError(`malformed tag at ${lineCol(source, from + bad)}`, from + bad);
    if (text) out().push({ t: 'text', text });
  };
  let last = 0;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(source); m; m = TAG.exec(source)) {
    const [whole, open3, sigil, name = '', close3] = m;
    pushText(last, m.index);
    last = m.index + whole.length;
    if ((open3 === undefined) !== (close3 === undefined)) throw new TemplateError(`unbalanced braces in {{${open3 ?? ''}${name}${close3 ?? ''}}} at ${lineCol(source, m.index)}`, m.index);
    const sections = stack.map((s) => s.name);
    if (sigil === '/') {
      const top = stack.pop();
      if (!top) throw new TemplateError(`{{/${name}}} closes a section that was never opened at ${lineCol(source, m.index)}`, m.index);
      if (top.name !== name) throw new TemplateError(`{{/${name}}} at ${lineCol(source, m.index)} closes {{#${top.name}}} opened at ${lineCol(source, top.at)}`, m.index);
      (stack.at(-1)?.body ?? root).push({ t: 'section', name: top.name, inverted: top.inverted, body: top.body });
      continue;
    }
    if (!known(name, sections)) throw new TemplateError(`unknown variable "${name}" at ${lineCol(source, m.index)}`, m.index);
    if (sigil === '#' || sigil === '^') {
      if (open3 !== undefined) throw new TemplateError(`a section cannot use triple braces at ${lineCol(source, m.index)}`, m.index);
      stack.push({ name, inverted: sigil === '^', body: [], at: m.index });
    } else {
      out().push({ t: 'var', name, raw: open3 !== undefined });
    }
  }
  const open = stack.at(-1);
  if (open) throw new TemplateError(`{{#${open.name}}} opened at ${lineCol(source, open.at)} is never closed`, open.at);
  pushText(last, source.length);
  return { source, nodes: root };
}

export type Scope = Readonly<Record<string, unknown>>;

function lookup(scopes: readonly Scope[], name: string): unknown {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const s = scopes[i]!;
    if (Object.hasOwn(s, name)) return s[name];
  }
  return undefined;
}

function present(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function renderNodes(nodes: readonly Node[], scopes: readonly Scope[], escape: Escape, out: string[]): void {
  for (const n of nodes) {
    if (n.t === 'text') out.push(n.text);
    else if (n.t === 'var') {
      const v = str(lookup(scopes, n.name));
      out.push(n.raw ? v : escape(v));
    } else {
      const v = lookup(scopes, n.name);
      if (n.inverted) {
        if (!present(v)) renderNodes(n.body, scopes, escape, out);
      } else if (Array.isArray(v)) {
        for (const item of v) renderNodes(n.body, typeof item === 'object' && item !== null ? [...scopes, item as Scope] : scopes, escape, out);
      } else if (present(v)) renderNodes(n.body, scopes, escape, out);
    }
  }
}

export function renderTemplate(t: Template, scope: Scope, escape: Escape): string {
  const out: string[] = [];
  renderNodes(t.nodes, [scope], escape, out);
  return out.join('');
}
