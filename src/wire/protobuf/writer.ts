// A minimal protobuf writer: encoders build messages front to back into a growable buffer, and
// length-delimited fields reserve their length prefix and patch it afterwards, so nested messages
// are written once without a sizing pass.

const textEncoder = new TextEncoder();

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

export class ProtoWriter {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initialSize = 4096) {
    this.buf = new Uint8Array(initialSize);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** Unsigned varint of a non-negative safe integer. */
  varint(value: number): void {
    this.ensure(10);
    while (value > 127) {
      this.buf[this.pos++] = (value & 127) | 128;
      value = Math.floor(value / 128);
    }
    this.buf[this.pos++] = value;
  }

  /** int64 as varint; negative values take ten bytes (two's complement), as protobuf says. */
  varint64(value: bigint): void {
    if (value >= 0n && value <= MAX_SAFE) {
      this.varint(Number(value));
      return;
    }
    let v = BigInt.asUintN(64, value);
    this.ensure(10);
    while (v > 127n) {
      this.buf[this.pos++] = Number(v & 127n) | 128;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  fixed64(value: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt.asUintN(64, value), true);
    this.pos += 8;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, value >>> 0, true);
    this.pos += 4;
  }

  double(value: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  string(value: string): void {
    const n = value.length;
    if (n < 64) {
      // Short strings are mostly ASCII keys and names: a plain loop beats encodeInto's call cost.
      this.ensure(1 + n);
      const buf = this.buf;
      const start = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 128) break;
        buf[start + i] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = start + n;
        return;
      }
    }
    // Worst case three bytes per UTF-16 unit; encodeInto writes in place without a temporary.
    const max = n * 3;
    const lenBytes = varintSize(max);
    this.ensure(lenBytes + max);
    const start = this.pos + lenBytes;
    const { written } = textEncoder.encodeInto(value, this.buf.subarray(start));
    const need = varintSize(written);
    if (need < lenBytes) {
      // Keep the length prefix minimal, as other encoders write it, so output is byte-comparable.
      this.buf.copyWithin(this.pos + need, start, start + written);
    }
    this.writeFixedVarint(this.pos, written, need);
    this.pos += need + written;
  }

  /** Copies already-encoded protobuf bytes (whole fields) as they are. */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Starts a length-delimited field; pass the result to endMessage once its content is written. */
  beginMessage(field: number): number {
    this.tag(field, WIRE_LEN);
    this.ensure(5);
    const at = this.pos;
    this.pos += 5; // a 5-byte varint holds any length up to 2^35
    return at;
  }

  endMessage(at: number): void {
    const contentStart = at + 5;
    const length = this.pos - contentStart;
    const lenBytes = varintSize(length);
    if (lenBytes < 5) {
      // Move the content back so the length prefix takes only the bytes it needs.
      this.buf.copyWithin(at + lenBytes, contentStart, this.pos);
      this.pos -= 5 - lenBytes;
    }
    this.writeFixedVarint(at, length, lenBytes);
  }

  /** Writes `value` as a varint of exactly `width` bytes (padding with continuation bytes). */
  private writeFixedVarint(at: number, value: number, width: number): void {
    for (let i = 0; i < width - 1; i++) {
      this.buf[at + i] = (value & 127) | 128;
      value = Math.floor(value / 128);
    }
    this.buf[at + width - 1] = value;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

/** Bytes taken by a non-negative integer below 2^35 as a varint. */
export function varintSize(n: number): number {
  return n < 128 ? 1 : n < 16384 ? 2 : n < 2097152 ? 3 : n < 268435456 ? 4 : 5;
}
