// The DICOM codes live with the protocol (src/protocols/dicom/errors.ts); importing that module
// registers them in the catalogue. Re-exported here so the kinds name one place.

export { DICOM_ERRORS, DicomError, type DicomErrorCode } from '../../protocols/dicom/errors.ts';
