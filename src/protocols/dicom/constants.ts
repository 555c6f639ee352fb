// DICOM constants we speak: UIDs, PDU types, and the decoded wording of rejection, abort,
// presentation-context and DIMSE status codes (PS3.8 §9.3, PS3.7 Annex C), as operators read them.

import type { DicomErrorCode } from './errors.ts';

export const UID = {
  applicationContext: '1.2.840.10008.3.1.1.1',
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  verification: '1.2.840.10008.1.1',
  patientRootFind: '1.2.840.10008.5.1.4.1.2.1.1',
  studyRootFind: '1.2.840.10008.5.1.4.1.2.2.1',
  worklistFind: '1.2.840.10008.5.1.4.31',
  secondaryCapture: '1.2.840.10008.5.1.4.1.1.7',
  /** Our implementation class UID (a UUID-derived 2.25 root, no registration needed). */
  implementationClass: '2.25.231174398917302750211549371302641578953',
} as const;

export const IMPLEMENTATION_VERSION = 'WARDWATCH_01';

/** Prefix of every storage SOP class (PS3.4 Annex B). */
export const STORAGE_SOP_PREFIX = '1.2.840.10008.5.1.4.1.1.';

export const PDU_TYPE = {
  associateRq: 0x01,
  associateAc: 0x02,
  associateRj: 0x03,
  pData: 0x04,
  releaseRq: 0x05,
  releaseRp: 0x06,
  abort: 0x07,
} as const;

export const COMMAND = {
  cStoreRq: 0x0001,
  cStoreRsp: 0x8001,
  cFindRq: 0x0020,
  cFindRsp: 0x8020,
  cEchoRq: 0x0030,
  cEchoRsp: 0x8030,
  cCancelRq: 0x0fff,
} as const;

/** CommandDataSetType value meaning "no data set follows". */
export const NO_DATASET = 0x0101;

export const STATUS = { success: 0x0000, pending: 0xff00, pendingWarning: 0xff01, cancel: 0xfe00 } as const;

export function isPending(status: number): boolean {
  return status === STATUS.pending || status === STATUS.pendingWarning;
}

/** Warning statuses (0001, Bxxx) still mean the device did the work. */
export function isSuccessOrWarning(status: number): boolean {
  return status === 0 || status === 0x0001 || (status & 0xf000) === 0xb000;
}

export function describeStatus(status: number): string {
  const hex = `0x${status.toString(16).padStart(4, '0').toUpperCase()}`;
  const known: Record<number, string> = {
    0x0000: 'success',
    0x0001: 'warning',
    0x0105: 'no such attribute',
    0x0106: 'invalid attribute value',
    0x0110: 'processing failure',
    0x0112: 'no such SOP instance',
    0x0117: 'invalid object instance',
    0x0118: 'no such SOP class',
    0x0122: 'SOP class not supported',
    0x0124: 'refused: not authorized',
    0x0210: 'duplicate invocation',
    0x0211: 'unrecognized operation',
    0x0212: 'mistyped argument',
    0x0213: 'resource limitation',
    0xa700: 'refused: out of resources',
    0xa701: 'refused: out of resources (unable to calculate number of matches)',
    0xa702: 'refused: out of resources (unable to perform sub-operations)',
    0xa801: 'refused: move destination unknown',
    0xa900: 'identifier does not match SOP class',
    0xb000: 'coercion of data elements',
    0xb006: 'elements discarded',
    0xb007: 'data set does not match SOP class',
    0xfe00: 'cancelled',
    0xff00: 'pending',
    0xff01: 'pending (optional keys not supported)',
  };
  const text = known[status] ?? ((status & 0xf000) === 0xc000 ? 'unable to process' : (status & 0xf000) === 0xa000 ? 'refused' : 'unknown status');
  return `${hex} (${text})`;
}

/** A-ASSOCIATE-RJ: result, source and reason decoded to a catalogue code and a sentence. */
export function describeReject(result: number, source: number, reason: number): { code: DicomErrorCode; text: string } {
  const permanence = result === 1 ? 'permanent' : result === 2 ? 'transient' : `result ${result}`;
  let code: DicomErrorCode = 'DICOM_ASSOC_REJECTED';
  let who: string;
  let why: string;
  if (source === 1) {
    who = 'the called application (service user)';
    const reasons: Record<number, [DicomErrorCode, string]> = {
      1: ['DICOM_ASSOC_REJECTED_NO_REASON', 'no reason given'],
      2: ['DICOM_ASSOC_REJECTED_CONTEXT_NAME', 'application context name not supported'],
      3: ['DICOM_ASSOC_REJECTED_CALLING_AE', 'calling AE title not recognized'],
      7: ['DICOM_ASSOC_REJECTED_CALLED_AE', 'called AE title not recognized'],
    };
    const r = reasons[reason];
    if (r) [code, why] = r;
    else why = `reason ${reason} (reserved)`;
  } else if (source === 2) {
    who = 'the DICOM service provider (ACSE)';
    if (reason === 1) [code, why] = ['DICOM_ASSOC_REJECTED_NO_REASON', 'no reason given'];
    else why = reason === 2 ? 'protocol version not supported' : `reason ${reason} (reserved)`;
  } else if (source === 3) {
    who = 'the DICOM service provider (presentation)';
    if (reason === 2) [code, why] = ['DICOM_ASSOC_REJECTED_LOCAL_LIMIT', 'local limit exceeded'];
    else why = reason === 1 ? 'temporary congestion' : `reason ${reason} (reserved)`;
  } else {
    who = `source ${source}`;
    why = `reason ${reason}`;
  }
  return { code, text: `association rejected (${permanence}) by ${who}: ${why}` };
}

/** A-ABORT: source and reason in words. */
export function describeAbort(source: number, reason: number): string {
  if (source === 0) return 'association aborted by the peer application (service user)';
  const reasons: Record<number, string> = {
    0: 'reason not specified',
    1: 'unrecognized PDU',
    2: 'unexpected PDU',
    4: 'unrecognized PDU parameter',
    5: 'unexpected PDU parameter',
    6: 'invalid PDU parameter value',
  };
  const who = source === 2 ? 'the DICOM service provider' : `source ${source}`;
  return `association aborted by ${who}: ${reasons[reason] ?? `reason ${reason}`}`;
}

/** Presentation context result (A-ASSOCIATE-AC) in words. */
export function describeContextResult(result: number): string {
  const r: Record<number, string> = {
    0: 'accepted',
    1: 'rejected by the user',
    2: 'rejected by the provider, no reason given',
    3: 'abstract syntax not supported',
    4: 'transfer syntaxes not supported',
  };
  return r[result] ?? `result ${result}`;
}

export function describeSopClass(uid: string): string {
  const names: Record<string, string> = {
    [UID.verification]: 'Verification',
    [UID.patientRootFind]: 'Patient Root Query/Retrieve - FIND',
    [UID.studyRootFind]: 'Study Root Query/Retrieve - FIND',
    [UID.worklistFind]: 'Modality Worklist - FIND',
    [UID.secondaryCapture]: 'Secondary Capture Image Storage',
  };
  return names[uid] ?? uid;
}
