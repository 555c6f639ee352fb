import dgram from 'node:dgram';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { kernelUdpDrops, parseUdpDrops } from './udp-drops.ts';

const SAMPLE = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  812: 0100007F:0202 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 123456 2 0000000000000000 17
  813: 00000000:00A1 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 123457 2 0000000000000000 0
`;

describe('kernel UDP drops', () => {
  it('reads the drops column of the socket bound to the port', () => {
    expect(parseUdpDrops(SAMPLE, 514)).toBe(17);
    expect(parseUdpDrops(SAMPLE, 161)).toBe(0);
    expect(parseUdpDrops(SAMPLE, 162)).toBeUndefined();
    expect(parseUdpDrops('garbage\nnot a table', 514)).toBeUndefined();
  });

  it('finds a real socket of this process (0 drops) and answers undefined without /proc', async () => {
    const sock = dgram.createSocket('udp4');
    sock.bind(0, '127.0.0.1');
    await once(sock, 'listening');
    try {
      expect(kernelUdpDrops(sock.address().port)).toBe(0);
      expect(
        kernelUdpDrops(sock.address().port, () => {
          throw new Error('ENOENT');
        }),
      ).toBeUndefined();
    } finally {
      sock.close();
    }
  });
});
