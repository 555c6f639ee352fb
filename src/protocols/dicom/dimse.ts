// DIMSE messages (PS3.7): building command sets for C-ECHO, C-FIND and C-STORE requests and their
// responses, cutting a message into P-DATA-TF PDUs no larger than the peer accepts, and putting
// received fragments back together into whole messages (command plus optional data set).

import { DicomError } from './errors.ts';
import { COMMAND, NO_DATASET } from './constants.ts';
import { decodeDataSet, encodeCommand, getNumber, getString, type DataSet, type DataElement } from './dataset.ts';
import { encodePdu, type Pdv } from './pdu.ts';

export const TAG = {
  affectedSopClass: 0x00000002,
  commandField: 0x00000100,
  messageId: 0x00000110,
  respondedTo: 0x00000120,
  priority: 0x00000700,
  dataSetType: 0x00000800,
  status: 0x00000900,
  errorComment: 0x00000902,
  affectedSopInstance: 0x00001000,
} as const;

export interface DimseMessage {
  readonly contextId: number;
  readonly command: DataSet;
  /** The data set bytes, in the transfer syntax negotiated for the context. */
  readonly dataset?: Uint8Array;
}

export function commandField(m: DimseMessage): number {
  return getNumber(m.command, TAG.commandField) ?? -1;
}

export function statusOf(m: DimseMessage): number {
  return getNumber(m.command, TAG.status) ?? -1;
}

export function errorCommentOf(m: DimseMessage): string | undefined {
  return getString(m.command, TAG.errorComment);
}

function us(n: number) {
  return { vr: 'US', value: [n] } as const;
}
function ui(s: string) {
  return { vr: 'UI', value: s } as const;
}

export function echoRq(messageId: number): DataSet {
  return new Map<number, DataElement>([
    [TAG.affectedSopClass, ui('1.2.840.10008.1.1')],
    [TAG.commandField, us(COMMAND.cEchoRq)],
    [TAG.messageId, us(messageId)],
    [TAG.dataSetType, us(NO_DATASET)],
  ]);
}

export function findRq(messageId: number, sopClass: string): DataSet {
  return new Map<number, DataElement>([
    [TAG.affectedSopClass, ui(sopClass)],
    [TAG.commandField, us(COMMAND.cFindRq)],
    [TAG.messageId, us(messageId)],
    [TAG.priority, us(0)],
    [TAG.dataSetType, us(0x0000)],
  ]);
}

export function storeRq(messageId: number, sopClass: string, sopInstance: string): DataSet {
  return new Map<number, DataElement>([
    [TAG.affectedSopClass, ui(sopClass)],
    [TAG.commandField, us(COMMAND.cStoreRq)],
    [TAG.messageId, us(messageId)],
    [TAG.priority, us(0)],
    [TAG.dataSetType, us(0x0000)],
    [TAG.affectedSopInstance, ui(sopInstance)],
  ]);
}

/** The response to a request: same SOP class (and instance), the response command field, a status. */
export function responseTo(rq: DataSet, status: number, withDataset = false): DataSet {
  const field = getNumber(rq, TAG.commandField) ?? 0;
  const rsp: DataSet = new Map<number, DataElement>([
    [TAG.commandField, us(field | 0x8000)],
    [TAG.respondedTo, us(getNumber(rq, TAG.messageId) ?? 0)],
    [TAG.dataSetType, us(withDataset ? 0x0000 : NO_DATASET)],
    [TAG.status, us(status)],
  ]);
  const sop = getString(rq, TAG.affectedSopClass);
  if (sop !== undefined) rsp.set(TAG.affectedSopClass, ui(sop));
  const inst = getString(rq, TAG.affectedSopInstance);
  if (inst !== undefined) rsp.set(TAG.affectedSopInstance, ui(inst));
  return rsp;
}

/** Our own receive limit when the peer announces none (0). */
const UNLIMITED_CAP = 1024 * 1024;

/**
 * Encodes a message as P-DATA-TF PDUs, each at most `peerMaxPdu` bytes long (the variable field
 * of the PDU, as PS3.8 defines the maximum length), one PDV per PDU.
 */
export function encodeMessage(contextId: number, command: DataSet, dataset: Uint8Array | undefined, peerMaxPdu: number): Buffer[] {
  const max = peerMaxPdu === 0 ? UNLIMITED_CAP : peerMaxPdu;
  // The PDV item header (4-byte length, context id, control byte) takes 6 bytes of the PDU.
  const room = Math.max(2, max - 6);
  const out: Buffer[] = [];
  const cut = (bytes: Uint8Array, command: boolean) => {
    if (bytes.length === 0) {
      out.push(encodePdu({ type: 'p-data', pdvs: [{ contextId, command, last: true, data: bytes }] }));
      return;
    }
    for (let off = 0; off < bytes.length; off += room) {
      const data = bytes.subarray(off, Math.min(bytes.length, off + room));
      out.push(encodePdu({ type: 'p-data', pdvs: [{ contextId, command, last: off + room >= bytes.length, data }] }));
    }
  };
  cut(encodeCommand(command), true);
  if (dataset) cut(dataset, false);
  return out;
}

export interface AssemblerOptions {
  /** Largest data set accepted, bytes (a peer cannot make us buffer without bound). */
  readonly maxDatasetBytes: number;
}

/** Reassembles PDV fragments into messages; a PDV out of order is a protocol error. */
export class MessageAssembler {
  readonly #max: number;
  #commandParts: Uint8Array[] = [];
  #command: DataSet | undefined;
  #contextId = -1;
  #dataParts: Uint8Array[] = [];
  #dataBytes = 0;

  constructor(opts: AssemblerOptions) {
    this.#max = opts.maxDatasetBytes;
  }

  /** Feeds one PDV; returns the message it completes, if any. Throws DicomError on bad sequencing. */
  push(pdv: Pdv): DimseMessage | undefined {
    if (this.#contextId !== -1 && pdv.contextId !== this.#contextId) {
      throw new DicomError('DICOM_PDU_INVALID', `fragment for presentation context ${pdv.contextId} inside a message on context ${this.#contextId}`);
    }
    this.#contextId = pdv.contextId;
    if (pdv.command) {
      if (this.#command) throw new DicomError('DICOM_PDU_INVALID', 'command fragment received while a data set was expected');
      this.#commandParts.push(pdv.data);
      this.#dataBytes += pdv.data.length;
      if (this.#dataBytes > 65536) throw new DicomError('DICOM_PDU_INVALID', 'command set larger than 64 KiB');
      if (!pdv.last) return undefined;
      const command = decodeDataSet(Buffer.concat(this.#commandParts), 'implicit');
      this.#commandParts = [];
      this.#dataBytes = 0;
      if ((getNumber(command, TAG.dataSetType) ?? NO_DATASET) === NO_DATASET) return this.#finish({ contextId: pdv.contextId, command });
      this.#command = command;
      return undefined;
    }
    if (!this.#command) throw new DicomError('DICOM_PDU_INVALID', 'data set fragment received before its command');
    this.#dataBytes += pdv.data.length;
    if (this.#dataBytes > this.#max) throw new DicomError('DICOM_PDU_INVALID', `data set larger than the limit of ${this.#max} bytes`);
    this.#dataParts.push(pdv.data);
    if (!pdv.last) return undefined;
    const parts = this.#dataParts;
    return this.#finish({ contextId: pdv.contextId, command: this.#command, dataset: parts.length === 1 ? parts[0]! : Buffer.concat(parts) });
  }

  #finish(m: DimseMessage): DimseMessage {
    this.#command = undefined;
    this.#contextId = -1;
    this.#dataParts = [];
    this.#dataBytes = 0;
    return m;
  }
}
