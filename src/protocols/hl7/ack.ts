// Builds the acknowledgement for a received HL7 v2 message (original and enhanced mode codes):
// MSH with sender and receiver swapped, MSA-1 the code, MSA-2 the received MSH-10, and for a
// negative code an ERR segment with the reason (v2.5 layout: ERR-3 code, ERR-4 severity, ERR-8 text).

import { buildHl7, type Hl7Message } from './message.ts';
import { hl7Timestamp } from './timestamp.ts';

export const ACK_CODES = ['AA', 'AE', 'AR', 'CA', 'CE', 'CR'] as const;
export type AckCode = (typeof ACK_CODES)[number];

export interface AckOptions {
  readonly code: AckCode;
  /** Epoch ms for MSH-7. */
  readonly now: number;
  /** MSH-10 of the ACK itself. */
  readonly controlId: string;
  /** MSA-3 text and, for AE/AR/CE/CR, the ERR-8 user message. */
  readonly text?: string;
  /** Overrides MSA-2 (used when the message could not be parsed and its MSH-10 was salvaged). */
  readonly ackedControlId?: string;
}

export function buildAck(received: Hl7Message | undefined, opts: AckOptions): Hl7Message {
  const get = (p: string) => received?.get(p) ?? '';
  const negative = opts.code !== 'AA' && opts.code !== 'CA';
  const segments: (readonly [string, ...(string | readonly string[])[]])[] = [
    ['MSH', get('MSH-5'), get('MSH-6'), get('MSH-3'), get('MSH-4'), hl7Timestamp(opts.now), '', ['ACK', get('MSH-9.2'), 'ACK'], opts.controlId, get('MSH-11') || 'P', get('MSH-12') || '2.5.1'],
    ['MSA', opts.code, opts.ackedControlId ?? get('MSH-10'), opts.text ?? ''],
  ];
  if (negative) {
    const severity = 'E';
    const condition = opts.code === 'AR' || opts.code === 'CR' ? ['200', 'Unsupported message type', 'HL70357'] : ['207', 'Application internal error', 'HL70357'];
    segments.push(['ERR', '', '', condition, severity, '', '', '', opts.text ?? '']);
  }
  return buildHl7(segments, received?.delimiters);
}
