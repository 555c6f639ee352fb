// The sensor contract for the three SNMP kinds, against the simulator (good), a closed UDP port
// (refused: SNMP over UDP can only time out) and a UDP peer that swallows requests (hang).

import dgram from 'node:dgram';
import { once } from 'node:events';
import { afterAll } from 'vitest';
import { freeUdpPort } from '../../../test/peers/harness.ts';
import { startSnmpAgent, type SimulatedSnmpAgent } from '../../sim/snmp/index.ts';
import { runSensorContract, type ContractPeer } from '../testing/contract.ts';
import { snmpInterfaceKind } from '../snmp-interface/index.ts';
import { snmpOidKind } from '../snmp-oid/index.ts';
import { snmpSystemKind } from './index.ts';

let agent: Promise<SimulatedSnmpAgent> | undefined;
const sim = () => (agent ??= startSnmpAgent({ profile: 'switch48', community: 'contract' }));
const sockets: dgram.Socket[] = [];
afterAll(async () => {
  await (await agent)?.close();
  for (const s of sockets) s.close();
});

function peer(extra: Record<string, unknown>): ContractPeer {
  const base = { host: '127.0.0.1', community: 'contract', requestTimeout: '3s', requestRetries: 0, ...extra };
  return {
    good: async () => ({ ...base, port: (await sim()).port }),
    refused: async () => ({ ...base, requestTimeout: '300ms', port: await freeUdpPort() }),
    refusedError: 'SNMP_TIMEOUT',
    hang: async () => {
      const sock = dgram.createSocket('udp4');
      sockets.push(sock);
      sock.bind(0, '127.0.0.1');
      await once(sock, 'listening');
      return { settings: { ...base, requestTimeout: '10s', port: sock.address().port }, accepted: once(sock, 'message') };
    },
  };
}

runSensorContract(snmpSystemKind, peer({}));
runSensorContract(snmpInterfaceKind, peer({ ifName: 'Gi1/0/2' }));
runSensorContract(snmpOidKind, peer({ oid: '1.3.6.1.2.1.1.3.0' }));
