// The risk score of a finding (0–10), explainable: each factor is listed with what it added.
// The rules are documented in docs/security-risk.md; keep both in step.

import type { ClinicalSystem } from '../../core/model.ts';
import { severityOf } from './cvss3.ts';

export interface CvssInput {
  readonly version: string;
  readonly baseScore: number;
  readonly vector?: string | undefined;
  readonly source?: string | undefined;
  /**
   * Set when the score is a v4.0 score computed here over the whole vector ("CVSS-B", "CVSS-BT",
   * "CVSS-BE", "CVSS-BTE"); a source's own baseScore is CVSS-B whatever its vector holds.
   */
  readonly nomenclature?: string | undefined;
}

/** What the exposure sensors say about the device (see exposure.ts). */
export interface ExposureInput {
  /** Some exposure check reached one of the device's services. */
  readonly reachable: boolean;
  /** Some exposure check saw plaintext / insecure transport (telnet, FTP, plain MLLP, weak TLS...). */
  readonly plaintext: boolean;
  /** Which sensors said so, for the explanation. */
  readonly evidence: readonly string[];
}

export interface RiskInput {
  readonly cvss?: CvssInput | undefined;
  readonly kev?: { readonly ransomware: boolean; readonly dateAdded: string } | undefined;
  readonly exposure?: ExposureInput | undefined;
  readonly clinicalSystem?: ClinicalSystem | undefined;
  /** The match could not be decided (version not comparable, vendor not stated). */
  readonly possible: boolean;
}

export interface RiskFactor {
  readonly factor: 'cvss' | 'kev' | 'ransomware' | 'exposure' | 'plaintext' | 'clinical' | 'uncertain' | 'cap';
  readonly detail: string;
  readonly contribution: number;
}

export interface RiskScore {
  readonly score: number;
  readonly severity: 'none' | 'low' | 'medium' | 'high' | 'critical';
  readonly factors: readonly RiskFactor[];
}

/** When no CVSS score is known: assume medium rather than zero, and say so. */
export const UNKNOWN_CVSS = 5;

export const CLINICAL_WEIGHT: Readonly<Record<ClinicalSystem, number>> = {
  modality: 1.5, PACS: 1.5, RIS: 1, LIMS: 1, HIS: 1, 'interface-engine': 1, network: 0.5, other: 0,
};

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** A v4.0 score computed over the whole vector: when threat or environmental metrics are in it, say so. */
function cvssKind(c: CvssInput, score: number): string {
  const n = c.nomenclature;
  return n !== undefined && n !== 'CVSS-B' ? `score ${score} (${n}: threat/environmental metrics included)` : `base score ${score}`;
}

export function riskScore(i: RiskInput): RiskScore {
  const factors: RiskFactor[] = [];
  if (i.cvss !== undefined) factors.push({ factor: 'cvss', detail: `CVSS v${i.cvss.version} ${cvssKind(i.cvss, i.cvss.baseScore)}${i.cvss.source ? ` (${i.cvss.source})` : ''}`, contribution: i.cvss.baseScore });
  else factors.push({ factor: 'cvss', detail: `no CVSS score known: ${UNKNOWN_CVSS} assumed`, contribution: UNKNOWN_CVSS });
  if (i.kev !== undefined) {
    factors.push({ factor: 'kev', detail: `in CISA KEV since ${i.kev.dateAdded}: exploited in the wild`, contribution: 2 });
    if (i.kev.ransomware) factors.push({ factor: 'ransomware', detail: 'known use in ransomware campaigns', contribution: 1 });
  }
  if (i.exposure !== undefined) {
    if (i.exposure.reachable) factors.push({ factor: 'exposure', detail: `reachable on the network (${i.exposure.evidence.join('; ') || 'exposure sensors'})`, contribution: 1 });
    else factors.push({ factor: 'exposure', detail: 'no exposed service seen by the exposure sensors', contribution: -1 });
    if (i.exposure.plaintext) factors.push({ factor: 'plaintext', detail: 'plaintext or weak transport seen', contribution: 0.5 });
  }
  if (i.clinicalSystem !== undefined && CLINICAL_WEIGHT[i.clinicalSystem] !== 0) {
    factors.push({ factor: 'clinical', detail: `clinical system ${i.clinicalSystem}`, contribution: CLINICAL_WEIGHT[i.clinicalSystem] });
  }
  if (i.possible) factors.push({ factor: 'uncertain', detail: 'the match is possible, not certain', contribution: -1 });
  const raw = factors.reduce((s, f) => s + f.contribution, 0);
  const score = round1(Math.min(10, Math.max(0, raw)));
  if (raw > 10) factors.push({ factor: 'cap', detail: 'the score is capped at 10', contribution: round1(10 - raw) });
  if (raw < 0) factors.push({ factor: 'cap', detail: 'the score does not go below 0', contribution: round1(-raw) });
  return { score, severity: severityOf(score), factors };
}
