import { describe, expect, it } from 'vitest';
import {
  GrpcStatusCode,
  decodeGrpcMessage,
  encodeGrpcMessage,
  grpcStatusName,
  isGrpcStatusCode,
} from '../../../src/wire/grpc/grpc-status-code.js';

describe('GrpcStatusCode', () => {
  it('has the numbers of grpc/doc/statuscodes.md', () => {
    expect(GrpcStatusCode.OK).toBe(0);
    expect(GrpcStatusCode.INVALID_ARGUMENT).toBe(3);
    expect(GrpcStatusCode.RESOURCE_EXHAUSTED).toBe(8);
    expect(GrpcStatusCode.UNIMPLEMENTED).toBe(12);
    expect(GrpcStatusCode.INTERNAL).toBe(13);
    expect(GrpcStatusCode.UNAVAILABLE).toBe(14);
    expect(GrpcStatusCode.UNAUTHENTICATED).toBe(16);
    expect(Object.values(GrpcStatusCode)).toEqual(Array.from({ length: 17 }, (_, i) => i));
  });

  it('names codes and recognises valid ones', () => {
    expect(grpcStatusName(14)).toBe('UNAVAILABLE');
    expect(grpcStatusName(0)).toBe('OK');
    expect(grpcStatusName(99)).toBe('CODE_99');
    expect(isGrpcStatusCode(16)).toBe(true);
    expect(isGrpcStatusCode(17)).toBe(false);
    expect(isGrpcStatusCode(-1)).toBe(false);
    expect(isGrpcStatusCode(1.5)).toBe(false);
    expect(isGrpcStatusCode('3')).toBe(false);
  });
});

describe('encodeGrpcMessage', () => {
  it('leaves printable ASCII other than % untouched', () => {
    const s = 'deadline exceeded: ~ {a:1} [x] "q" \\ `b`';
    expect(encodeGrpcMessage(s)).toBe(s);
    expect(encodeGrpcMessage('')).toBe('');
  });

  it('percent-encodes %, control characters and the UTF-8 bytes of non-ASCII text', () => {
    expect(encodeGrpcMessage('100%')).toBe('100%25');
    expect(encodeGrpcMessage('a\nb\tc')).toBe('a%0Ab%09c');
    expect(encodeGrpcMessage('\x7f')).toBe('%7F');
    expect(encodeGrpcMessage('é')).toBe('%C3%A9');
    expect(encodeGrpcMessage('ok 😀!')).toBe('ok %F0%9F%98%80!');
    expect(encodeGrpcMessage('日本')).toBe('%E6%97%A5%E6%9C%AC');
  });
});

describe('decodeGrpcMessage', () => {
  it('round-trips any string', () => {
    for (const s of ['plain', '100% sure', 'line\r\nbreak', 'é日本😀', '%%%', '%41 literal', '\u0000\u007f']) {
      expect(decodeGrpcMessage(encodeGrpcMessage(s))).toBe(s);
    }
  });

  it('accepts lower-case hex and keeps broken escapes literally instead of failing', () => {
    expect(decodeGrpcMessage('%c3%a9')).toBe('é');
    expect(decodeGrpcMessage('50%')).toBe('50%');
    expect(decodeGrpcMessage('%zz and %4')).toBe('%zz and %4');
    expect(decodeGrpcMessage('%FF')).toBe('\ufffd');
  });

  it('keeps raw non-ASCII characters that should not have been sent', () => {
    expect(decodeGrpcMessage('é %41 😀')).toBe('é A 😀');
  });
});
