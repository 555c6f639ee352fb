// The `receivers:` section of the configuration: where Wardwatch listens for what devices send on
// their own (syslog, SNMP traps). Absent means not listening: a receiver binds only when asked.

import { z } from 'zod';
import { port } from '../sensors/fields.ts';

const bindHost = z.string().min(1).default('0.0.0.0').describe('Address to listen on (0.0.0.0: every interface; 127.0.0.1: this machine only)');
const endpoint = (defaultPort: number) => z.strictObject({ host: bindHost, port: port(defaultPort) });

export const receiversSchema = z
  .strictObject({
    syslog: z
      .strictObject({
        udp: endpoint(514).optional().describe('RFC 5424/3164 over UDP'),
        tcp: endpoint(514).optional().describe('Over TCP, octet-counting or newline framing (RFC 6587)'),
        tls: z
          .strictObject({
            host: bindHost,
            port: port(6514),
            certFile: z.string().min(1).describe('PEM certificate chain of the receiver'),
            keyFile: z.string().min(1).describe('PEM private key of the receiver'),
            caFile: z.string().min(1).optional().describe('PEM CA that client certificates must chain to'),
            requireClientCert: z.boolean().default(false),
          })
          .optional()
          .describe('Over TLS (RFC 5425)'),
        maxQueue: z.number().int().min(100).max(1_000_000).default(10_000).describe('Messages queued for the store before new ones are dropped (and counted)'),
      })
      .optional(),
    snmpTraps: z
      .strictObject({
        host: bindHost,
        port: port(162),
        communities: z.array(z.string().min(1)).default(['public']).describe('v1/v2c communities accepted'),
      })
      .optional(),
  })
  .describe('Listeners for messages devices send on their own');

export type ReceiversConfig = z.infer<typeof receiversSchema>;
