// Syslog over a byte stream (TCP, TLS): RFC 6587 octet-counting ("LEN SP MSG") and newline
// framing, told apart at the start of each frame (a digit starts a count), so that one connection
// may use either. A frame longer than the limit is cut (newline) or ends the connection (count).

export interface Deframer {
  /** Feeds bytes; returns an error text when the stream cannot go on (the caller closes it). */
  push(chunk: Buffer): string | undefined;
  /** Whatever is left when the peer closes (a last line without a newline). */
  end(): void;
}

export function createDeframer(maxFrameBytes: number, onFrame: (frame: Buffer, truncated: boolean) => void): Deframer {
  let buf: Buffer = Buffer.alloc(0);
  // While cutting an over-long newline frame, bytes up to the next newline are skipped.
  let skipping = false;
  return {
    push(chunk) {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let pos = 0;
      for (;;) {
        if (skipping) {
          const nl = buf.indexOf(10, pos);
          if (nl < 0) {
            pos = buf.length;
            break;
          }
          skipping = false;
          pos = nl + 1;
          continue;
        }
        if (pos >= buf.length) break;
        const first = buf[pos]!;
        if (first >= 0x31 && first <= 0x39) {
          const sp = buf.indexOf(32, pos);
          const digits = sp < 0 ? buf.length - pos : sp - pos;
          if (digits > 10) return `octet-counting frame header is not a number: "${buf.subarray(pos, pos + 12).toString('latin1')}"`;
          if (sp < 0) break;
          const header = buf.subarray(pos, sp).toString('latin1');
          if (!/^\d+$/.test(header)) return `octet-counting frame header is not a number: "${header}"`;
          const len = Number(header);
          if (len > maxFrameBytes) return `octet-counted frame of ${len} bytes is over the limit of ${maxFrameBytes}`;
          if (buf.length < sp + 1 + len) break;
          onFrame(buf.subarray(sp + 1, sp + 1 + len), false);
          pos = sp + 1 + len;
          continue;
        }
        if (first === 10 || first === 13 || first === 0) {
          pos++;
          continue;
        }
        const nl = buf.indexOf(10, pos);
        const end = nl < 0 ? buf.length : nl;
        if (end - pos > maxFrameBytes) {
          onFrame(buf.subarray(pos, pos + maxFrameBytes), true);
          if (nl < 0) {
            skipping = true;
            pos = buf.length;
            break;
          }
          pos = nl + 1;
          continue;
        }
        if (nl < 0) break;
        onFrame(buf.subarray(pos, nl), false);
        pos = nl + 1;
      }
      // Copy the tail so that a small remainder does not pin a large chunk in memory.
      buf = pos >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(pos));
      return undefined;
    },
    end() {
      if (buf.length > 0 && !skipping && !(buf[0]! >= 0x31 && buf[0]! <= 0x39)) onFrame(buf, false);
      buf = Buffer.alloc(0);
    },
  };
}
