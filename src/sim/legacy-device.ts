// A simulated legacy medical device with the cleartext services hardening guides (MDS2 SAHD) warn
// about: a Telnet login, an FTP server that lets anonymous users in, and a web administration
// login over plain HTTP — for the demo hospital and the insecure-services tests. Each service
// listens on its own port (port 0: the kernel picks) and can be left out.

import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';

export interface LegacyDeviceOptions {
  readonly host?: string;
  /** Serve Telnet (default true). */
  readonly telnet?: boolean;
  /** Serve FTP (default true); `anonymous` lets USER anonymous in (default true). */
  readonly ftp?: boolean | { readonly anonymous: boolean };
  /** Serve an admin login page over plain HTTP (default true). */
  readonly http?: boolean;
  /** Name shown in banners and the page title. */
  readonly name?: string;
}

export interface LegacyDevice {
  readonly host: string;
  readonly telnetPort?: number;
  readonly ftpPort?: number;
  readonly httpPort?: number;
  close(): Promise<void>;
}

/** IAC DO TERMINAL-TYPE, IAC DO NAWS: how a Telnet server opens its option negotiation. */
const TELNET_HELLO = Buffer.from([0xff, 0xfd, 0x18, 0xff, 0xfd, 0x1f]);

function ftpSession(socket: net.Socket, name: string, anonymous: boolean): void {
  let user = '';
  let pending = '';
  socket.write(`220 ${name} FTP server ready\r\n`);
  socket.on('data', (d: Buffer) => {
    pending += d.toString('latin1');
    // a client may send several commands at once, or one across packets: answer whole lines only
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      const line = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      const [cmd = '', arg = ''] = line.split(/ (.*)/);
      switch (cmd.toUpperCase()) {
        case 'USER':
          user = arg;
          socket.write('331 Please specify the password.\r\n');
          break;
        case 'PASS':
          socket.write(anonymous && /^(anonymous|ftp)$/i.test(user) ? '230 Login successful.\r\n' : '530 Login incorrect.\r\n');
          break;
        case 'QUIT':
          socket.end('221 Goodbye.\r\n');
          return;
        default:
          socket.write('530 Please login with USER and PASS.\r\n');
      }
    }
    if (pending.length > 4096) socket.destroy();
  });
}

export async function startLegacyDevice(opts: LegacyDeviceOptions = {}): Promise<LegacyDevice> {
  const host = opts.host ?? '127.0.0.1';
  const name = opts.name ?? 'Legacy infusion pump gateway';
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    // a scanner resetting the connection must not take the simulator down
    s.on('error', () => undefined);
  };
  const servers: (net.Server | http.Server)[] = [];
  const listen = async (server: net.Server | http.Server): Promise<number> => {
    server.on('connection', track);
    server.listen(0, host);
    await once(server, 'listening');
    servers.push(server);
    return (server.address() as net.AddressInfo).port;
  };

  let telnetPort: number | undefined;
  let ftpPort: number | undefined;
  let httpPort: number | undefined;
  if (opts.telnet ?? true) {
    telnetPort = await listen(net.createServer((s) => s.write(Buffer.concat([TELNET_HELLO, Buffer.from(`\r\n${name}\r\nlogin: `)]))));
  }
  const ftp = opts.ftp ?? true;
  if (ftp) {
    const anonymous = typeof ftp === 'object' ? ftp.anonymous : true;
    ftpPort = await listen(net.createServer((s) => ftpSession(s, name, anonymous)));
  }
  if (opts.http ?? true) {
    const page = `<!doctype html><html><head><title>${name} - Administration</title></head><body><form method="post" action="/login"><input name="user"><input type="password" name="password"><button>Log in</button></form></body></html>`;
    httpPort = await listen(http.createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page)));
  }
  return {
    host,
    ...(telnetPort !== undefined ? { telnetPort } : {}),
    ...(ftpPort !== undefined ? { ftpPort } : {}),
    ...(httpPort !== undefined ? { httpPort } : {}),
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((srv) => new Promise<void>((r) => srv.close(() => r()))));
    },
  };
}
