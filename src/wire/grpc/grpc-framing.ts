// gRPC's Length-Prefixed-Message (PROTOCOL-HTTP2.md): a 1-byte Compressed-Flag (0 or 1), a 4-byte
// big-endian length, then the message. HTTP/2 DATA frames cut this stream anywhere, so the unary
// collector below accepts chunks of any size and copies at most once.

export const GRPC_FRAME_HEADER_BYTES = 5;

export interface GrpcFrame {
  readonly compressed: boolean;
  readonly message: Buffer;
}

/** Why a request body is not exactly one well-formed message within the size limit. */
export type GrpcFrameProblem =
  /** The declared length exceeds the limit (known from the 5-byte prefix, before the body arrives). */
  | 'too_large'
  /** The Compressed-Flag is neither 0 nor 1. */
  | 'bad_flag'
  /** The body ended inside the prefix or inside the message. */
  | 'truncated'
  /** The body held no message at all. */
  | 'no_message'
  /** Bytes follow the first message, i.e. a second message began. */
  | 'extra_message';

export interface GrpcFrameFailure {
  readonly problem: GrpcFrameProblem;
  readonly detail: string;
}

/** Frames one message: a single buffer holding the 5-byte prefix and the bytes. */
export function encodeGrpcFrame(message: Uint8Array, compressed = false): Buffer {
  const out = Buffer.allocUnsafe(GRPC_FRAME_HEADER_BYTES + message.length);
  out[0] = compressed ? 1 : 0;
  out.writeUInt32BE(message.length, 1);
  out.set(message, GRPC_FRAME_HEADER_BYTES);
  return out;
}

/**
 * Splits a complete body into its messages (views into `body`, no copies). Throws an Error naming
 * the problem when the body is truncated or a flag is invalid; the unary server path uses
 * UnaryFrameCollector instead, which never throws.
 */
export function decodeGrpcFrames(body: Uint8Array): GrpcFrame[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const frames: GrpcFrame[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < GRPC_FRAME_HEADER_BYTES) throw new Error(`truncated gRPC frame prefix at offset ${off}`);
    const flag = buf[off]!;
    if (flag > 1) throw new Error(`invalid gRPC compressed flag ${flag} at offset ${off}`);
    const length = buf.readUInt32BE(off + 1);
    const start = off + GRPC_FRAME_HEADER_BYTES;
    if (buf.length - start < length) throw new Error(`truncated gRPC message at offset ${off}: ${buf.length - start} of ${length} bytes`);
    frames.push({ compressed: flag === 1, message: buf.subarray(start, start + length) });
    off = start + length;
  }
  return frames;
}

/**
 * Collects the single request message of a unary call from the DATA chunks of one stream.
 *
 * It reports a problem as soon as one is certain (a declared length over the limit, a bad flag, a
 * second message) so the caller can answer without reading more. When the first chunk holds the
 * whole frame, the message is a view into it; otherwise one buffer of the declared length is
 * allocated and each chunk is copied into it once.
 */
export class UnaryFrameCollector {
  private header: Buffer | undefined;
  private headerFilled = 0;
  private length = -1;
  private filled = 0;
  private body: Buffer | undefined;
  private flag = 0;

  constructor(readonly maxMessageBytes: number) {}

  /** Undefined while the body is still acceptable; a failure once it cannot be. Stop pushing after a failure. */
  push(chunk: Buffer): GrpcFrameFailure | undefined {
    if (this.length >= 0) {
      const need = this.length - this.filled;
      if (chunk.length > need) return extraMessage();
      chunk.copy(this.body!, this.filled);
      this.filled += chunk.length;
      return undefined;
    }

    let off: number;
    let flag: number;
    let length: number;
    if (this.headerFilled === 0 && chunk.length >= GRPC_FRAME_HEADER_BYTES) {
      flag = chunk[0]!;
      length = chunk.readUInt32BE(1);
      off = GRPC_FRAME_HEADER_BYTES;
    } else {
      const header = (this.header ??= Buffer.allocUnsafe(GRPC_FRAME_HEADER_BYTES));
      off = Math.min(GRPC_FRAME_HEADER_BYTES - this.headerFilled, chunk.length);
      chunk.copy(header, this.headerFilled, 0, off);
      this.headerFilled += off;
      if (this.headerFilled < GRPC_FRAME_HEADER_BYTES) return undefined;
      flag = header[0]!;
      length = header.readUInt32BE(1);
    }
    if (flag > 1) return { problem: 'bad_flag', detail: `invalid compressed flag ${flag} in the message prefix` };
    if (length > this.maxMessageBytes) {
      return { problem: 'too_large', detail: `request message of ${length} bytes exceeds the limit of ${this.maxMessageBytes} bytes` };
    }
    this.flag = flag;
    this.length = length;
    const rest = chunk.length - off;
    if (rest >= length) {
      if (rest > length) return extraMessage();
      this.body = chunk.subarray(off, off + length);
      this.filled = length;
    } else {
      this.body = Buffer.allocUnsafe(length);
      chunk.copy(this.body, 0, off);
      this.filled = rest;
    }
    return undefined;
  }

  /** Call at the end of the stream: the message, or why there is none. */
  finish(): GrpcFrame | GrpcFrameFailure {
    if (this.length < 0) {
      return this.headerFilled === 0
        ? { problem: 'no_message', detail: 'the request held no message, a unary call needs exactly one' }
        : { problem: 'truncated', detail: `the request ended inside a message prefix (${this.headerFilled} of 5 bytes)` };
    }
    if (this.filled < this.length) {
      return { problem: 'truncated', detail: `the request ended inside a message (${this.filled} of ${this.length} bytes)` };
    }
    return { compressed: this.flag === 1, message: this.body! };
  }
}

function extraMessage(): GrpcFrameFailure {
  return { problem: 'extra_message', detail: 'the request held more than one message, a unary call takes exactly one' };
}
