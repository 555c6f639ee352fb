import { describe, expect, it } from 'vitest';
import net from 'node:net';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { activeResources, grownResources, settleResources } from './handles.ts';
import { startHangingServer } from './peers.ts';

describe('leak detection', () => {
  it('sees sockets left open, and lets them go once closed', async () => {
    const server = await startHangingServer();
    try {
      const before = activeResources();
      const socket = net.connect(server.port, server.host);
      await once(socket, 'connect');
      const udp = dgram.createSocket('udp4');
      udp.bind(0, '127.0.0.1');
      await once(udp, 'listening');
      const leaked = await settleResources(before, 50);
      // the client socket, the server's accepted socket and the UDP socket
      expect(leaked).toEqual({ TCPSocketWrap: 2, UDPWrap: 1 });
      socket.destroy();
      udp.close();
      expect(await settleResources(before)).toEqual({});
    } finally {
      await server.close();
    }
  });

  it('reports only what grew', () => {
    expect(grownResources({ TCPSocketWrap: 2, Timeout: 1 }, { TCPSocketWrap: 1, Timeout: 3, UDPWrap: 1 })).toEqual({ Timeout: 2, UDPWrap: 1 });
  });
});
