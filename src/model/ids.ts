// Trace and span IDs are kept as bytes, as they arrive on the wire: a Uint8Array view costs nothing
// to make, while hex strings cost an allocation per ID. Hex is computed only when asked for.

export type TraceId = Uint8Array;
export type SpanId = Uint8Array;

export const TRACE_ID_BYTES = 16;
export const SPAN_ID_BYTES = 8;

export const EMPTY_ID: Uint8Array = new Uint8Array(0);

const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of the bytes; "" for an empty ID. */
export function idToHex(id: Uint8Array): string {
  let out = '';
  for (let i = 0; i < id.length; i++) out += HEX_BYTE[id[i]!]!;
  return out;
}

function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/** Parses hex in either case; undefined when the text is not hex of even length. */
export function hexToId(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return undefined;
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** An all-zero ID is invalid by the W3C trace-context rules, as is one of the wrong length. */
export function isValidId(id: Uint8Array, length: number): boolean {
  if (id.length !== length) return false;
  for (let i = 0; i < id.length; i++) if (id[i] !== 0) return true;
  return false;
}

export function idsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
