// A TCP port on 127.0.0.1 with nothing listening (a device that is powered off): bound once by
// the kernel's choice, then closed, so a connection to it is refused.

import { once } from 'node:events';
import net from 'node:net';

export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
