import { describe, expect, it } from 'vitest';
import { parseHl7 } from '../../protocols/hl7/message.ts';
import { ackText, interpretAck } from './ack-rules.ts';

const ack = (rest: string) => parseHl7(`MSH|^~\\&|R|F|S|F|20260105080000||ACK^A01^ACK|A1|P|2.3\r${rest}`);

describe('ACK rules', () => {
  it('needs an MSA segment and a known code', () => {
    expect(interpretAck(ack(''), 'C1', 'warning')).toEqual({ channels: [], status: 'down', error: 'HL7_GARBAGE', message: 'the reply (ACK^A01) has no MSA segment' });
    expect(interpretAck(ack('MSA|OK|C1\r'), 'C1', 'warning')).toEqual({ channels: [], status: 'down', error: 'HL7_GARBAGE', message: 'unknown acknowledgement code "OK" in MSA-1' });
  });

  it('maps AA/AE/AR and honours onApplicationError', () => {
    expect(interpretAck(ack('MSA|AA|C1\r'), 'C1', 'warning')).toEqual({ channels: [{ key: 'ackCode', value: 0 }], message: 'AA' });
    expect(interpretAck(ack('MSA|AE|C1|bad\r'), 'C1', 'down')).toEqual({ channels: [{ key: 'ackCode', value: 1 }], status: 'down', error: 'HL7_NACK_AE', message: 'AE: bad' });
    expect(interpretAck(ack('MSA|CR|C1\r'), 'C1', 'warning')).toEqual({ channels: [{ key: 'ackCode', value: 2 }], status: 'down', error: 'HL7_NACK_AR', message: 'CR' });
  });

  it('checks MSA-2 against the control ID we sent', () => {
    expect(interpretAck(ack('MSA|AA|C2\r'), 'C1', 'warning')).toMatchObject({ status: 'down', error: 'HL7_CONTROL_ID_MISMATCH', message: 'AA for control ID "C2", but we sent "C1"' });
  });

  it('collects the error text of v2.3 (ERR-1) and v2.5 (ERR-3, ERR-8) acknowledgements without repeats', () => {
    expect(ackText(ack('MSA|AE|C1\rERR|PID^1^3^101&Required field missing\r'))).toBe('Required field missing');
    expect(ackText(ack('MSA|AE|C1|Unknown patient\rERR|||204^Unknown key identifier^HL70357|E||||Unknown patient\r'))).toBe('Unknown patient — Unknown key identifier');
  });
});
