import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../../../src/model/log-record.js';
import type { Span } from '../../../src/model/span.js';
import { encodeLogsRequest, encodeTracesRequest } from '../../../src/wire/otlp/protobuf-encoder.js';
import { decodeLogsRequest } from '../../../src/wire/otlp/protobuf-logs-decoder.js';
import { decodeTracesRequest } from '../../../src/wire/otlp/protobuf-traces-decoder.js';
import { id, minimalLogRecord, minimalSpan } from './protobuf-fixtures.js';

const traces = (spans: Span[]) => ({
  signal: 'traces' as const,
  itemCount: spans.length,
  resourceSpans: [{ resource: { attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', scopeSpans: [{ scope: { name: 's', version: '', attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', spans }] }],
});
const logs = (logRecords: LogRecord[]) => ({
  signal: 'logs' as const,
  itemCount: logRecords.length,
  resourceLogs: [{ resource: { attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', scopeLogs: [{ scope: { name: 's', version: '', attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', logRecords }] }],
});

describe('OTLP protobuf partial success', () => {
  it('rejects a span with a short trace_id alone and says why', () => {
    const good = [minimalSpan(1), minimalSpan(2)];
    const bad = [{ ...minimalSpan(3), traceId: id(3, 3) }, { ...minimalSpan(4), traceId: id(17, 4) }];
    const result = decodeTracesRequest(encodeTracesRequest(traces([good[0]!, bad[0]!, good[1]!, bad[1]!])));
    expect(result.rejected).toBe(2);
    expect(result.errorMessage).toBe('2 spans rejected: trace_id must be 16 bytes (got 3)');
    expect(result.batch.itemCount).toBe(2);
    expect(result.batch.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.name)).toEqual(good.map((s) => s.name));
    expect(result.batch.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.spanId)).toEqual(good.map((s) => s.spanId));
  });

  it('rejects missing, short, all-zero span IDs and bad parent IDs', () => {
    const cases: [Partial<Span>, string][] = [
      [{ traceId: new Uint8Array(0) }, 'trace_id must be 16 bytes (got 0)'],
      [{ traceId: new Uint8Array(16) }, 'trace_id must not be all zeros'],
      [{ spanId: id(4, 1) }, 'span_id must be 8 bytes (got 4)'],
      [{ spanId: new Uint8Array(8) }, 'span_id must not be all zeros'],
      [{ parentSpanId: id(9, 1) }, 'parent_span_id must be 8 bytes (got 9)'],
    ];
    for (const [override, reason] of cases) {
      const result = decodeTracesRequest(encodeTracesRequest(traces([{ ...minimalSpan(7), ...override }, minimalSpan(8)])));
      expect(result.rejected, reason).toBe(1);
      expect(result.errorMessage).toBe(`1 span rejected: ${reason}`);
      expect(result.batch.itemCount).toBe(1);
    }
  });

  it('keeps a scope whose spans were all rejected, empty', () => {
    const result = decodeTracesRequest(encodeTracesRequest(traces([{ ...minimalSpan(1), spanId: id(2, 1) }])));
    expect(result.rejected).toBe(1);
    expect(result.batch.itemCount).toBe(0);
    expect(result.batch.resourceSpans[0]!.scopeSpans[0]!.spans).toEqual([]);
  });

  it('rejects a log record whose IDs are present with the wrong length, and accepts absent IDs', () => {
    const withoutIds = minimalLogRecord();
    const withIds = { ...minimalLogRecord(), traceId: id(16, 1), spanId: id(8, 2), severityText: 'ok' };
    const badTrace = { ...minimalLogRecord(), traceId: id(15, 1) };
    const badSpan = { ...minimalLogRecord(), spanId: id(7, 1), traceId: id(16, 1) };
    const result = decodeLogsRequest(encodeLogsRequest(logs([withoutIds, badTrace, withIds, badSpan])));
    expect(result.rejected).toBe(2);
    expect(result.errorMessage).toBe('2 log records rejected: trace_id must be 16 bytes (got 15)');
    const kept = result.batch.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(kept).toHaveLength(2);
    expect(kept[1]!.severityText).toBe('ok');
    expect(result.batch.itemCount).toBe(2);

    const one = decodeLogsRequest(encodeLogsRequest(logs([badSpan])));
    expect(one.errorMessage).toBe('1 log record rejected: span_id must be 8 bytes (got 7)');
  });

  it('reports nothing when nothing is rejected', () => {
    const result = decodeTracesRequest(encodeTracesRequest(traces([minimalSpan(1)])));
    expect(result).toMatchObject({ rejected: 0, errorMessage: '' });
  });
});
