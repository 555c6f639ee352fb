// MLLP transport: framing, a one-shot client and a server. Knows nothing of HL7 content.
export * from './frame.ts';
export * from './client.ts';
export * from './server.ts';
