// Syslog over a byte stream (TCP, RFC 6587; TLS, RFC 5425): cutting the stream into messages.
//
// Two framings exist and senders do not announce which one they use. Octet counting is
// `MSG-LEN SP MSG` (RFC 6587 3.4.1, the only framing RFC 5425 allows); non-transparent framing ends
// each message with a trailer, LF in practice, NUL from some older senders (RFC 6587 3.4.2). The
// framing is told apart at the first byte of every frame, not once per connection: a digit starts
// an octet count, anything else a trailer-ended message. That costs nothing, and it keeps relays
// that forward several sources over one connection readable, as well as streams where a sender
// puts an LF after its counted frames.
//
// Work is linear in the bytes received: complete frames are decoded straight from the chunk they
// arrived in; only a frame split across chunks is collected, and it is joined once when complete.

/** Why a frame was not taken, as counted in corrgate_receiver_bad_frames_total{reason}. */
export type BadFrameReason = 'too_large' | 'bad_frame';

export interface FrameHandler {
  /** One message, decoded as UTF-8, without its framing or trailer. */
  onMessage(text: string): void;
  onBadFrame(reason: BadFrameReason): void;
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SP = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;

// A count of more than ten digits is not a length any sender means; it is line noise.
const MAX_LENGTH_DIGITS = 10;

const START = 0; // between frames
const LENGTH = 1; // reading MSG-LEN digits
const COUNTED = 2; // reading the MSG-LEN octets of a counted frame
const SKIP = 3; // skipping the octets of a counted frame that is too large
const LINE = 4; // reading a message up to its trailer
const DISCARD = 5; // dropping bytes up to the next LF, to resynchronise

type State = typeof START | typeof LENGTH | typeof COUNTED | typeof SKIP | typeof LINE | typeof DISCARD;

/**
 * Decodes one connection's stream. push() every chunk in order, end() when the peer has closed.
 * A message longer than `maxMessageBytes` is counted as too_large and skipped without losing its
 * neighbours: a counted frame by skipping exactly its declared length, a trailer-ended one by
 * dropping bytes up to the next LF. A malformed count (a non-digit in MSG-LEN, MSG-LEN not followed
 * by SP) is counted as bad_frame and the decoder resynchronises at the next LF.
 */
export class SyslogFrameDecoder {
  private state: State = START;
  private length = 0;
  private digits = 0;
  private remaining = 0;
  private parts: Buffer[] = [];
  private partsBytes = 0;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly handler: FrameHandler,
  ) {}

  /** True while part of a frame is held, waiting for more bytes. */
  get midFrame(): boolean {
    return this.state !== START && this.state !== DISCARD;
  }

  push(chunk: Buffer): void {
    const n = chunk.length;
    const max = this.maxMessageBytes;
    // Where the next LF and NUL are in this chunk, found once and reused until passed, so that
    // finding trailers stays linear however many messages the chunk holds (-2: not looked yet,
    // -1: none in the rest of the chunk).
    let lfAt = -2;
    let nulAt = -2;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case START: {
          const b = chunk[i]!;
          // Empty frames: the LF some senders put after a counted frame, blank lines, NUL padding.
          if (b === LF || b === CR || b === NUL) {
            i++;
          } else if (b >= DIGIT_1 && b <= DIGIT_9) {
            this.state = LENGTH;
            this.length = b - DIGIT_0;
            this.digits = 1;
            i++;
          } else {
            this.state = LINE;
          }
          break;
        }
        case LENGTH: {
          let b = chunk[i]!;
          while (b >= DIGIT_0 && b <= DIGIT_9 && this.digits < MAX_LENGTH_DIGITS) {
            this.length = this.length * 10 + (b - DIGIT_0);
            this.digits++;
            if (++i === n) break;
            b = chunk[i]!;
          }
          if (i === n) break;
          if (b === SP) {
            i++;
            this.remaining = this.length;
            if (this.length > max) {
              this.handler.onBadFrame('too_large');
              this.state = SKIP;
            } else {
              this.state = COUNTED;
            }
          } else {
            // The offending byte is not consumed: when it is the LF itself, resynchronising ends there.
            this.handler.onBadFrame('bad_frame');
            this.state = DISCARD;
          }
          break;
        }
        case COUNTED: {
          const available = n - i;
          if (this.partsBytes === 0 && available >= this.remaining) {
            const end = i + this.remaining;
            this.emitCounted(chunk, i, end);
            i = end;
            this.state = START;
            break;
          }
          const take = available < this.remaining ? available : this.remaining;
          this.hold(chunk, i, i + take);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            const whole = this.release();
            this.emitCounted(whole, 0, whole.length);
            this.state = START;
          }
          break;
        }
        case SKIP: {
          const take = n - i < this.remaining ? n - i : this.remaining;
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = START;
          break;
        }
        case LINE: {
          if (lfAt !== -1 && lfAt < i) lfAt = chunk.indexOf(LF, i);
          if (nulAt !== -1 && nulAt < i) nulAt = chunk.indexOf(NUL, i);
          const end = lfAt < 0 ? nulAt : nulAt < 0 ? lfAt : lfAt < nulAt ? lfAt : nulAt;
          if (end < 0) {
            if (this.partsBytes + (n - i) > max) {
              this.dropHeld();
              this.handler.onBadFrame('too_large');
              this.state = DISCARD;
            } else {
              this.hold(chunk, i, n);
            }
            i = n;
            break;
          }
          let stop = end;
          if (stop > i && chunk[stop - 1] === CR) stop--;
          if (this.partsBytes + (stop - i) > max) {
            this.dropHeld();
            this.handler.onBadFrame('too_large');
          } else if (this.partsBytes === 0) {
            this.handler.onMessage(chunk.toString('utf8', i, stop));
          } else {
            this.hold(chunk, i, stop);
            const whole = this.release();
            // A CR that ended the previous chunk belongs to a CRLF trailer split across chunks.
            const wholeEnd = stop === i && whole.length > 0 && whole[whole.length - 1] === CR ? whole.length - 1 : whole.length;
            this.handler.onMessage(whole.toString('utf8', 0, wholeEnd));
          }
          i = end + 1;
          this.state = START;
          break;
        }
        case DISCARD: {
          if (lfAt !== -1 && lfAt < i) lfAt = chunk.indexOf(LF, i);
          if (lfAt < 0) {
            i = n;
          } else {
            i = lfAt + 1;
            this.state = START;
          }
          break;
        }
      }
    }
  }

  /**
   * The peer closed the stream. A trailer-ended message still held is complete by definition (the
   * close is its trailer); a counted frame cut short is counted as bad_frame.
   */
  end(): void {
    if (this.state === LINE && this.partsBytes > 0) {
      const whole = this.release();
      const end = whole[whole.length - 1] === CR ? whole.length - 1 : whole.length;
      if (end > 0) this.handler.onMessage(whole.toString('utf8', 0, end));
    } else if (this.state === LENGTH || this.state === COUNTED || this.state === SKIP) {
      this.dropHeld();
      this.handler.onBadFrame('bad_frame');
    }
    this.state = START;
  }

  // rsyslog's omfwd counts the LF it appends (and some senders a CRLF), so one trailer at the end
  // of a counted message is framing, not content. Anything else stays, a trailing space included
  // (collector issue #31477): the count says it is part of the message.
  private emitCounted(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === LF) {
      end--;
      if (end > start && buf[end - 1] === CR) end--;
    }
    this.handler.onMessage(buf.toString('utf8', start, end));
  }

  // The held part is copied: a view would pin the whole chunk it came from for as long as the
  // frame stays incomplete, on every idle connection.
  private hold(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.parts.push(Buffer.from(chunk.subarray(start, end)));
    this.partsBytes += end - start;
  }

  private release(): Buffer {
    const whole = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsBytes);
    this.dropHeld();
    return whole;
  }

  private dropHeld(): void {
    if (this.partsBytes === 0 && this.parts.length === 0) return;
    this.parts = [];
    this.partsBytes = 0;
  }
}
