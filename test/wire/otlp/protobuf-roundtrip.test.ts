import { describe, expect, it } from 'vitest';
import { idToHex } from '../../../src/model/ids.js';
import { encodeLogsRequest, encodeTracesRequest } from '../../../src/wire/otlp/protobuf-encoder.js';
import { decodeLogsRequest } from '../../../src/wire/otlp/protobuf-logs-decoder.js';
import { decodeTracesRequest } from '../../../src/wire/otlp/protobuf-traces-decoder.js';
import { fullLogBatch, fullTraceBatch, plainLogBatch, plainTraceBatch } from './protobuf-fixtures.js';

describe('OTLP protobuf round trip', () => {
  it('keeps every span field and every AnyValue type', () => {
    const batch = fullTraceBatch();
    const decoded = decodeTracesRequest(encodeTracesRequest(batch));
    expect(decoded.rejected).toBe(0);
    expect(decoded.errorMessage).toBe('');
    expect(plainTraceBatch(decoded.batch)).toEqual(plainTraceBatch(batch));
  });

  it('keeps every log record field, with each AnyValue type as a body', () => {
    const batch = fullLogBatch();
    const decoded = decodeLogsRequest(encodeLogsRequest(batch));
    expect(decoded.rejected).toBe(0);
    expect(plainLogBatch(decoded.batch)).toEqual(plainLogBatch(batch));
  });

  it('keeps negative and extreme int64 values exact', () => {
    const decoded = decodeTracesRequest(encodeTracesRequest(fullTraceBatch()));
    const attrs = decoded.batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.attributes;
    const ints = Object.fromEntries(attrs.filter((kv) => kv.value.type === 'int').map((kv) => [kv.key, kv.value.type === 'int' ? kv.value.value : 0n]));
    expect(ints).toEqual({
      'int.zero': 0n,
      'int.small': 200n,
      'int.negative': -1n,
      'int.min': -9223372036854775808n,
      'int.max': 9223372036854775807n,
      'int.big': 1700000000123456789n,
    });
  });

  it('keeps unicode strings and IDs byte for byte', () => {
    const batch = fullTraceBatch();
    const span = decodeTracesRequest(encodeTracesRequest(batch)).batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    const original = batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(span.name).toBe('GET /api/ürl/1');
    expect(span.status.message).toBe('boom — überlastet');
    expect(idToHex(span.traceId)).toBe(idToHex(original.traceId));
    expect(idToHex(span.parentSpanId)).toBe(idToHex(original.parentSpanId));
  });

  it('encodes an empty batch as an empty message that decodes to an empty batch', () => {
    const traces = encodeTracesRequest({ signal: 'traces', resourceSpans: [], itemCount: 0 });
    const logs = encodeLogsRequest({ signal: 'logs', resourceLogs: [], itemCount: 0 });
    expect(traces.length).toBe(0);
    expect(logs.length).toBe(0);
    expect(decodeTracesRequest(traces)).toEqual({ batch: { signal: 'traces', resourceSpans: [], itemCount: 0 }, rejected: 0, errorMessage: '' });
    expect(decodeLogsRequest(logs)).toEqual({ batch: { signal: 'logs', resourceLogs: [], itemCount: 0 }, rejected: 0, errorMessage: '' });
  });

  it('re-encodes a decoded batch to the same bytes whether or not its lazy parts were read', () => {
    const bytes = encodeTracesRequest(fullTraceBatch());
    const untouched = decodeTracesRequest(bytes).batch;
    expect(encodeTracesRequest(untouched)).toEqual(bytes);

    const touched = decodeTracesRequest(bytes).batch;
    for (const rs of touched.resourceSpans) for (const ss of rs.scopeSpans) for (const s of ss.spans) void [s.attributes, s.events, s.links];
    expect(encodeTracesRequest(touched)).toEqual(bytes);

    const logBytes = encodeLogsRequest(fullLogBatch());
    expect(encodeLogsRequest(decodeLogsRequest(logBytes).batch)).toEqual(logBytes);
  });

  it('counts the items it decodes', () => {
    expect(decodeTracesRequest(encodeTracesRequest(fullTraceBatch())).batch.itemCount).toBe(4);
    expect(decodeLogsRequest(encodeLogsRequest(fullLogBatch())).batch.itemCount).toBe(fullLogBatch().itemCount);
  });
});
