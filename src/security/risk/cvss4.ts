// CVSS v4.0 score from a vector string (FIRST CVSS v4.0 specification, sections 7 and 8), for feeds
// that give only the vector (OSV always, CSAF sometimes). The score is over the whole vector: CVSS-B,
// or CVSS-BT / -BE / -BTE when threat or environmental metrics are present, as the spec defines it.
//
// The MacroVector lookup and severity-distance interpolation are ae-cvss-calculator's: it matches
// FIRST's reference calculator (with its round-half-up fix of 2024-11) on all 104,976 base vectors
// and 200,000 random BTE vectors (checked when it was chosen). It accepts partial, misprefixed and
// repeated metrics, so the vector is checked here first, by the spec's rules.

import aeCvss from 'ae-cvss-calculator';

// Taken at load time: a package that failed to load must stop the start, not score nothing quietly.
const { Cvss4P0 } = aeCvss;

/** Every metric in the order section 7 requires, with its allowed values; the first 11 (Base) are mandatory. */
const METRICS: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['AV', ['N', 'A', 'L', 'P']], ['AC', ['L', 'H']], ['AT', ['N', 'P']], ['PR', ['N', 'L', 'H']], ['UI', ['N', 'P', 'A']],
  ['VC', ['H', 'L', 'N']], ['VI', ['H', 'L', 'N']], ['VA', ['H', 'L', 'N']], ['SC', ['H', 'L', 'N']], ['SI', ['H', 'L', 'N']], ['SA', ['H', 'L', 'N']],
  ['E', ['X', 'A', 'P', 'U']],
  ['CR', ['X', 'H', 'M', 'L']], ['IR', ['X', 'H', 'M', 'L']], ['AR', ['X', 'H', 'M', 'L']],
  ['MAV', ['X', 'N', 'A', 'L', 'P']], ['MAC', ['X', 'L', 'H']], ['MAT', ['X', 'N', 'P']], ['MPR', ['X', 'N', 'L', 'H']], ['MUI', ['X', 'N', 'P', 'A']],
  ['MVC', ['X', 'H', 'L', 'N']], ['MVI', ['X', 'H', 'L', 'N']], ['MVA', ['X', 'H', 'L', 'N']],
  ['MSC', ['X', 'H', 'L', 'N']], ['MSI', ['X', 'S', 'H', 'L', 'N']], ['MSA', ['X', 'S', 'H', 'L', 'N']],
  ['S', ['X', 'N', 'P']], ['AU', ['X', 'N', 'Y']], ['R', ['X', 'A', 'U', 'I']], ['V', ['X', 'D', 'C']], ['RE', ['X', 'L', 'M', 'H']],
  ['U', ['X', 'Clear', 'Green', 'Amber', 'Red']],
];
const BASE_COUNT = 11;
const THREAT = new Set(['E']);
const ENVIRONMENTAL = new Set(['CR', 'IR', 'AR', 'MAV', 'MAC', 'MAT', 'MPR', 'MUI', 'MVC', 'MVI', 'MVA', 'MSC', 'MSI', 'MSA']);

/**
 * The metrics of a well-formed v4.0 vector, or undefined: the prefix must be CVSS:4.0, every Base
 * metric present, each metric at most once, with a value the spec defines, in the spec's order
 * (the reference calculator rejects any other order too).
 */
function parseVector(vector: string): Map<string, string> | undefined {
  const parts = vector.split('/');
  if (parts[0] !== 'CVSS:4.0') return undefined;
  const out = new Map<string, string>();
  let at = 0;
  for (const p of parts.slice(1)) {
    const colon = p.indexOf(':');
    if (colon < 0) return undefined;
    const key = p.slice(0, colon);
    const value = p.slice(colon + 1);
    while (at < METRICS.length && METRICS[at]![0] !== key) {
      if (at < BASE_COUNT) return undefined; // a Base metric is missing or out of order
      at++;
    }
    const m = METRICS[at];
    if (m === undefined || !m[1].includes(value)) return undefined; // unknown, repeated or misplaced metric, or unknown value
    out.set(key, value);
    at++;
  }
  return at >= BASE_COUNT ? out : undefined; // past the Base metrics: all eleven were there
}

// The library takes about 1 ms per Base vector and up to 8 ms with environmental metrics, and the
// VulnDb re-reads every stored record on each rebuild; feeds repeat a few hundred distinct vectors,
// so the scores are kept by vector (bounded: cleared when full).
const CACHE_LIMIT = 10_000;
const cache = new Map<string, number | undefined>();

/** The CVSS v4.0 score of a vector (0–10, one decimal), or undefined when it is not a valid v4.0 vector. Never throws. */
export function cvss4BaseScore(vector: string): number | undefined {
  if (cache.has(vector)) return cache.get(vector);
  let score: number | undefined;
  if (parseVector(vector) !== undefined) {
    try {
      const s = new Cvss4P0(vector).calculateScores().overall;
      score = Number.isFinite(s) && s >= 0 && s <= 10 ? s : undefined;
    } catch {
      score = undefined; // the vector passed our checks: a throw would be the library's fault; no score rather than a crash
    }
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(vector, score);
  return score;
}

/** Which metric groups the score covers: "CVSS-B", "CVSS-BT", "CVSS-BE" or "CVSS-BTE"; undefined for an invalid vector. */
export function cvss4Nomenclature(vector: string): string | undefined {
  const m = parseVector(vector);
  if (m === undefined) return undefined;
  const defined = [...m].filter(([, v]) => v !== 'X').map(([k]) => k);
  return `CVSS-B${defined.some((k) => THREAT.has(k)) ? 'T' : ''}${defined.some((k) => ENVIRONMENTAL.has(k)) ? 'E' : ''}`;
}
