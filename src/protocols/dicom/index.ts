// Public surface of the DICOM upper layer and DIMSE implementation: the Association (SCU), the
// acceptor (SCP side), the codecs and the typed errors. Check logic lives in src/sensors/dicom-*.

export { Association, type AssociationOptions, type ContextProposal, type OperationOptions, type FindResult, type DimseResult, type AcceptedContext } from './association.ts';
export { startAcceptor, negotiateContexts, type AcceptorOptions, type AcceptorHandler, type AssociateAnswer, type RequestContext, type DicomAcceptor } from './acceptor.ts';
export { DicomError, DICOM_ERRORS, isDicomError, type DicomErrorCode } from './errors.ts';
export { UID, COMMAND, STATUS, describeStatus, describeReject, describeAbort, describeContextResult } from './constants.ts';
export { encodePdu, decodePdu, validAeTitle, type Pdu } from './pdu.ts';
export { PduFramer } from './framer.ts';
export { encodeDataSet, decodeDataSet, type DataSet, type DataElement, type TransferSyntax } from './dataset.ts';
export { fromKeywords } from './keywords.ts';
export { lookupKeyword, keywordOf } from './dictionary.ts';
