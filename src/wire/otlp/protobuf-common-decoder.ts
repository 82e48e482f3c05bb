import { EMPTY_VALUE } from '../../model/attributes.js';
import type { AttributePicker } from '../../model/attribute-picker.js';
import type { AnyValue, KeyValue } from '../../model/attributes.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import { ProtoReader } from '../protobuf/reader.js';
import { DecodeError } from './export-result.js';

// Readers for opentelemetry.proto.common.v1 and resource.v1, shared by the trace and log decoders.
// Each read* function starts at a length prefix, narrows the reader to the message and leaves the
// reader just past it. The skip* functions check the same structure without building anything: the
// main pass runs them over the parts it decodes lazily, so that a malformed attribute is refused
// with the request instead of surfacing later from a getter deep in the pipeline.

/** Deeper AnyValue nesting is refused: recursion on hostile input must end long before the stack does. */
export const MAX_ANY_VALUE_DEPTH = 64;

export const NO_ATTRIBUTES: readonly KeyValue[] = Object.freeze([]);

function tooDeep(): DecodeError {
  return new DecodeError(`AnyValue nested deeper than ${MAX_ANY_VALUE_DEPTH} levels`);
}

export function readKeyValue(r: ProtoReader, depth: number): KeyValue {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  let key = '';
  let value: AnyValue = EMPTY_VALUE;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) key = r.string();
    else if (tag === 18) value = readAnyValue(r, depth + 1);
    else r.skip(tag & 7);
  }
  r.end = outer;
  return { key, value };
}

export function readAnyValue(r: ProtoReader, depth: number): AnyValue {
  if (depth > MAX_ANY_VALUE_DEPTH) throw tooDeep();
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  // A oneof: when a producer repeats members, the last one wins, as in every protobuf runtime.
  let value: AnyValue = EMPTY_VALUE;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10:
        value = { type: 'string', value: r.string() };
        break;
      case 16:
        value = { type: 'bool', value: r.bool() };
        break;
      case 24:
        value = { type: 'int', value: r.varint64() };
        break;
      case 33:
        value = { type: 'double', value: r.double() };
        break;
      case 42:
        value = { type: 'array', value: readValueList(r, depth) };
        break;
      case 50:
        value = { type: 'kvlist', value: readKeyValueList(r, depth) };
        break;
      case 58:
        value = { type: 'bytes', value: r.bytesView() };
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.end = outer;
  return value;
}

/** ArrayValue{repeated AnyValue values = 1}. */
function readValueList(r: ProtoReader, depth: number): AnyValue[] {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  const out: AnyValue[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) out.push(readAnyValue(r, depth + 1));
    else r.skip(tag & 7);
  }
  r.end = outer;
  return out;
}

/** KeyValueList{repeated KeyValue values = 1}. */
function readKeyValueList(r: ProtoReader, depth: number): KeyValue[] {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  const out: KeyValue[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) out.push(readKeyValue(r, depth + 1));
    else r.skip(tag & 7);
  }
  r.end = outer;
  return out;
}

/** Every `field` of the message in [start, end) read as a KeyValue; other fields are passed over. */
export function readAttributesAt(r: ProtoReader, start: number, end: number, field: number, count: number): KeyValue[] {
  const out: KeyValue[] = new Array<KeyValue>(count);
  const wanted = (field << 3) | 2;
  r.pos = start;
  r.end = end;
  let n = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === wanted) out[n++] = readKeyValue(r, 0);
    else r.skip(tag & 7);
  }
  // The count came from the main pass over the same bytes, so this only guards against misuse.
  out.length = n;
  return out;
}

const keyBytesCache = new Map<string, Uint8Array>();
const utf8 = new TextEncoder();

function keyBytes(key: string): Uint8Array {
  let bytes = keyBytesCache.get(key);
  if (bytes === undefined) {
    bytes = utf8.encode(key);
    // Keys asked for are a small fixed set (the correlator's conventions); the bound only guards misuse.
    if (keyBytesCache.size < 1024) keyBytesCache.set(key, bytes);
  }
  return bytes;
}

/**
 * The value of attribute `key` among the `field` KeyValues of the message in [start, end), reading
 * only the keys until it matches: asking for one attribute does not decode the others. The last
 * match wins, as with getAttribute on decoded attributes.
 */
export function findAttributeAt(r: ProtoReader, start: number, end: number, field: number, key: string): AnyValue | undefined {
  const want = keyBytes(key);
  const wanted = (field << 3) | 2;
  const buf = r.buf;
  let found: AnyValue | undefined;
  r.pos = start;
  r.end = end;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag !== wanted) {
      r.skip(tag & 7);
      continue;
    }
    const kvEnd = r.lengthEnd();
    const outer = r.end;
    r.end = kvEnd;
    let matched = false;
    while (r.pos < kvEnd) {
      const t = r.tag();
      if (t === 10) {
        const kEnd = r.lengthEnd();
        matched = kEnd - r.pos === want.length;
        for (let i = 0; matched && i < want.length; i++) if (buf[r.pos + i] !== want[i]) matched = false;
        r.pos = kEnd;
        if (!matched) break;
      } else if (t === 18 && matched) {
        found = readAnyValue(r, 1);
      } else {
        r.skip(t & 7);
      }
    }
    if (matched && found === undefined) found = EMPTY_VALUE;
    r.pos = kvEnd;
    r.end = outer;
  }
  return found;
}

interface PickerKey {
  readonly bytes: Uint8Array;
  readonly slot: number;
}

interface CompiledPicker {
  /** Candidate keys by byte length (an array, indexed by length): most keys differ by length alone. */
  readonly byLength: readonly (readonly PickerKey[] | undefined)[];
}

const compiledPickers = new WeakMap<AttributePicker, CompiledPicker>();

function compile(picker: AttributePicker): CompiledPicker {
  let c = compiledPickers.get(picker);
  if (!c) {
    const byLength: PickerKey[][] = [];
    picker.keys.forEach((key, slot) => {
      const bytes = utf8.encode(key);
      (byLength[bytes.length] ??= []).push({ bytes, slot });
    });
    c = { byLength };
    compiledPickers.set(picker, c);
  }
  return c;
}

/**
 * The picker's keys among the `field` KeyValues of the message in [start, end), in one pass that
 * reads each key's bytes once and decodes only the values asked for.
 */
export function pickAttributesAt(
  r: ProtoReader,
  start: number,
  end: number,
  field: number,
  picker: AttributePicker,
  out: (AnyValue | undefined)[],
): void {
  out.fill(undefined);
  const { byLength } = compile(picker);
  const wanted = (field << 3) | 2;
  const buf = r.buf;
  r.pos = start;
  r.end = end;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag !== wanted) {
      r.skip(tag & 7);
      continue;
    }
    const kvEnd = r.lengthEnd();
    const outer = r.end;
    r.end = kvEnd;
    let slot = -1;
    while (r.pos < kvEnd) {
      const t = r.tag();
      if (t === 10) {
        const kEnd = r.lengthEnd();
        const candidates = byLength[kEnd - r.pos];
        if (candidates !== undefined) {
          for (let k = 0; k < candidates.length; k++) {
            const c = candidates[k]!;
            const bytes = c.bytes;
            // Keys sharing a length usually share a prefix ("http.") too, so compare from the end.
            let same = true;
            for (let i = bytes.length - 1; i >= 0; i--) {
              if (buf[r.pos + i] !== bytes[i]) {
                same = false;
                break;
              }
            }
            if (same) {
              slot = c.slot;
              break;
            }
          }
        }
        r.pos = kEnd;
        if (slot < 0) break;
      } else if (t === 18 && slot >= 0) {
        out[slot] = readAnyValue(r, 1);
      } else {
        r.skip(t & 7);
      }
    }
    if (slot >= 0 && out[slot] === undefined) out[slot] = EMPTY_VALUE;
    r.pos = kvEnd;
    r.end = outer;
  }
}

let scratch: ProtoReader | undefined;

/**
 * A reader over `source` for one leaf lookup. The last one is reused while the source is the same
 * buffer: a lookup per span would otherwise allocate a reader (and its DataView) per span.
 */
export function scratchReader(source: Uint8Array, start: number, end: number): ProtoReader {
  if (scratch === undefined || scratch.buf !== source) scratch = new ProtoReader(source, start, end);
  scratch.pos = start;
  scratch.end = end;
  return scratch;
}

export function readResource(r: ProtoReader): Resource {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  const attributes: KeyValue[] = [];
  let droppedAttributesCount = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) attributes.push(readKeyValue(r, 0));
    else if (tag === 16) droppedAttributesCount = r.uint32();
    else r.skip(tag & 7);
  }
  r.end = outer;
  return { attributes, droppedAttributesCount };
}

export function readScope(r: ProtoReader): InstrumentationScope {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  let name = '';
  let version = '';
  const attributes: KeyValue[] = [];
  let droppedAttributesCount = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10:
        name = r.string();
        break;
      case 18:
        version = r.string();
        break;
      case 26:
        attributes.push(readKeyValue(r, 0));
        break;
      case 32:
        droppedAttributesCount = r.uint32();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.end = outer;
  return { name, version, attributes, droppedAttributesCount };
}

/** Checks one length-delimited KeyValue without decoding it. */
export function skipKeyValue(r: ProtoReader, depth: number): void {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 18) skipAnyValue(r, depth + 1);
    else r.skip(tag & 7);
  }
  r.end = outer;
}

function skipAnyValue(r: ProtoReader, depth: number): void {
  if (depth > MAX_ANY_VALUE_DEPTH) throw tooDeep();
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 42 || tag === 50) skipList(r, depth, tag === 50);
    else r.skip(tag & 7);
  }
  r.end = outer;
}

function skipList(r: ProtoReader, depth: number, keyValues: boolean): void {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag !== 10) r.skip(tag & 7);
    else if (keyValues) skipKeyValue(r, depth + 1);
    else skipAnyValue(r, depth + 1);
  }
  r.end = outer;
}
