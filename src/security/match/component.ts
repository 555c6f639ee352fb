// The inventory side of matching: a component as the matcher sees it, and its CPE (given, or
// derived from vendor/product when the inventory has no CPE).

import { makeCpe, parseCpe } from '../cpe/cpe.ts';
import type { Cpe, CpeValue } from '../cpe/cpe.ts';

export interface MatchComponent {
  readonly id: string;
  readonly cpe?: string | undefined;
  readonly purl?: string | undefined;
  readonly vendor?: string | undefined;
  readonly product?: string | undefined;
  readonly version: string;
}

export interface ComponentCpe {
  readonly cpe: Cpe;
  /**
   * True when built from vendor/product: then ANY in the component means "not stated", and a
   * criteria that names a value there makes the finding possible rather than dropping it.
   */
  readonly derived: boolean;
}

/** How NVD spells vendor and product names: lowercase, spaces as underscores. */
export function cpeName(s: string): string {
  return s.trim().toLowerCase().replace(/\s+/g, '_');
}

function value(text: string | undefined): CpeValue {
  return text === undefined || text === '' ? { kind: 'any' } : { kind: 'value', text: cpeName(text), wildcard: undefined };
}

/** The component's CPE, or an error string if its `cpe` does not parse, or undefined if it has neither a CPE nor a product. */
export function componentCpe(c: MatchComponent): ComponentCpe | string | undefined {
  if (c.cpe !== undefined && c.cpe !== '') {
    const r = parseCpe(c.cpe);
    return r.ok ? { cpe: r.cpe, derived: false } : `component ${c.id}: ${r.error}`;
  }
  if (c.product === undefined || c.product === '') return undefined;
  const any: CpeValue = { kind: 'any' };
  const values = [any, value(c.vendor), value(c.product), value(c.version)];
  return { cpe: makeCpe(values, `(vendor ${c.vendor ?? '?'}, product ${c.product})`), derived: true };
}
