import type { AnyValue, Attributes, KeyValue } from '../../model/attributes.js';
import { EMPTY_VALUE } from '../../model/attributes.js';
import { EMPTY_ID, hexToId } from '../../model/ids.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import { DecodeError } from './export-result.js';
import { idProblem } from './protobuf-rejections.js';

// Readers shared by the OTLP/JSON decoders. They read the tree JSON.parse gives, in place, into
// the model. Absent keys and null both mean the proto3 default, and keys they do not ask for are
// never looked at, which is how unknown fields come to be ignored. A value of the wrong JSON type
// throws JsonShapeError naming only the key; each enclosing loop adds its own segment as the error
// unwinds, so well-formed input never pays for building a path.

export type JsonObject = Record<string, unknown>;

/** Deeper AnyValue nesting than this is refused, so a hostile request cannot exhaust the stack. */
export const MAX_VALUE_DEPTH = 256;

export class JsonShapeError extends Error {
  constructor(
    readonly problem: string,
    public path: string,
  ) {
    super(problem);
    this.name = 'JsonShapeError';
  }
}

/** Adds the enclosing segment (a key, or `key[i]`) in front of a shape error's path. */
export function atPath(err: unknown, segment: string): unknown {
  if (err instanceof JsonShapeError) {
    err.path = err.path === '' ? segment : err.path.startsWith('[') ? segment + err.path : `${segment}.${err.path}`;
  }
  return err;
}

/** Turns a shape error that reached the top into the DecodeError callers handle. */
export function toDecodeError(err: unknown): unknown {
  if (err instanceof JsonShapeError) {
    return new DecodeError(err.path === '' ? `request: ${err.problem}` : `${err.path}: ${err.problem}`);
  }
  return err;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The request's top-level object; text that is not JSON, or not an object, cannot be decoded at all. */
export function parseRequest(text: string): JsonObject {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (err) {
    throw new DecodeError(`invalid JSON: ${(err as Error).message}`);
  }
  if (!isObject(root)) throw new DecodeError('request: expected object');
  return root;
}

export function readObject(obj: JsonObject, key: string): JsonObject | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new JsonShapeError('expected object', key);
  return v;
}

const NO_ITEMS: readonly unknown[] = Object.freeze([]);

export function readArray(obj: JsonObject, key: string): readonly unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) return NO_ITEMS;
  if (!Array.isArray(v)) throw new JsonShapeError('expected array', key);
  return v;
}

/** An element of a repeated message field; null stands for an all-default message, as in proto3 JSON. */
export function asElement(v: unknown): JsonObject {
  if (v === null) return {};
  if (!isObject(v)) throw new JsonShapeError('expected object', '');
  return v;
}

export function readString(obj: JsonObject, key: string): string {
  const v = obj[key];
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new JsonShapeError('expected string', key);
  return v;
}

const UNSIGNED = /^[0-9]+$/;
const SIGNED = /^-?[0-9]+$/;
const UINT64_MAX = (1n << 64n) - 1n;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function integerOf(v: unknown, pattern: RegExp): bigint | undefined {
  if (typeof v === 'string') return pattern.test(v) ? BigInt(v) : undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  return undefined;
}

/** fixed64/uint64 (timestamps), as a decimal string or a JSON number. */
export function readUint64(obj: JsonObject, key: string): bigint {
  const v = obj[key];
  if (v === undefined || v === null) return 0n;
  const n = integerOf(v, UNSIGNED);
  if (n === undefined || n < 0n || n > UINT64_MAX) throw new JsonShapeError('expected unsigned 64-bit integer', key);
  return n;
}

/** int64, as a decimal string or a JSON number. */
export function readInt64(obj: JsonObject, key: string): bigint {
  const n = integerOf(obj[key], SIGNED);
  if (n === undefined || n < INT64_MIN || n > INT64_MAX) throw new JsonShapeError('expected 64-bit integer', key);
  return n;
}

/** uint32 and fixed32 (counts, flags); proto3 JSON parsers take these as strings too. */
export function readUint32(obj: JsonObject, key: string): number {
  const v = obj[key];
  if (v === undefined || v === null) return 0;
  const n = integerOf(v, UNSIGNED);
  if (n === undefined || n < 0n || n > 0xffffffffn) throw new JsonShapeError('expected unsigned 32-bit integer', key);
  return Number(n);
}

/**
 * An enum as the spec says, an integer; also its proto name, which some hand-written senders use.
 * Unknown numbers are kept (proto3 enums are open); unknown names cannot be mapped and are refused.
 */
export function readEnum(obj: JsonObject, key: string, names: ReadonlyMap<string, number>, what: string): number {
  const v = obj[key];
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff) return v;
  if (typeof v === 'string') {
    const byName = names.get(v);
    if (byName !== undefined) return byName;
    if (SIGNED.test(v)) {
      const n = Number(v);
      if (n >= -0x80000000 && n <= 0x7fffffff) return n;
    }
  }
  throw new JsonShapeError(`expected ${what}`, key);
}

/**
 * A trace or span ID: hex in either case, "" or absent for none. Text that is not hex gives
 * undefined rather than an error, because that rejects one record, not the whole request.
 */
export function readHexId(obj: JsonObject, key: string): Uint8Array | undefined {
  const v = obj[key];
  if (v === undefined || v === null || v === '') return EMPTY_ID;
  if (typeof v !== 'string') throw new JsonShapeError('expected hex string', key);
  return hexToId(v);
}

// Standard or URL-safe alphabet, padded or not, as proto3 JSON parsers accept; Buffer alone would
// skip stray characters silently and hand back different bytes.
const BASE64 = /^(?:[A-Za-z0-9+/]*|[A-Za-z0-9\-_]*)(={0,2})$/;

function isBase64(s: string): boolean {
  const m = BASE64.exec(s);
  if (m === null) return false;
  return m[1] === '' ? s.length % 4 !== 1 : s.length % 4 === 0;
}

function readDouble(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  if (v === 'NaN') return Number.NaN;
  if (v === 'Infinity') return Number.POSITIVE_INFINITY;
  if (v === '-Infinity') return Number.NEGATIVE_INFINITY;
  // proto3 JSON allows any double as a string; Number('') and Number(' ') are 0, so refuse blanks.
  const n = v.trim() === '' ? Number.NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function readValues(obj: JsonObject, depth: number): AnyValue[] {
  const arr = readArray(obj, 'values');
  const out: AnyValue[] = new Array(arr.length);
  let i = 0;
  try {
    for (; i < arr.length; i++) out[i] = readAnyValue(arr[i], depth);
  } catch (err) {
    throw atPath(err, `values[${i}]`);
  }
  return out;
}

function readKeyValues(obj: JsonObject, key: string, depth: number): KeyValue[] {
  const arr = readArray(obj, key);
  const out: KeyValue[] = new Array(arr.length);
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const kv = asElement(arr[i]);
      let value: AnyValue;
      try {
        value = readAnyValue(kv.value, depth);
      } catch (err) {
        throw atPath(err, 'value');
      }
      out[i] = { key: readString(kv, 'key'), value };
    }
  } catch (err) {
    throw atPath(err, `${key}[${i}]`);
  }
  return out;
}

/** An AnyValue; the first of its oneof keys that is present wins, and no key at all is the empty value. */
export function readAnyValue(v: unknown, depth = 0): AnyValue {
  if (v === undefined || v === null) return EMPTY_VALUE;
  if (!isObject(v)) throw new JsonShapeError('expected object', '');
  if (depth >= MAX_VALUE_DEPTH) throw new JsonShapeError(`values nested deeper than ${MAX_VALUE_DEPTH}`, '');
  const s = v.stringValue;
  if (s !== undefined && s !== null) {
    if (typeof s !== 'string') throw new JsonShapeError('expected string', 'stringValue');
    return { type: 'string', value: s };
  }
  const b = v.boolValue;
  if (b !== undefined && b !== null) {
    if (typeof b !== 'boolean') throw new JsonShapeError('expected boolean', 'boolValue');
    return { type: 'bool', value: b };
  }
  if (v.intValue !== undefined && v.intValue !== null) return { type: 'int', value: readInt64(v, 'intValue') };
  const d = v.doubleValue;
  if (d !== undefined && d !== null) {
    const n = readDouble(d);
    if (n === undefined) throw new JsonShapeError('expected number', 'doubleValue');
    return { type: 'double', value: n };
  }
  const arr = readObject(v, 'arrayValue');
  if (arr !== undefined) {
    try {
      return { type: 'array', value: readValues(arr, depth + 1) };
    } catch (err) {
      throw atPath(err, 'arrayValue');
    }
  }
  const kvl = readObject(v, 'kvlistValue');
  if (kvl !== undefined) {
    try {
      return { type: 'kvlist', value: readKeyValues(kvl, 'values', depth + 1) };
    } catch (err) {
      throw atPath(err, 'kvlistValue');
    }
  }
  const bytes = v.bytesValue;
  if (bytes !== undefined && bytes !== null) {
    if (typeof bytes !== 'string' || !isBase64(bytes)) throw new JsonShapeError('expected base64 string', 'bytesValue');
    return { type: 'bytes', value: new Uint8Array(Buffer.from(bytes, 'base64')) };
  }
  return EMPTY_VALUE;
}

export function readAttributes(obj: JsonObject, key = 'attributes'): Attributes {
  return readKeyValues(obj, key, 0);
}

export function readResource(parent: JsonObject): Resource {
  const r = readObject(parent, 'resource');
  if (r === undefined) return { attributes: [], droppedAttributesCount: 0 };
  try {
    return { attributes: readAttributes(r), droppedAttributesCount: readUint32(r, 'droppedAttributesCount') };
  } catch (err) {
    throw atPath(err, 'resource');
  }
}

export function readScope(parent: JsonObject): InstrumentationScope {
  const s = readObject(parent, 'scope');
  if (s === undefined) return { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  try {
    return {
      name: readString(s, 'name'),
      version: readString(s, 'version'),
      attributes: readAttributes(s),
      droppedAttributesCount: readUint32(s, 'droppedAttributesCount'),
    };
  } catch (err) {
    throw atPath(err, 'scope');
  }
}

/**
 * Why an ID read by readHexId cannot be taken, or '' when it can. Only text that is not hex is
 * particular to JSON; length and all-zero rules are the ones the protobuf decoders apply.
 */
export function hexIdProblem(field: string, id: Uint8Array | undefined, length: number, optional: boolean): string {
  return id === undefined ? `${field} is not valid hex` : idProblem(field, id, length, optional);
}
