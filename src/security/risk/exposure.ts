// The exposure factor of the risk score, read from the exposure sensor kinds' states (another part
// runs those checks; app.ts gives us their latest states per device through ExposureReader).

import type { SensorStatus, State } from '../../core/model.ts';
import type { Tree } from '../../core/tree.ts';
import type { ExposureInput } from './risk.ts';

export const EXPOSURE_KINDS: ReadonlySet<string> = new Set(['dicom-exposure', 'hl7-exposure', 'tls-audit', 'insecure-services']);

export interface ExposureObservation {
  readonly sensorId: string;
  readonly kind: string;
  readonly state: State;
  readonly error?: string | undefined;
  readonly message?: string | undefined;
}

/** The latest states of the sensors on a device (app.ts reads them from the engine). */
export interface ExposureReader {
  observations(deviceId: string): readonly ExposureObservation[];
}

/** Error codes that mean "could not reach the service", not "found a weakness". */
const UNREACHABLE: ReadonlySet<string> = new Set(['ECONNREFUSED', 'TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'DNS_NOT_FOUND', 'DNS_FAILED', 'BAD_SETTINGS']);

/** Codes of the exposure catalogue (../exposure/catalogue.ts) that mean plaintext or weak transport. */
const PLAINTEXT = /^EXPOSURE_(DICOM_NO_TLS|DICOM_TLS_WEAK|HL7_PLAINTEXT|HL7_TLS_FAILED|TLS_|TELNET|FTP|HTTP_ADMIN|SNMP_DEFAULT_COMMUNITY)/;

/**
 * undefined when no exposure sensor watches the device (the factor is then left out, not guessed).
 * Reachable: an exposure check ran (not paused/unknown) and got an answer. Plaintext: such a check
 * is in Warning or Down with a plaintext / weak-transport code of the exposure catalogue.
 */
export function exposureFrom(obs: readonly ExposureObservation[]): ExposureInput | undefined {
  const relevant = obs.filter((o) => EXPOSURE_KINDS.has(o.kind) && o.state !== 'paused' && o.state !== 'unknown');
  if (relevant.length === 0) return undefined;
  const answered = relevant.filter((o) => o.error === undefined || !UNREACHABLE.has(o.error));
  const plain = answered.filter((o) => (o.state === 'warning' || o.state === 'down') && o.error !== undefined && PLAINTEXT.test(o.error));
  const weak = answered.filter((o) => o.state === 'warning' || o.state === 'down');
  return {
    reachable: answered.length > 0,
    plaintext: plain.length > 0,
    evidence: (weak.length > 0 ? weak : answered).map((o) => `${o.kind} ${o.sensorId}: ${o.message ?? o.error ?? o.state}`),
  };
}

/**
 * The reader app.ts passes in: the device's sensors (its children in the tree) with their kind and
 * the engine's current status.
 */
export function exposureReader(tree: () => Tree, status: (sensorId: string) => SensorStatus | undefined): ExposureReader {
  return {
    observations(deviceId) {
      const t = tree();
      const out: ExposureObservation[] = [];
      for (const id of t.nodes.get(deviceId)?.children ?? []) {
        const n = t.nodes.get(id);
        if (n?.type !== 'sensor' || !EXPOSURE_KINDS.has(n.kind)) continue;
        const s = status(id);
        if (s !== undefined) out.push({ sensorId: id, kind: n.kind, state: s.state, error: s.error, message: s.message });
      }
      return out;
    },
  };
}
