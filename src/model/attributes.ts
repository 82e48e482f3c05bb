// The OTLP AnyValue, as a tagged union so that int64 and bytes survive a round trip unchanged
// (a JS number cannot hold every int64, and a string cannot be told from bytes).

export type AnyValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'double'; readonly value: number }
  | { readonly type: 'bytes'; readonly value: Uint8Array }
  | { readonly type: 'array'; readonly value: readonly AnyValue[] }
  | { readonly type: 'kvlist'; readonly value: readonly KeyValue[] }
  | { readonly type: 'empty' };

export interface KeyValue {
  readonly key: string;
  readonly value: AnyValue;
}

export type Attributes = readonly KeyValue[];

export const EMPTY_VALUE: AnyValue = Object.freeze({ type: 'empty' });

export const str = (value: string): AnyValue => ({ type: 'string', value });
export const int = (value: number | bigint): AnyValue => ({ type: 'int', value: BigInt(value) });
export const dbl = (value: number): AnyValue => ({ type: 'double', value });
export const bool = (value: boolean): AnyValue => ({ type: 'bool', value });

/** The last value for a key, as OTLP says later duplicates win for processors that dedupe. */
export function getAttribute(attrs: Attributes, key: string): AnyValue | undefined {
  for (let i = attrs.length - 1; i >= 0; i--) {
    const kv = attrs[i]!;
    if (kv.key === key) return kv.value;
  }
  return undefined;
}

export function getStringAttribute(attrs: Attributes, key: string): string | undefined {
  const v = getAttribute(attrs, key);
  return v?.type === 'string' ? v.value : undefined;
}

/** A numeric attribute whether it was sent as int, double or a decimal string (older conventions do all three). */
export function getNumberAttribute(attrs: Attributes, key: string): number | undefined {
  const v = getAttribute(attrs, key);
  if (!v) return undefined;
  if (v.type === 'int') return Number(v.value);
  if (v.type === 'double') return v.value;
  if (v.type === 'string' && v.value !== '' && !Number.isNaN(Number(v.value))) return Number(v.value);
  return undefined;
}

/** A plain-JS view for logs, JSON APIs and tests. int64 becomes a number when safe, else a string. */
export function anyValueToPlain(v: AnyValue): unknown {
  switch (v.type) {
    case 'string':
    case 'bool':
    case 'double':
      return v.value;
    case 'int':
      return v.value <= BigInt(Number.MAX_SAFE_INTEGER) && v.value >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(v.value)
        : v.value.toString();
    case 'bytes':
      return Buffer.from(v.value.buffer, v.value.byteOffset, v.value.byteLength).toString('base64');
    case 'array':
      return v.value.map(anyValueToPlain);
    case 'kvlist':
      return attributesToPlain(v.value);
    case 'empty':
      return null;
  }
}

export function attributesToPlain(attrs: Attributes): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of attrs) out[kv.key] = anyValueToPlain(kv.value);
  return out;
}
