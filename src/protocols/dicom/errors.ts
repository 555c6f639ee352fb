// DICOM error codes for the catalogue and the typed error the codec and the Association raise.
// Every failure that leaves src/protocols/dicom is a DicomError with one of these codes (or a
// Node.js system error for the socket itself), so a sensor maps it to a Reading without guessing.

import { registerErrors } from '../../core/errors.ts';

export const DICOM_ERRORS = {
  DICOM_ASSOC_REJECTED_CALLED_AE: { message: 'DICOM association rejected: the device does not recognize the called AE title', http: 502 },
  DICOM_ASSOC_REJECTED_CALLING_AE: { message: 'DICOM association rejected: the device does not recognize our calling AE title', http: 502 },
  DICOM_ASSOC_REJECTED_NO_REASON: { message: 'DICOM association rejected by the device, no reason given', http: 502 },
  DICOM_ASSOC_REJECTED_LOCAL_LIMIT: { message: 'DICOM association rejected: the device is at its limit of associations (local limit exceeded)', http: 503 },
  DICOM_ASSOC_REJECTED_CONTEXT_NAME: { message: 'DICOM association rejected: application context name not supported', http: 502 },
  DICOM_ASSOC_REJECTED: { message: 'DICOM association rejected by the device', http: 502 },
  DICOM_ABORTED: { message: 'The DICOM association was aborted (A-ABORT)', http: 502 },
  DICOM_CONTEXT_REJECTED: { message: 'The device refused the DICOM service (presentation context rejected)', http: 502 },
  DICOM_DIMSE_FAILURE: { message: 'The device answered the DICOM request with a failure status', http: 502 },
  DICOM_PDU_INVALID: { message: 'The peer sent data that is not valid DICOM (malformed PDU)', http: 502 },
  DICOM_DATA_INVALID: { message: 'The device sent a DICOM data set that could not be decoded', http: 502 },
  DICOM_TIMEOUT_ASSOCIATE: { message: 'The device did not answer the DICOM association request in time', http: 504 },
  DICOM_TIMEOUT_DIMSE: { message: 'The device did not answer the DICOM request in time', http: 504 },
  DICOM_TIMEOUT_RELEASE: { message: 'The device did not release the DICOM association in time', http: 504 },
} as const;

export type DicomErrorCode = keyof typeof DICOM_ERRORS;

/** Generic catalogue codes the transport also raises (connection level, not DICOM specific). */
export type TransportErrorCode = 'CONNECT_TIMEOUT' | 'CLOSED_EARLY' | 'TIMEOUT' | 'ABORTED';

registerErrors(DICOM_ERRORS);

/** A DICOM failure with its catalogue code and a precise, decoded explanation. */
export class DicomError extends Error {
  readonly code: DicomErrorCode | TransportErrorCode;
  constructor(code: DicomErrorCode | TransportErrorCode, message: string) {
    super(message);
    this.name = 'DicomError';
    this.code = code;
  }
}

export function isDicomError(e: unknown): e is DicomError {
  return e instanceof DicomError;
}
