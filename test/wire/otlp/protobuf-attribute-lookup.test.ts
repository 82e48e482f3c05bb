import { describe, expect, it } from 'vitest';
import { dbl, int, str } from '../../../src/model/attributes.js';
import { logBatch, traceBatch } from '../../../src/model/batch.js';
import { SeverityNumber, logAttribute } from '../../../src/model/log-record.js';
import { EMPTY_SCOPE } from '../../../src/model/resource.js';
import { AttributePicker } from '../../../src/model/attribute-picker.js';
import { pickSpanAttributes, spanAttribute } from '../../../src/model/span.js';
import type { Span } from '../../../src/model/span.js';
import { decodeLogsRequest } from '../../../src/wire/otlp/protobuf-logs-decoder.js';
import { encodeLogsRequest, encodeTracesRequest } from '../../../src/wire/otlp/protobuf-encoder.js';
import { decodeTracesRequest } from '../../../src/wire/otlp/protobuf-traces-decoder.js';
import { makeSpan } from '../../helpers/batches.js';

function decodedSpan(attrs: Span['attributes']): Span {
  const batch = traceBatch([{ resource: { attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', scopeSpans: [{ scope: EMPTY_SCOPE, schemaUrl: '', spans: [makeSpan({ attributes: attrs })] }] }]);
  return decodeTracesRequest(encodeTracesRequest(batch)).batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
}

describe('attribute lookup on undecoded bytes', () => {
  it('finds one attribute by key without materialising the others, last duplicate winning', () => {
    const span = decodedSpan([
      { key: 'http.request.method', value: str('GET') },
      { key: 'http.response.status_code', value: int(503) },
      { key: 'http.status', value: str('not this') },
      { key: 'http.response.status_code', value: int(504) },
      { key: 'ratio', value: dbl(0.5) },
    ]);
    expect(span.attribute).toBeTypeOf('function');
    expect(spanAttribute(span, 'http.response.status_code')).toEqual(int(504));
    expect(spanAttribute(span, 'ratio')).toEqual(dbl(0.5));
    expect(spanAttribute(span, 'http.status_code')).toBeUndefined();
    expect(spanAttribute(span, 'http')).toBeUndefined();
    // Nothing was decoded by the lookups: an encoder may still copy the raw bytes.
    expect((span as unknown as { isRaw(f: number): boolean }).isRaw(9)).toBe(true);
    expect(span.attributes).toHaveLength(5);
    expect(spanAttribute(span, 'http.request.method')).toEqual(str('GET'));
  });

  it('picks several attributes in one pass over the bytes, as the decoded attributes would give them', () => {
    const attrs = [
      { key: 'http.status_code', value: str('503') },
      { key: 'server.address', value: str('payments.svc') },
      { key: 'server.address', value: str('payments.internal') },
      { key: 'http.response.status_code', value: int(500) },
    ];
    const picker = new AttributePicker(['server.address', 'http.status_code', 'absent.key', 'http.response.status_code']);
    const span = decodedSpan(attrs);
    const fromBytes = picker.slots();
    pickSpanAttributes(span, picker, fromBytes);
    expect((span as unknown as { isRaw(f: number): boolean }).isRaw(9)).toBe(true);
    const fromModel = picker.slots();
    picker.pick(attrs, fromModel);
    expect(fromBytes).toEqual([str('payments.internal'), str('503'), undefined, int(500)]);
    expect(fromBytes).toEqual(fromModel);
    // Slots are cleared between uses.
    pickSpanAttributes(decodedSpan([]), picker, fromBytes);
    expect(fromBytes).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('works for log records and for plain model objects alike', () => {
    const record = {
      timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: SeverityNumber.Error, severityText: 'ERROR', body: str('x'),
      attributes: [{ key: 'event.name', value: str('network.interface.down') }], droppedAttributesCount: 0, flags: 0,
      traceId: new Uint8Array(0), spanId: new Uint8Array(0), eventName: '',
    };
    expect(logAttribute(record, 'event.name')).toEqual(str('network.interface.down'));
    const decoded = decodeLogsRequest(encodeLogsRequest(logBatch([{ resource: { attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', scopeLogs: [{ scope: EMPTY_SCOPE, schemaUrl: '', logRecords: [record] }] }]))).batch;
    const got = decoded.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]!;
    expect(got.attribute).toBeTypeOf('function');
    expect(logAttribute(got, 'event.name')).toEqual(str('network.interface.down'));
    expect(logAttribute(got, 'missing')).toBeUndefined();
  });
});
