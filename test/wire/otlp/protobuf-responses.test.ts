import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src/wire/otlp/export-result.js';
import {
  decodeLogsResponse,
  decodeTracesResponse,
  encodeLogsResponse,
  encodeTracesResponse,
} from '../../../src/wire/otlp/protobuf-responses.js';
import { loadProtoRoot } from './protobuf-fixtures.js';

const root = loadProtoRoot();
const TraceResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
const LogsResponse = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');

describe('OTLP protobuf export responses', () => {
  it('encodes full success as the empty message', () => {
    expect(encodeTracesResponse({ rejected: 0, errorMessage: '' })).toEqual(new Uint8Array(0));
    expect(encodeLogsResponse({ rejected: 0, errorMessage: '' })).toEqual(new Uint8Array(0));
    expect(decodeTracesResponse(new Uint8Array(0))).toEqual({ rejected: 0, errorMessage: '' });
  });

  it('round-trips partial success and warnings', () => {
    for (const p of [
      { rejected: 5, errorMessage: '5 spans rejected: trace_id must be 16 bytes (got 3)' },
      { rejected: 0, errorMessage: 'a warning — with unicode' },
      { rejected: 2 ** 40, errorMessage: '' },
    ]) {
      expect(decodeTracesResponse(encodeTracesResponse(p))).toEqual(p);
      expect(decodeLogsResponse(encodeLogsResponse(p))).toEqual(p);
    }
  });

  it('agrees with protobufjs on the field numbers', () => {
    const t = TraceResponse.toObject(TraceResponse.decode(encodeTracesResponse({ rejected: 3, errorMessage: 'x' })), { longs: Number }) as any;
    expect(t).toEqual({ partialSuccess: { rejectedSpans: 3, errorMessage: 'x' } });
    const l = LogsResponse.toObject(LogsResponse.decode(encodeLogsResponse({ rejected: 4, errorMessage: 'y' })), { longs: Number }) as any;
    expect(l).toEqual({ partialSuccess: { rejectedLogRecords: 4, errorMessage: 'y' } });
    const fromPbjs = TraceResponse.encode(TraceResponse.fromObject({ partialSuccess: { rejectedSpans: 9, errorMessage: 'z' } })).finish();
    expect(decodeTracesResponse(fromPbjs)).toEqual({ rejected: 9, errorMessage: 'z' });
  });

  it('throws DecodeError on a malformed response', () => {
    expect(() => decodeTracesResponse(Uint8Array.of(0x0a, 0x09, 0x08))).toThrow(DecodeError);
    expect(() => decodeLogsResponse(Uint8Array.of(0x0f))).toThrow(DecodeError);
  });
});
