import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/wire/otlp/export-result.js';
import { encodeLogsRequest, encodeTracesRequest } from '../../../src/wire/otlp/protobuf-encoder.js';
import { decodeLogsRequest } from '../../../src/wire/otlp/protobuf-logs-decoder.js';
import { decodeTracesRequest } from '../../../src/wire/otlp/protobuf-traces-decoder.js';
import { ProtoWriter, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from '../../../src/wire/protobuf/writer.js';
import { fullLogBatch, fullTraceBatch, plainTraceBatch } from './protobuf-fixtures.js';

/** Runs fn and returns what it threw, so a test can check the type of every failure. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** Reads every lazy part, so a failure hidden behind a getter would surface here. */
function touchAll(buf: Uint8Array): void {
  const { batch } = decodeTracesRequest(buf);
  for (const rs of batch.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) void [s.attributes, s.events, s.links];
}

// A deterministic generator, so a failing corruption can be replayed.
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

describe('OTLP protobuf malformed input', () => {
  const traces = encodeTracesRequest(fullTraceBatch());
  const logs = encodeLogsRequest(fullLogBatch());

  it('throws DecodeError for every truncation of a valid request', () => {
    for (let len = 1; len < traces.length; len++) {
      const err = thrown(() => touchAll(traces.subarray(0, len)));
      // A cut that falls exactly between top-level messages leaves a valid, shorter request.
      if (err !== undefined) expect(err, `length ${len}`).toBeInstanceOf(DecodeError);
    }
    let failures = 0;
    for (let len = 1; len < traces.length; len++) if (thrown(() => decodeTracesRequest(traces.subarray(0, len)))) failures++;
    expect(failures).toBeGreaterThan(traces.length - 5);
    for (let len = 1; len < logs.length; len++) {
      const err = thrown(() => decodeLogsRequest(logs.subarray(0, len)));
      if (err !== undefined) expect(err).toBeInstanceOf(DecodeError);
    }
  });

  it('throws only DecodeError for random byte flips, and lazy getters never throw after a clean decode', () => {
    const next = lcg(42);
    for (let i = 0; i < 3000; i++) {
      const corrupt = traces.slice();
      const flips = 1 + (next() % 4);
      for (let f = 0; f < flips; f++) corrupt[next() % corrupt.length] = next() & 255;
      const err = thrown(() => touchAll(corrupt));
      if (err !== undefined) expect(err, `case ${i}`).toBeInstanceOf(DecodeError);
      const logCorrupt = logs.slice();
      logCorrupt[next() % logCorrupt.length] = next() & 255;
      const logErr = thrown(() => {
        for (const sl of decodeLogsRequest(logCorrupt).batch.resourceLogs[0]?.scopeLogs ?? []) for (const l of sl.logRecords) void l.attributes;
      });
      if (logErr !== undefined) expect(logErr).toBeInstanceOf(DecodeError);
    }
  });

  it('throws only DecodeError for random garbage', () => {
    const next = lcg(7);
    for (let i = 0; i < 2000; i++) {
      const garbage = Uint8Array.from({ length: 1 + (next() % 64) }, () => next() & 255);
      const err = thrown(() => touchAll(garbage));
      if (err !== undefined) expect(err).toBeInstanceOf(DecodeError);
    }
  });

  it('names the problem for classic corruptions', () => {
    expect(() => decodeTracesRequest(Uint8Array.of(0x0a, 0x05, 0x01))).toThrow(/past the end/);
    expect(() => decodeTracesRequest(Uint8Array.of(0x0b))).toThrow(/wire type 3/);
    expect(() => decodeTracesRequest(Uint8Array.of(0x00, 0x00))).toThrow(/field number 0/);
    expect(() => decodeTracesRequest(Uint8Array.of(0x08, 0xff, 0xff))).toThrow(/truncated varint/);
    expect(() => decodeTracesRequest(Uint8Array.of(0x08, ...new Array<number>(11).fill(0xff)))).toThrow(/longer than 10/);
    expect(() => decodeLogsRequest(Uint8Array.of(0x0d, 1, 2))).toThrow(DecodeError);
  });

  it('refuses a span whose attribute runs past the span, instead of reading into the next one', () => {
    // ResourceSpans{ScopeSpans{Span{attributes: KeyValue claiming 10 bytes, but the span ends after 2}}}
    const w = new ProtoWriter();
    const rs = w.beginMessage(1);
    const ss = w.beginMessage(2);
    const span = w.beginMessage(2);
    w.tag(9, WIRE_LEN);
    w.varint(10);
    w.tag(1, WIRE_LEN);
    w.endMessage(span);
    w.raw(new Uint8Array(16)); // bytes the attribute would wrongly swallow
    w.endMessage(ss);
    w.endMessage(rs);
    expect(() => decodeTracesRequest(w.finish())).toThrow(/past the end/);
  });

  it('refuses AnyValue nesting deep enough to exhaust the stack, as DecodeError', () => {
    // Build array_value{values: array_value{...}} 100000 levels deep, inside out.
    let inner: Uint8Array = new Uint8Array(0);
    const depth = 100_000;
    const chunks: Uint8Array[] = [];
    // Each level is AnyValue{5: ArrayValue{1: AnyValue}}; write lengths from the inside out.
    let size = 0;
    const prefixes: number[][] = [];
    for (let i = 0; i < depth; i++) {
      const arrayLen = size === 0 ? 0 : 1 + varintLen(size) + size; // ArrayValue{1: inner AnyValue}
      const anyLen = 1 + varintLen(arrayLen) + arrayLen;
      prefixes.push(size === 0 ? [0x2a, ...varint(arrayLen)] : [0x2a, ...varint(arrayLen), 0x0a, ...varint(size)]);
      size = anyLen;
    }
    for (let i = prefixes.length - 1; i >= 0; i--) chunks.push(Uint8Array.from(prefixes[i]!));
    inner = concat(chunks);
    const kv = concat([Uint8Array.of(0x12, ...varint(inner.length)), inner]);
    const body = concat([Uint8Array.of(0x2a, ...varint(inner.length)), inner]);
    const logRecord = concat([Uint8Array.of(0x32, ...varint(kv.length)), kv, body]);
    const scopeLogs = concat([Uint8Array.of(0x12, ...varint(logRecord.length)), logRecord]);
    const resourceLogs = concat([Uint8Array.of(0x12, ...varint(scopeLogs.length)), scopeLogs]);
    const request = concat([Uint8Array.of(0x0a, ...varint(resourceLogs.length)), resourceLogs]);
    const err = thrown(() => decodeLogsRequest(request));
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as Error).message).toMatch(/nested deeper than 64/);
  });

  it('skips unknown and deprecated fields of every message', () => {
    const batch = fullTraceBatch();
    const clean = encodeTracesRequest(batch);
    // Append unknown fields of each wire type at the top level and inside a ResourceSpans.
    const w = new ProtoWriter();
    const rs = w.beginMessage(1);
    w.tag(1000, WIRE_LEN); // the pre-1.0 instrumentation_library_spans
    w.bytes(Uint8Array.of(0x0a, 0x00));
    w.tag(99, WIRE_VARINT);
    w.varint64(-1n);
    w.tag(98, WIRE_I64);
    w.fixed64(5n);
    w.tag(97, WIRE_I32);
    w.fixed32(5);
    const ss = w.beginMessage(2);
    const span = w.beginMessage(2);
    w.tag(1, WIRE_LEN);
    w.bytes(Uint8Array.from({ length: 16 }, (_, i) => i + 1));
    w.tag(2, WIRE_LEN);
    w.bytes(Uint8Array.from({ length: 8 }, (_, i) => i + 1));
    w.tag(5, WIRE_LEN);
    w.string('with unknowns');
    w.tag(17, WIRE_LEN); // a field a future OTLP may add to Span
    w.string('future');
    const status = w.beginMessage(15);
    w.tag(1, WIRE_VARINT); // Status.deprecated_code
    w.varint(2);
    w.tag(3, WIRE_VARINT);
    w.varint(1);
    w.endMessage(status);
    w.tag(5, WIRE_VARINT); // name with the wrong wire type is treated as unknown
    w.varint(1);
    const attr = w.beginMessage(9);
    w.tag(1, WIRE_LEN);
    w.string('k');
    w.tag(3, WIRE_VARINT); // unknown KeyValue field
    w.varint(3);
    const value = w.beginMessage(2);
    w.tag(8, WIRE_VARINT); // an AnyValue member this decoder does not know
    w.varint(4);
    w.endMessage(value);
    w.endMessage(attr);
    w.endMessage(span);
    w.endMessage(ss);
    w.endMessage(rs);
    w.tag(50, WIRE_LEN);
    w.string('unknown top-level field');
    const extra = w.finish();
    const combined = concat([clean, extra]);
    const { batch: decoded, rejected } = decodeTracesRequest(combined);
    expect(rejected).toBe(0);
    expect(plainTraceBatch({ ...decoded, resourceSpans: decoded.resourceSpans.slice(0, -1), itemCount: batch.itemCount })).toEqual(plainTraceBatch(batch));
    const last = decoded.resourceSpans.at(-1)!.scopeSpans[0]!.spans[0]!;
    expect(last.name).toBe('with unknowns');
    expect(last.status).toEqual({ code: 1, message: '' });
    expect(last.attributes).toEqual([{ key: 'k', value: { type: 'empty' } }]);
    expect(decoded.itemCount).toBe(batch.itemCount + 1);
  });
});

function varintLen(n: number): number {
  return varint(n).length;
}

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
