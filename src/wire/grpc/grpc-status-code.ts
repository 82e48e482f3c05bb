// gRPC status codes (grpc/doc/statuscodes.md) and the grpc-message encoding of PROTOCOL-HTTP2.md.
// A const object rather than a TS enum, so the values stay plain numbers on the wire and in tests.

export const GrpcStatusCode = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

export type GrpcStatusCode = (typeof GrpcStatusCode)[keyof typeof GrpcStatusCode];

const NAMES: readonly string[] = Object.keys(GrpcStatusCode);

export function isGrpcStatusCode(value: unknown): value is GrpcStatusCode {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 16;
}

/** The canonical upper-case name (`UNAVAILABLE`), or `CODE_<n>` for a number outside the table. */
export function grpcStatusName(code: number): string {
  return isGrpcStatusCode(code) ? NAMES[code]! : `CODE_${code}`;
}

const HEX = '0123456789ABCDEF';
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Percent-encodes a status message for the grpc-message header: the UTF-8 bytes outside
 * 0x20-0x7E, and '%' itself, become %XX. Everything else passes through, so a plain ASCII
 * message (the usual case) is returned without allocating.
 */
export function encodeGrpcMessage(message: string): string {
  let i = 0;
  for (; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) break;
  }
  if (i === message.length) return message;
  let out = message.slice(0, i);
  const bytes = utf8Encoder.encode(message.slice(i));
  for (const b of bytes) {
    if (b >= 0x20 && b <= 0x7e && b !== 0x25) out += String.fromCharCode(b);
    else out += '%' + HEX[b >> 4]! + HEX[b & 15]!;
  }
  return out;
}

/**
 * Reverses encodeGrpcMessage. The spec forbids failing on a badly encoded value: a '%' not
 * followed by two hex digits is kept literally, and byte sequences that are not UTF-8 decode to
 * U+FFFD, so the reader still sees as much of the message as can be recovered.
 */
export function decodeGrpcMessage(value: string): string {
  if (!value.includes('%')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < value.length && isHex(value.charCodeAt(i + 1)) && isHex(value.charCodeAt(i + 2))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      // Not allowed in the header, but keep it rather than drop it (a whole code point, so a
      // surrogate pair is not split).
      const cp = value.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      for (const b of utf8Encoder.encode(ch)) bytes.push(b);
      i += ch.length - 1;
    }
  }
  return utf8Decoder.decode(Uint8Array.from(bytes));
}

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}
