import { describe, expect, it } from 'vitest';
import { encodeLogsRequest, encodeTracesRequest } from '../../../src/wire/otlp/protobuf-encoder.js';
import { DecodedLogRecord } from '../../../src/wire/otlp/protobuf-decoded-log-record.js';
import { DecodedSpan } from '../../../src/wire/otlp/protobuf-decoded-span.js';
import { decodeLogsRequest } from '../../../src/wire/otlp/protobuf-logs-decoder.js';
import { decodeTracesRequest } from '../../../src/wire/otlp/protobuf-traces-decoder.js';
import { fullLogBatch, fullTraceBatch, plainTraceBatch } from './protobuf-fixtures.js';

describe('OTLP protobuf lazy decoding', () => {
  it('gives IDs as views of the input, not copies', () => {
    const bytes = encodeTracesRequest(fullTraceBatch());
    const span = decodeTracesRequest(bytes).batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.traceId.buffer).toBe(bytes.buffer);
    expect(span.spanId.buffer).toBe(bytes.buffer);
    const log = decodeLogsRequest(encodeLogsRequest(fullLogBatch())).batch.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    expect(log).toBeInstanceOf(DecodedLogRecord);
  });

  it('decodes attributes, events and links once and caches them', () => {
    const span = decodeTracesRequest(encodeTracesRequest(fullTraceBatch())).batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span).toBeInstanceOf(DecodedSpan);
    const decoded = span as DecodedSpan;
    expect(decoded.isRaw(9)).toBe(true);
    const attrs = span.attributes;
    expect(attrs.length).toBe(fullTraceBatch().resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes.length);
    expect(span.attributes).toBe(attrs);
    expect(decoded.isRaw(9)).toBe(false);
    expect(decoded.isRaw(11)).toBe(true);
    expect(span.events).toBe(span.events);
    expect(span.links).toBe(span.links);
    expect(decoded.isRaw(11) || decoded.isRaw(13)).toBe(false);
  });

  it('reads only its own bytes when two requests share one buffer', () => {
    // Decoding two requests from one shared buffer: each span must read only its own bytes.
    const a = encodeTracesRequest(fullTraceBatch());
    const shared = new Uint8Array(a.length * 2);
    shared.set(a, 0);
    shared.set(a, a.length);
    const first = decodeTracesRequest(shared.subarray(0, a.length)).batch;
    const second = decodeTracesRequest(shared.subarray(a.length)).batch;
    expect(plainTraceBatch(first)).toEqual(plainTraceBatch(fullTraceBatch()));
    expect(plainTraceBatch(second)).toEqual(plainTraceBatch(fullTraceBatch()));
  });

  it('re-encodes a mix of read and unread spans to an equivalent request', () => {
    const bytes = encodeTracesRequest(fullTraceBatch());
    const batch = decodeTracesRequest(bytes).batch;
    void batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.events; // only one part of one span is read
    const again = decodeTracesRequest(encodeTracesRequest(batch)).batch;
    expect(plainTraceBatch(again)).toEqual(plainTraceBatch(fullTraceBatch()));
  });

  it('gives shared empty arrays for absent parts without walking the span again', () => {
    const batch = decodeTracesRequest(encodeTracesRequest(fullTraceBatch())).batch;
    const minimal = batch.resourceSpans[0]!.scopeSpans[0]!.spans[1]! as DecodedSpan;
    expect(minimal.attributeCount + minimal.eventCount + minimal.linkCount).toBe(0);
    expect(minimal.attributes).toEqual([]);
    expect(Object.isFrozen(minimal.events)).toBe(true);
  });
});
