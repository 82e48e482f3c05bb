// Syslog over a byte stream (TCP, RFC 6587; TLS, RFC 5425): cutting the stream into messages.
//
// Two framings exist and senders do not announce which one they use. Octet counting is
// `MSG-LEN SP MSG` (RFC 6587 3.4.1, the only framing RFC 5425 allows); non-transparent framing ends
// each message with a trailer, LF in practice, NUL from some older senders (RFC 6587 3.4.2). The
// framing is told apart at the start of every frame, not once per connection. That costs nothing,
// and it keeps relays that forward several sources over one connection readable, as well as
// streams where a sender puts an LF after its counted frames.
//
// A frame that does not start with a digit 1-9 is a trailer-ended line. A digit alone does not make
// an octet count: lines without PRI start with digits too (`2024-11-25T10:00:00Z host app: msg`,
// Cisco's `123: *Nov 25 10:00:00.123: %LINK-3-UPDOWN: ...`, `4 Dec 10:00:00 host ...`). What does
// is the MSG that follows: RFC 6587 and RFC 5425 frame a SYSLOG-MSG, and that always begins with its
// PRI. So a digit-led frame is read ahead by at most its first word (MSG-LEN's ten digits and one
// more byte), the SP after it and the byte after that, and then:
//   - `MSG-LEN SP <` (one to ten digits): an octet count, always;
//   - `MSG-LEN SP` and anything else: an octet count on a connection that has so far used octet
//     counting and never line framing (a sender counting messages it sends without PRI), a line
//     anywhere else (`4 Dec 10:00:00 ...`);
//   - digits straight followed by `<`, or a first word that is no MSG-LEN (a non-digit in it, more
//     than ten digits) followed by `SP <`: a count gone wrong (`12<13>...`, `12x <13>...`). The PRI
//     right after it says a counted frame was meant, and as a line it would only deliver a broken
//     header; it is counted as bad_frame and the decoder resynchronises at the next LF;
//   - anything else: a line, the bytes read ahead being its first bytes (`123: *Nov ...`,
//     `2024-11-25T...`, a lone `123`).
// At most MAX_LENGTH_DIGITS + 2 bytes are held for that decision, whatever the chunking.
//
// Work is linear in the bytes received: complete frames are decoded straight from the chunk they
// arrived in; only a frame split across chunks is collected, and it is joined once when complete.
// The read-ahead touches each byte of a frame's head at most twice.

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
const LT = 0x3c; // '<', the first byte of a PRI
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;

// A count of more than ten digits is not a length any sender means; it is line noise.
const MAX_LENGTH_DIGITS = 10;
// The longest first word of a digit-led frame that is read ahead: an eleven-digit "count" followed
// by `SP <` is still recognised as a count gone wrong; a longer word makes the frame a line.
const MAX_HEAD_WORD = MAX_LENGTH_DIGITS + 1;

const START = 0; // between frames
const HEAD = 1; // reading ahead the first word of a digit-led frame, to tell a count from a line
const COUNTED = 2; // reading the MSG-LEN octets of a counted frame
const SKIP = 3; // skipping the octets of a counted frame that is too large
const LINE = 4; // reading a message up to its trailer
const DISCARD = 5; // dropping bytes up to the next LF, to resynchronise

type State = typeof START | typeof HEAD | typeof COUNTED | typeof SKIP | typeof LINE | typeof DISCARD;

/**
 * Where the MSG of a frame starting at `start` begins when the chunk holds its whole head as
 * `MSG-LEN SP <` (one to ten digits, the first of them checked by the caller); 0 otherwise.
 */
function countedHeadEnd(chunk: Buffer, start: number): number {
  const n = chunk.length;
  let i = start + 1;
  while (i < n && i - start < MAX_LENGTH_DIGITS && chunk[i]! >= DIGIT_0 && chunk[i]! <= DIGIT_9) i++;
  return i + 1 < n && chunk[i] === SP && chunk[i + 1] === LT ? i + 1 : 0;
}

/**
 * Decodes one connection's stream. push() every chunk in order, end() when the peer has closed.
 * A message longer than `maxMessageBytes` is counted as too_large and skipped without losing its
 * neighbours: a counted frame by skipping exactly its declared length, a trailer-ended one by
 * dropping bytes up to the next LF. A count gone wrong (`12<13>...`, `12x <13>...`, an eleven-digit
 * MSG-LEN before `SP <`) is counted as bad_frame and the decoder resynchronises at the next LF; a
 * digit-led frame that is not `MSG-LEN SP <` is otherwise a line (see the rule at the top).
 */
export class SyslogFrameDecoder {
  private state: State = START;
  private remaining = 0;
  /** The head of a digit-led frame read so far: its first word and, once seen, the SP after it. */
  private readonly head = Buffer.alloc(MAX_HEAD_WORD + 1);
  private headLength = 0;
  /** The first word read so far is all digits. */
  private headDigits = true;
  /** The SP after the first word has been read. */
  private headSpace = false;
  /** What the connection has shown so far: a frame taken as counted, a frame taken as a line. */
  private seenCounted = false;
  private seenLine = false;
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
    // Where the frame being read ahead started, when that was in this chunk (-1: in an earlier one).
    let headAt = -1;
    let i = 0;
    while (i < n) {
      switch (this.state) {
        case START: {
          const b = chunk[i]!;
          // Empty frames: the LF some senders put after a counted frame, blank lines, NUL padding.
          if (b === LF || b === CR || b === NUL) {
            i++;
          } else if (b >= DIGIT_1 && b <= DIGIT_9) {
            // The usual octet-counted frame, `MSG-LEN SP <` whole in this chunk: an octet count
            // by the first rule above, read here in one go instead of byte by byte through HEAD.
            const msgAt = countedHeadEnd(chunk, i);
            if (msgAt > 0) {
              let length = 0;
              for (let d = i; d < msgAt - 1; d++) length = length * 10 + (chunk[d]! - DIGIT_0);
              i = msgAt;
              this.startCounted(length);
              break;
            }
            this.state = HEAD;
            this.head[0] = b;
            this.headLength = 1;
            this.headDigits = true;
            this.headSpace = false;
            headAt = i;
            i++;
          } else {
            this.state = LINE;
            this.seenLine = true;
          }
          break;
        }
        case HEAD: {
          // One byte at a time, at most MAX_HEAD_WORD + 2 of them per frame. A byte that decides the
          // frame is not consumed here: it belongs to the message, the line or the bytes discarded.
          const b = chunk[i]!;
          if (!this.headSpace) {
            if (b === SP) {
              this.head[this.headLength++] = b;
              this.headSpace = true;
              i++;
            } else if (b === LT && this.headDigits) {
              this.handler.onBadFrame('bad_frame'); // MSG-LEN without its SP
              this.state = DISCARD;
            } else if (b === LF || b === NUL || this.headLength === MAX_HEAD_WORD) {
              i = this.headToLine(i, headAt);
            } else {
              if (b < DIGIT_0 || b > DIGIT_9) this.headDigits = false;
              this.head[this.headLength++] = b;
              i++;
            }
            break;
          }
          // b is the byte after the first word's SP.
          const isLength = this.headDigits && this.headLength - 1 <= MAX_LENGTH_DIGITS;
          if (isLength && (b === LT || (this.seenCounted && !this.seenLine))) {
            this.beginCounted();
          } else if (!isLength && b === LT) {
            this.handler.onBadFrame('bad_frame'); // a PRI after a broken MSG-LEN
            this.state = DISCARD;
          } else {
            i = this.headToLine(i, headAt);
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
    if (this.state === HEAD) {
      // Read as if the close were the byte after it. Digits (and their SP) on a connection that has
      // only used octet counting are the start of a counted frame, cut short; anything else is a line.
      const isLength = this.headDigits && this.headLength - (this.headSpace ? 1 : 0) <= MAX_LENGTH_DIGITS;
      if (isLength && this.seenCounted && !this.seenLine) {
        this.handler.onBadFrame('bad_frame');
      } else {
        const text = this.head.subarray(0, this.headLength);
        const end = text[text.length - 1] === CR ? text.length - 1 : text.length;
        if (end > this.maxMessageBytes) this.handler.onBadFrame('too_large');
        else this.handler.onMessage(text.toString('utf8', 0, end));
      }
    } else if (this.state === LINE && this.partsBytes > 0) {
      const whole = this.release();
      const end = whole[whole.length - 1] === CR ? whole.length - 1 : whole.length;
      if (end > 0) this.handler.onMessage(whole.toString('utf8', 0, end));
    } else if (this.state === COUNTED || this.state === SKIP) {
      this.dropHeld();
      this.handler.onBadFrame('bad_frame');
    }
    this.state = START;
  }

  /** The head read ahead is `MSG-LEN SP`: the counted frame's MSG starts at the current byte. */
  private beginCounted(): void {
    let length = 0;
    for (let k = 0; k < this.headLength - 1; k++) length = length * 10 + (this.head[k]! - DIGIT_0);
    this.startCounted(length);
  }

  /** A counted frame of `length` octets starts at the current byte. */
  private startCounted(length: number): void {
    this.seenCounted = true;
    this.remaining = length;
    if (length > this.maxMessageBytes) {
      this.handler.onBadFrame('too_large');
      this.state = SKIP;
    } else {
      this.state = COUNTED;
    }
  }

  /**
   * The head read ahead is the start of a line. Returns where reading the line goes on: back at the
   * frame's first byte when it is in this chunk (no bytes copied), else here with the head held.
   */
  private headToLine(i: number, headAt: number): number {
    this.state = LINE;
    this.seenLine = true;
    if (headAt >= 0) return headAt;
    this.hold(this.head, 0, this.headLength);
    return i;
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
