// HL7 v2 codec: parsing, building, escaping, ACKs, character sets and check templates.
export * from './escape.ts';
export * from './message.ts';
export * from './charset.ts';
export * from './timestamp.ts';
export * from './ack.ts';
export * from './templates.ts';
