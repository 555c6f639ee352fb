// MLLP framing (HL7 v2 Minimal Lower Layer Protocol): <VT> payload <FS><CR>. The encoder wraps one
// message; the streaming decoder copes with frames split across packets, several frames in one
// packet, bytes outside any frame (reported, not dropped silently) and refuses oversized frames.

export const MLLP_START = 0x0b;
export const MLLP_END = 0x1c;
export const MLLP_CR = 0x0d;
const LF = 0x0a;

/** Default largest payload the decoder buffers (1 MiB): big enough for any ACK or ADT message. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** The closed set of transport-level failures (the sensor layer maps them to catalogue codes). */
export const MLLP_ERRORS = {
  FRAME_TOO_LARGE: 'MLLP_FRAME_TOO_LARGE',
  UNFRAMED: 'MLLP_UNFRAMED',
  CLOSED_EARLY: 'MLLP_CLOSED_EARLY',
  NO_REPLY: 'MLLP_NO_REPLY',
  CONNECT_TIMEOUT: 'MLLP_CONNECT_TIMEOUT',
  ABORTED: 'MLLP_ABORTED',
} as const;
export type MllpErrorCode = (typeof MLLP_ERRORS)[keyof typeof MLLP_ERRORS];

export type MllpPhase = 'connect' | 'send' | 'reply';

export class MllpError extends Error {
  readonly code: MllpErrorCode;
  /** Where the exchange was when it failed, so callers can tell a refused connect from a silent peer. */
  readonly phase?: MllpPhase;
  /** The abort reason or socket error behind it, if any. */
  override readonly cause?: unknown;

  constructor(code: MllpErrorCode, message: string, opts: { phase?: MllpPhase; cause?: unknown } = {}) {
    super(message);
    this.name = 'MllpError';
    this.code = code;
    if (opts.phase) this.phase = opts.phase;
    if (opts.cause !== undefined) this.cause = opts.cause;
  }
}

/** Wraps one message payload in an MLLP frame. */
export function encodeFrame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(payload.length + 3);
  out[0] = MLLP_START;
  payload.copy(out, 1);
  out[payload.length + 1] = MLLP_END;
  out[payload.length + 2] = MLLP_CR;
  return out;
}

export type MllpEvent =
  | { readonly type: 'frame'; readonly payload: Buffer }
  /** Bytes seen outside any frame (a peer that does not frame, or noise between frames). */
  | { readonly type: 'unframed'; readonly bytes: Buffer }
  /** A frame outgrew maxFrameBytes: always the last event; the decoder is dead, close the connection. */
  | { readonly type: 'tooLarge'; readonly error: MllpError };

export interface MllpDecoderOptions {
  readonly maxFrameBytes?: number;
}

/**
 * Streaming decoder. push() returns the complete frames and unframed runs found so far; a frame
 * larger than maxFrameBytes ends the list with a `tooLarge` event and the decoder must be dropped
 * (the caller closes the connection: resynchronising inside a huge frame is guesswork). Pushing
 * into a dead decoder throws.
 */
export class MllpDecoder {
  readonly #max: number;
  #inFrame = false;
  /** True right after <FS>: a following <CR> belongs to the trailer. */
  #afterEnd = false;
  #parts: Buffer[] = [];
  #size = 0;
  #failed = false;

  constructor(opts: MllpDecoderOptions = {}) {
    this.#max = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  }

  /** True while a frame has started but not ended (what is left if the peer closes now). */
  get pending(): boolean {
    return this.#inFrame;
  }

  /** Bytes buffered for the incomplete frame. */
  get pendingBytes(): number {
    return this.#size;
  }

  push(chunk: Buffer): MllpEvent[] {
    if (this.#failed) throw new MllpError(MLLP_ERRORS.FRAME_TOO_LARGE, `MLLP frame larger than ${this.#max} bytes`);
    const events: MllpEvent[] = [];
    try {
      this.#scan(chunk, events);
    } catch (e) {
      if (!(e instanceof MllpError)) throw e;
      events.push({ type: 'tooLarge', error: e });
    }
    return events;
  }

  #scan(chunk: Buffer, events: MllpEvent[]): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.#afterEnd) {
        this.#afterEnd = false;
        if (chunk[i] === MLLP_CR) {
          i++;
          continue;
        }
      }
      if (!this.#inFrame) {
        const start = chunk.indexOf(MLLP_START, i);
        const stop = start === -1 ? n : start;
        const outside = chunk.subarray(i, stop);
        // line ends between frames are common (senders that write \r\n after <FS><CR>): not noise
        if (!isLineEnds(outside)) events.push({ type: 'unframed', bytes: Buffer.from(outside) });
        if (start === -1) return;
        this.#inFrame = true;
        i = start + 1;
        continue;
      }
      const end = chunk.indexOf(MLLP_END, i);
      // a new <VT> inside a frame means the previous frame was cut off: report it, start again
      const restart = chunk.indexOf(MLLP_START, i);
      if (restart !== -1 && (end === -1 || restart < end)) {
        this.#append(chunk.subarray(i, restart));
        const cut = this.#take();
        events.push({ type: 'unframed', bytes: Buffer.concat([Buffer.of(MLLP_START), cut]) });
        i = restart + 1;
        continue;
      }
      if (end === -1) {
        this.#append(chunk.subarray(i));
        return;
      }
      this.#append(chunk.subarray(i, end));
      events.push({ type: 'frame', payload: this.#take() });
      this.#inFrame = false;
      this.#afterEnd = true;
      i = end + 1;
    }
    return;
  }

  #append(part: Buffer): void {
    if (part.length === 0) return;
    if (this.#size + part.length > this.#max) {
      this.#failed = true;
      this.#parts = [];
      this.#size = 0;
      throw new MllpError(MLLP_ERRORS.FRAME_TOO_LARGE, `MLLP frame larger than ${this.#max} bytes`);
    }
    // copy: the socket may reuse the chunk's memory
    this.#parts.push(Buffer.from(part));
    this.#size += part.length;
  }

  #take(): Buffer {
    const out = this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts, this.#size);
    this.#parts = [];
    this.#size = 0;
    return out;
  }
}

function isLineEnds(b: Buffer): boolean {
  for (const byte of b) if (byte !== MLLP_CR && byte !== LF) return false;
  return true;
}
