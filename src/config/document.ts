// The config document as the schema returns it (durations already in seconds), the id rules (slug of
// the name, joined with "/"), and small helpers shared by the loader and the YAML exporter.

import type { ClinicalSystem, Limits } from '../core/model.ts';
import type { Weekday } from '../core/tree.ts';

export interface DocInheritable {
  readonly interval?: number;
  readonly timeout?: number;
  readonly retries?: number;
  readonly credentials?: string;
  readonly tags?: readonly string[];
  readonly dependsOn?: string;
  readonly maintenance?: readonly string[];
  readonly paused?: boolean;
}

export interface DocNode extends DocInheritable {
  readonly name: string;
  readonly id?: string;
  readonly description?: string;
}

export interface DocChannelOverride {
  readonly name?: string;
  readonly limits?: Limits;
}

/** A sensor entry: the common fields, `kind`, and the kind's own settings inline. */
export type DocSensor = DocNode & {
  readonly kind: string;
  readonly channels?: Readonly<Record<string, DocChannelOverride>>;
} & Readonly<Record<string, unknown>>;

export interface DocDevice extends DocNode {
  readonly host: string;
  readonly sensors?: readonly DocSensor[];
}

export interface DocGroup extends DocNode {
  readonly system: ClinicalSystem;
  readonly groups?: readonly DocGroup[];
  readonly devices?: readonly DocDevice[];
}

export interface DocProbe extends DocNode {
  readonly groups?: readonly DocGroup[];
}

export interface DocSite extends DocNode {
  readonly timezone: string;
  readonly probes?: readonly DocProbe[];
}

export interface DocMaintenance {
  readonly name: string;
  readonly description?: string;
  readonly timezone?: string;
  readonly once?: { readonly start: string; readonly end: string };
  readonly weekly?: { readonly days: readonly Weekday[]; readonly start: string; readonly duration: number | string };
  readonly cron?: string;
  readonly duration?: number | string;
}

export interface DocCredential {
  readonly name: string;
  readonly type: string;
  readonly description?: string;
}

/** The parsed document (the schema's output). */
export interface ConfigDocument {
  readonly defaults?: DocInheritable;
  readonly credentials?: readonly DocCredential[];
  readonly maintenance?: readonly DocMaintenance[];
  readonly sites: readonly DocSite[];
}

/** "St. Elsewhere General" → "st-elsewhere-general"; accents folded, anything else becomes "-". */
export function slug(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export { formatDuration } from '../sensors/docs.ts';
