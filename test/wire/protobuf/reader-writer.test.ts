import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/wire/otlp/export-result.js';
import { ProtoReader, decodeUtf8 } from '../../../src/wire/protobuf/reader.js';
import { ProtoWriter, WIRE_LEN, varintSize } from '../../../src/wire/protobuf/writer.js';

describe('ProtoWriter and ProtoReader', () => {
  it('round-trips varints at every size boundary', () => {
    const values = [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 2 ** 32 - 1, 2 ** 32, 2 ** 35, Number.MAX_SAFE_INTEGER];
    const w = new ProtoWriter(1);
    for (const v of values) w.varint(v);
    const r = new ProtoReader(w.finish());
    for (const v of values) expect(r.varint()).toBe(v);
    expect(r.pos).toBe(r.end);
  });

  it('round-trips int64 including negatives, extremes and the 2^53 boundary', () => {
    const values = [0n, 1n, -1n, 127n, 128n, 2n ** 31n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n - 1n, -(2n ** 63n), -123456789012345n, 1700000000000000000n];
    const w = new ProtoWriter(4);
    for (const v of values) w.varint64(v);
    const r = new ProtoReader(w.finish());
    for (const v of values) expect(r.varint64()).toBe(v);
  });

  it('encodes negative int64 in ten bytes, as protobuf does', () => {
    const w = new ProtoWriter();
    w.varint64(-1n);
    expect(Array.from(w.finish())).toEqual([255, 255, 255, 255, 255, 255, 255, 255, 255, 1]);
  });

  it('reads int32 and uint32 from sign-extended varints', () => {
    const w = new ProtoWriter();
    w.varint64(-2n);
    w.varint(2 ** 32 - 1);
    w.varint64(-(2n ** 31n));
    const r = new ProtoReader(w.finish());
    expect(r.int32()).toBe(-2);
    expect(r.uint32()).toBe(2 ** 32 - 1);
    expect(r.int32()).toBe(-(2 ** 31));
  });

  it('round-trips fixed-width values', () => {
    const w = new ProtoWriter(2);
    w.fixed64(18446744073709551615n);
    w.fixed64(1700000000123456789n);
    w.fixed32(0xffffffff);
    w.double(-1.5e-300);
    const r = new ProtoReader(w.finish());
    expect(r.fixed64()).toBe(18446744073709551615n);
    expect(r.fixed64()).toBe(1700000000123456789n);
    expect(r.fixed32()).toBe(0xffffffff);
    expect(r.double()).toBe(-1.5e-300);
  });

  it('writes strings with a minimal length prefix, for ASCII and multi-byte text alike', () => {
    for (const s of ['', 'a', 'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(127), 'x'.repeat(128), 'é'.repeat(50), '日本'.repeat(30), '🚀'.repeat(40), 'ab\u0000c']) {
      const w = new ProtoWriter(1);
      w.string(s);
      const bytes = w.finish();
      const utf8 = Buffer.from(s, 'utf8');
      expect(bytes.length, s.slice(0, 10)).toBe(varintSize(utf8.length) + utf8.length);
      const r = new ProtoReader(bytes);
      expect(r.string()).toBe(s);
    }
  });

  it('shrinks the reserved length prefix of nested messages of every size', () => {
    for (const size of [0, 1, 127, 128, 16383, 16384, 300_000]) {
      const w = new ProtoWriter(16);
      const at = w.beginMessage(1);
      w.raw(new Uint8Array(size).fill(7));
      w.endMessage(at);
      const bytes = w.finish();
      expect(bytes.length).toBe(1 + varintSize(size) + size);
      const r = new ProtoReader(bytes);
      expect(r.tag()).toBe((1 << 3) | WIRE_LEN);
      expect(r.bytesView().length).toBe(size);
    }
  });

  it('decodes UTF-8 with replacement characters rather than failing', () => {
    const bytes = Uint8Array.of(0x61, 0xff, 0x62);
    expect(decodeUtf8(bytes, 0, 3)).toBe('a\ufffdb');
    expect(decodeUtf8(Buffer.from('short ascii'), 0, 11)).toBe('short ascii');
  });

  it('never confuses cached strings that share length and sampled bytes', () => {
    // Same length, same first/last/middle bytes, different elsewhere: they land in one cache slot.
    const a = Buffer.from('aXbcdefghijklmnopqrsZ');
    const b = Buffer.from('aYbcdefghijklmnopqrsZ');
    for (let i = 0; i < 3; i++) {
      expect(decodeUtf8(a, 0, a.length)).toBe('aXbcdefghijklmnopqrsZ');
      expect(decodeUtf8(b, 0, b.length)).toBe('aYbcdefghijklmnopqrsZ');
    }
    const long = Buffer.from('ü'.repeat(30));
    expect(decodeUtf8(long, 0, long.length)).toBe('ü'.repeat(30));
  });

  it('throws DecodeError, never RangeError, when reading past the end', () => {
    const cases: [number[], (r: ProtoReader) => unknown][] = [
      [[], (r) => r.varint()],
      [[0x80], (r) => r.varint64()],
      [[0x80], (r) => r.int32()],
      [[1, 2, 3], (r) => r.fixed64()],
      [[1, 2, 3], (r) => r.fixed32()],
      [[1, 2], (r) => r.double()],
      [[5, 1], (r) => r.string()],
      [[5, 1], (r) => r.bytesView()],
      [[1], (r) => r.skip(1)],
      [[1], (r) => r.skip(5)],
      [[0], (r) => r.skip(3)],
      [[0], (r) => r.tag()],
    ];
    for (const [bytes, read] of cases) {
      expect(() => read(new ProtoReader(Uint8Array.from(bytes)))).toThrow(DecodeError);
    }
  });

  it('respects a narrowed end inside a larger buffer', () => {
    const r = new ProtoReader(Uint8Array.of(0x03, 0x61, 0x62, 0x63), 0, 2);
    expect(() => r.string()).toThrow(/past the end/);
  });
});
