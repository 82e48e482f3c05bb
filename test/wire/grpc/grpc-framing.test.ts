import { describe, expect, it } from 'vitest';
import {
  GRPC_FRAME_HEADER_BYTES,
  UnaryFrameCollector,
  decodeGrpcFrames,
  encodeGrpcFrame,
} from '../../../src/wire/grpc/grpc-framing.js';
import type { GrpcFrame, GrpcFrameFailure } from '../../../src/wire/grpc/grpc-framing.js';

function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 255;
  return b;
}

function collect(max: number, chunks: Buffer[]): GrpcFrame | GrpcFrameFailure {
  const c = new UnaryFrameCollector(max);
  for (const chunk of chunks) {
    const f = c.push(chunk);
    if (f !== undefined) return f;
  }
  return c.finish();
}

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let prev = 0;
  for (const cut of cuts) {
    out.push(buf.subarray(prev, cut));
    prev = cut;
  }
  out.push(buf.subarray(prev));
  return out;
}

describe('encodeGrpcFrame', () => {
  it('writes the flag, a big-endian length and the message', () => {
    const frame = encodeGrpcFrame(Uint8Array.of(0xaa, 0xbb, 0xcc));
    expect([...frame]).toEqual([0, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc]);
    expect(encodeGrpcFrame(new Uint8Array(0))).toEqual(Buffer.from([0, 0, 0, 0, 0]));
    expect(encodeGrpcFrame(Uint8Array.of(1), true)[0]).toBe(1);
    expect(encodeGrpcFrame(bytes(70000)).readUInt32BE(1)).toBe(70000);
  });
});

describe('decodeGrpcFrames', () => {
  it('splits a body into its messages, keeping the compressed flag', () => {
    const a = bytes(10, 1);
    const b = bytes(0);
    const c = bytes(300, 7);
    const body = Buffer.concat([encodeGrpcFrame(a), encodeGrpcFrame(b, true), encodeGrpcFrame(c)]);
    const frames = decodeGrpcFrames(body);
    expect(frames.map((f) => f.compressed)).toEqual([false, true, false]);
    expect(frames[0]!.message).toEqual(a);
    expect(frames[1]!.message.length).toBe(0);
    expect(frames[2]!.message).toEqual(c);
    expect(decodeGrpcFrames(new Uint8Array(0))).toEqual([]);
  });

  it('throws on a truncated prefix, a truncated message and a bad flag', () => {
    expect(() => decodeGrpcFrames(Uint8Array.of(0, 0, 0))).toThrow(/prefix/);
    expect(() => decodeGrpcFrames(encodeGrpcFrame(bytes(10)).subarray(0, 12))).toThrow(/7 of 10/);
    expect(() => decodeGrpcFrames(Uint8Array.of(2, 0, 0, 0, 0))).toThrow(/flag 2/);
  });
});

describe('UnaryFrameCollector', () => {
  it('returns a view into the chunk when one chunk holds the whole frame', () => {
    const chunk = encodeGrpcFrame(bytes(100));
    const result = collect(1000, [chunk]) as GrpcFrame;
    expect(result.compressed).toBe(false);
    expect(result.message).toEqual(bytes(100));
    expect(result.message.buffer).toBe(chunk.buffer);
    expect(result.message.byteOffset).toBe(chunk.byteOffset + GRPC_FRAME_HEADER_BYTES);
  });

  it('reassembles a frame cut at every possible point, including inside the prefix', () => {
    const msg = bytes(40, 3);
    const frame = encodeGrpcFrame(msg, true);
    for (let cut = 0; cut <= frame.length; cut++) {
      const result = collect(1000, splitAt(frame, [cut])) as GrpcFrame;
      expect(result.message).toEqual(msg);
      expect(result.compressed).toBe(true);
    }
    const bytewise = collect(1000, splitAt(frame, Array.from({ length: frame.length - 1 }, (_, i) => i + 1))) as GrpcFrame;
    expect(bytewise.message).toEqual(msg);
  });

  it('accepts an empty message and ignores empty chunks', () => {
    const result = collect(10, [Buffer.alloc(0), encodeGrpcFrame(new Uint8Array(0)), Buffer.alloc(0)]) as GrpcFrame;
    expect(result.message.length).toBe(0);
  });

  it('refuses a declared length over the limit from the prefix alone', () => {
    const prefix = encodeGrpcFrame(bytes(101)).subarray(0, 5);
    const c = new UnaryFrameCollector(100);
    expect(c.push(prefix.subarray(0, 3))).toBeUndefined();
    const f = c.push(prefix.subarray(3));
    expect(f?.problem).toBe('too_large');
    expect(f?.detail).toContain('101');
    expect((collect(101, [encodeGrpcFrame(bytes(101))]) as GrpcFrame).message.length).toBe(101);
  });

  it('refuses a second message as soon as its first byte arrives', () => {
    const one = encodeGrpcFrame(bytes(8));
    expect((collect(100, [Buffer.concat([one, Buffer.from([0])])]) as GrpcFrameFailure).problem).toBe('extra_message');
    const c = new UnaryFrameCollector(100);
    expect(c.push(one.subarray(0, 7))).toBeUndefined();
    expect(c.push(one.subarray(7))).toBeUndefined();
    expect(c.push(encodeGrpcFrame(bytes(2)))?.problem).toBe('extra_message');
  });

  it('refuses a compressed flag other than 0 or 1', () => {
    const frame = encodeGrpcFrame(bytes(4));
    frame[0] = 0x80;
    expect((collect(100, [frame]) as GrpcFrameFailure).problem).toBe('bad_flag');
  });

  it('reports no message, a truncated prefix and a truncated message at the end', () => {
    expect((collect(100, []) as GrpcFrameFailure).problem).toBe('no_message');
    const frame = encodeGrpcFrame(bytes(20));
    const inPrefix = collect(100, [frame.subarray(0, 2)]) as GrpcFrameFailure;
    expect(inPrefix.problem).toBe('truncated');
    expect(inPrefix.detail).toContain('2 of 5');
    const inBody = collect(100, [frame.subarray(0, 10), frame.subarray(10, 15)]) as GrpcFrameFailure;
    expect(inBody.problem).toBe('truncated');
    expect(inBody.detail).toContain('10 of 20');
  });
});
