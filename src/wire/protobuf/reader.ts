import { DecodeError } from '../otlp/export-result.js';

// A minimal protobuf reader over one buffer. Decoders walk fields with it directly into the
// model: no intermediate message objects. Every read is bounds-checked and a malformed buffer
// raises DecodeError, never a RangeError from deep inside.
//
// `end` is the end of the message being read; decoders narrow it while inside a nested message
// so that a length running past its parent is caught as invalid nesting, not read as the parent's.

const utf8 = new TextDecoder('utf-8', { fatal: false });

const TWO_32 = 4294967296;

// Kept out of line so the methods that may throw it stay small enough to inline.
function pastEnd(): DecodeError {
  return new DecodeError('length-delimited field runs past the end of its message');
}

export class ProtoReader {
  pos: number;
  readonly view: DataView;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    public end: number = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** An unsigned varint that fits a safe integer (tags, lengths, enums, counts). */
  varint(): number {
    // Nearly every tag and length is one byte: keep this path small enough for V8 to inline.
    const p = this.pos;
    if (p < this.end) {
      const b = this.buf[p]!;
      if (b < 128) {
        this.pos = p + 1;
        return b;
      }
    }
    return this.varintSlow();
  }

  private varintSlow(): number {
    const buf = this.buf;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new DecodeError('truncated varint');
      const b = buf[this.pos++]!;
      result += (b & 127) * mul;
      if (b < 128) return result;
      mul *= 128;
    }
    throw new DecodeError('varint longer than 10 bytes');
  }

  /** A field tag; field number 0 never appears in a valid message, so it marks garbage early. */
  tag(): number {
    const p = this.pos;
    if (p < this.end) {
      const b = this.buf[p]!;
      if (b >= 8 && b < 128) {
        this.pos = p + 1;
        return b;
      }
    }
    const t = this.varintSlow();
    if (t < 8) throw new DecodeError('invalid field number 0');
    return t;
  }

  /** An int32/enum varint: negative values arrive sign-extended to ten bytes; keep the low 32 bits. */
  int32(): number {
    return this.low32() | 0;
  }

  /** A uint32 varint (dropped counts); higher bits of an over-long value are discarded, as protobuf does. */
  uint32(): number {
    return this.low32() >>> 0;
  }

  private low32(): number {
    const buf = this.buf;
    let result = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new DecodeError('truncated varint');
      const b = buf[this.pos++]!;
      if (i < 5) result |= (b & 127) << (7 * i);
      if (b < 128) return result;
    }
    throw new DecodeError('varint longer than 10 bytes');
  }

  /** A full 64-bit varint as a signed bigint (int64). */
  varint64(): bigint {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    let i = 0;
    let b = 0;
    // Split into two 32-bit halves so the common small value needs no bigint arithmetic.
    for (; i < 4; i++) {
      if (this.pos >= this.end) throw new DecodeError('truncated varint');
      b = buf[this.pos++]!;
      lo |= (b & 127) << (7 * i);
      if (b < 128) return BigInt(lo >>> 0);
    }
    if (this.pos >= this.end) throw new DecodeError('truncated varint');
    b = buf[this.pos++]!;
    lo |= (b & 15) << 28;
    hi = (b & 127) >> 4;
    if (b >= 128) {
      for (i = 0; i < 5; i++) {
        if (this.pos >= this.end) throw new DecodeError('truncated varint');
        b = buf[this.pos++]!;
        hi |= (b & 127) << (7 * i + 3);
        if (b < 128) break;
      }
      if (b >= 128) throw new DecodeError('varint longer than 10 bytes');
    }
    lo >>>= 0;
    hi >>>= 0;
    if (hi < 0x200000) return BigInt(hi * TWO_32 + lo);
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.end) throw new DecodeError('truncated fixed64');
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  fixed32(): number {
    if (this.pos + 4 > this.end) throw new DecodeError('truncated fixed32');
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new DecodeError('truncated double');
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  /** Reads a length prefix and returns the end offset of the field's content. */
  lengthEnd(): number {
    const end = this.varint() + this.pos;
    if (end > this.end) throw pastEnd();
    return end;
  }

  /** A view of the next length-delimited field's bytes (no copy). */
  bytesView(): Uint8Array {
    const end = this.lengthEnd();
    const v = this.buf.subarray(this.pos, end);
    this.pos = end;
    return v;
  }

  string(): string {
    const end = this.lengthEnd();
    const s = decodeUtf8(this.buf, this.pos, end);
    this.pos = end;
    return s;
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.skipVarint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.pos = this.lengthEnd();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new DecodeError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new DecodeError('field runs past the end of its message');
  }

  private skipVarint(): void {
    const buf = this.buf;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new DecodeError('truncated varint');
      if (buf[this.pos++]! < 128) return;
    }
    throw new DecodeError('varint longer than 10 bytes');
  }
}

// Telemetry repeats the same short strings endlessly (attribute keys, span names, routes, methods),
// and building a JS string costs far more than comparing a few bytes. So short strings go through a
// small direct-mapped cache keyed by their bytes: a hit costs a hash and a compare, and a miss
// replaces the slot. The cache is bounded (CACHE_SLOTS x CACHE_MAX_BYTES) and holds only copies.
const CACHE_SLOTS = 4096;
const CACHE_MAX_BYTES = 40;
const cacheBytes = new Uint8Array(CACHE_SLOTS * CACHE_MAX_BYTES);
const cacheLengths = new Int32Array(CACHE_SLOTS).fill(-1);
const cacheStrings: string[] = new Array<string>(CACHE_SLOTS).fill('');

export function decodeUtf8(buf: Uint8Array, start: number, end: number): string {
  const len = end - start;
  if (len === 0) return '';
  if (len > CACHE_MAX_BYTES) return utf8.decode(buf.subarray(start, end));
  // Hash a sample of the bytes, not all of them: a collision only costs a miss, as the compare below
  // checks every byte, and the sample picks the ends where telemetry strings usually differ.
  const last = end - 1;
  let h = Math.imul(len ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ buf[start]!, 0x01000193);
  h = Math.imul(h ^ buf[last]!, 0x01000193);
  h = Math.imul(h ^ buf[last - (len >> 1)]!, 0x01000193);
  h = Math.imul(h ^ buf[last - (len >> 2)]!, 0x01000193);
  h = Math.imul(h ^ buf[last - 1 < start ? start : last - 1]!, 0x01000193);
  const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
  const base = slot * CACHE_MAX_BYTES;
  if (cacheLengths[slot] === len) {
    let i = 0;
    while (i < len && cacheBytes[base + i] === buf[start + i]) i++;
    if (i === len) return cacheStrings[slot]!;
  }
  const s = decodeShort(buf, start, end);
  for (let i = 0; i < len; i++) cacheBytes[base + i] = buf[start + i]!;
  cacheLengths[slot] = len;
  cacheStrings[slot] = s;
  return s;
}

/** Short ASCII text is built directly, which is cheaper than TextDecoder's call for a few bytes. */
function decodeShort(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c >= 128) return utf8.decode(buf.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}
