// One entry point for SBOM files: decodes the JSON and hands it to the CycloneDX or SPDX reader
// by what the document says it is.

import { parseJsonText } from '../feeds/result.ts';
import type { FeedResult } from '../feeds/result.ts';
import { parseCycloneDx } from './cyclonedx.ts';
import { parseSpdx } from './spdx.ts';
import type { ParsedSbom } from './types.ts';

export type { ParsedSbom } from './types.ts';

export function parseSbom(json: unknown): FeedResult<ParsedSbom> {
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const o = json as Record<string, unknown>;
    if ('bomFormat' in o) return parseCycloneDx(json);
    if ('spdxVersion' in o) return parseSpdx(json);
  }
  return { ok: false, error: '(top level): not an SBOM: expected a CycloneDX JSON document (bomFormat) or an SPDX 2.3 JSON document (spdxVersion)' };
}

export function parseSbomText(text: string, what = 'the SBOM'): FeedResult<ParsedSbom> {
  const j = parseJsonText(text, what);
  return j.ok ? parseSbom(j.value) : j;
}
