// What an HL7 acknowledgement means for the sensor's state: MSA-1 AA/CA → Up, AE/CE → Warning or
// Down (configurable), AR/CR → Down, and MSA-2 must echo our control ID. Pure: no I/O, no clock.

import type { Reading } from '../../core/model.ts';
import type { Hl7Message } from '../../protocols/hl7/message.ts';

/** ackCode channel values: 0 = accepted (AA/CA), 1 = application error (AE/CE), 2 = rejected (AR/CR). */
export const ACK_CODE_VALUES: Readonly<Record<string, number>> = { AA: 0, CA: 0, AE: 1, CE: 1, AR: 2, CR: 2 };

export type OnApplicationError = 'warning' | 'down';

/** The human text an ACK carries: MSA-3, ERR-8 (v2.5 user message), ERR-3.2 (v2.5 condition), ERR-1.4.2 (v2.3). */
export function ackText(ack: Hl7Message): string {
  const parts: string[] = [];
  for (const path of ['MSA-3', 'ERR-8', 'ERR-3.2', 'ERR-1.4.2']) {
    const v = ack.get(path)?.trim();
    if (v && !parts.includes(v)) parts.push(v);
  }
  return parts.join(' — ');
}

/** Turns a parsed reply into a Reading (without timing channels, which the caller adds). */
export function interpretAck(ack: Hl7Message, sentControlId: string, onApplicationError: OnApplicationError): Reading {
  const msa = ack.segment('MSA');
  if (!msa) return { channels: [], status: 'down', error: 'HL7_GARBAGE', message: `the reply (${ack.messageType || 'no type'}^${ack.triggerEvent}) has no MSA segment` };
  const code = (ack.get('MSA-1') ?? '').trim();
  const value = ACK_CODE_VALUES[code];
  if (value === undefined) return { channels: [], status: 'down', error: 'HL7_GARBAGE', message: `unknown acknowledgement code ${JSON.stringify(code)} in MSA-1` };
  const channels = [{ key: 'ackCode', value }];
  const echoed = (ack.get('MSA-2') ?? '').trim();
  if (echoed !== sentControlId) {
    return { channels, status: 'down', error: 'HL7_CONTROL_ID_MISMATCH', message: `${code} for control ID ${JSON.stringify(echoed)}, but we sent ${JSON.stringify(sentControlId)}` };
  }
  const text = ackText(ack);
  const withText = text ? `${code}: ${text}` : code;
  // no explicit status for an accepted ACK: the channel limits (e.g. on round trip) still apply
  if (value === 0) return { channels, message: withText };
  if (value === 1) return { channels, status: onApplicationError, error: 'HL7_NACK_AE', message: withText };
  return { channels, status: 'down', error: 'HL7_NACK_AR', message: withText };
}
