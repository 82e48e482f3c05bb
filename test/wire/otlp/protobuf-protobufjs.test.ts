import { describe, expect, it } from 'vitest';
import { idToHex } from '../../../src/model/ids.js';
import { encodeLogsRequest, encodeTracesRequest } from '../../../src/wire/otlp/protobuf-encoder.js';
import { decodeLogsRequest } from '../../../src/wire/otlp/protobuf-logs-decoder.js';
import { decodeTracesRequest } from '../../../src/wire/otlp/protobuf-traces-decoder.js';
import { fullLogBatch, fullTraceBatch, loadProtoRoot, plainLogBatch, plainTraceBatch } from './protobuf-fixtures.js';

// protobufjs, reading corrgate's own proto/ files, is an independent codec: what one writes the
// other must read identically, in both directions.

const root = loadProtoRoot();
const TraceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const LogsRequest = root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
const toObjectOptions = { longs: String, bytes: String, enums: Number, defaults: false, oneofs: false } as const;
/** protobufjs returns Buffers; our IDs are views of the input, so compare them as plain Uint8Arrays. */
const plain = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const hexOfBase64 = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');

describe('OTLP protobuf against protobufjs', () => {
  it('protobufjs reads what our trace encoder writes', () => {
    const batch = fullTraceBatch();
    const obj = TraceRequest.toObject(TraceRequest.decode(encodeTracesRequest(batch)), toObjectOptions) as any;
    const rs = obj.resourceSpans[0];
    expect(rs.resource.attributes[0]).toEqual({ key: 'service.name', value: { stringValue: 'checkout' } });
    expect(rs.resource.droppedAttributesCount).toBe(1);
    expect(rs.schemaUrl).toBe('https://opentelemetry.io/schemas/1.26.0');
    const span = rs.scopeSpans[0].spans[0];
    const original = batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(hexOfBase64(span.traceId)).toBe(idToHex(original.traceId));
    expect(hexOfBase64(span.spanId)).toBe(idToHex(original.spanId));
    expect(hexOfBase64(span.parentSpanId)).toBe(idToHex(original.parentSpanId));
    expect(span).toMatchObject({
      name: 'GET /api/ürl/1',
      kind: 3,
      flags: 0x301,
      traceState: 'vendor=abc,other=1',
      startTimeUnixNano: '1700000000000000001',
      endTimeUnixNano: '1700000000250000001',
      droppedAttributesCount: 2,
      droppedEventsCount: 3,
      droppedLinksCount: 5,
      status: { code: 2, message: 'boom — überlastet' },
    });
    const attrs = Object.fromEntries(span.attributes.map((kv: any) => [kv.key, kv.value]));
    expect(attrs['int.min']).toEqual({ intValue: '-9223372036854775808' });
    expect(attrs['int.negative']).toEqual({ intValue: '-1' });
    expect(attrs['str.empty']).toEqual({ stringValue: '' });
    expect(attrs['bool.false']).toEqual({ boolValue: false });
    expect(attrs['double']).toEqual({ doubleValue: 3.25 });
    expect(attrs['bytes']).toEqual({ bytesValue: Buffer.from([0, 1, 254, 255]).toString('base64') });
    expect(attrs['array'].arrayValue.values).toHaveLength(4);
    expect(attrs['kvlist'].kvlistValue.values[1].value.kvlistValue.values[0].key).toBe('deep');
    expect(attrs['empty']).toBeUndefined();
    expect(span.events[0]).toMatchObject({ timeUnixNano: '1700000000100000000', name: 'exception', droppedAttributesCount: 1 });
    expect(span.links[0]).toMatchObject({ traceState: 'k=v', flags: 1, droppedAttributesCount: 4 });
  });

  it('we read what protobufjs writes from what we wrote, for traces and logs', () => {
    const traces = fullTraceBatch();
    const viaPbjs = TraceRequest.encode(TraceRequest.decode(encodeTracesRequest(traces))).finish();
    expect(plainTraceBatch(decodeTracesRequest(plain(viaPbjs)).batch)).toEqual(plainTraceBatch(traces));

    const logs = fullLogBatch();
    const logsViaPbjs = LogsRequest.encode(LogsRequest.decode(encodeLogsRequest(logs))).finish();
    expect(plainLogBatch(decodeLogsRequest(plain(logsViaPbjs)).batch)).toEqual(plainLogBatch(logs));
  });

  it('decodes a request protobufjs builds from a plain object', () => {
    const msg = TraceRequest.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'pay' } }] },
          scopeSpans: [
            {
              scope: { name: 'lib', version: '2' },
              spans: [
                {
                  traceId: Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex'),
                  spanId: Buffer.from('1112131415161718', 'hex'),
                  name: 'charge',
                  kind: 2,
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000000000999',
                  attributes: [
                    { key: 'http.response.status_code', value: { intValue: '503' } },
                    { key: 'neg', value: { intValue: '-5' } },
                  ],
                  status: { code: 2, message: 'upstream' },
                },
              ],
            },
          ],
        },
      ],
    });
    const { batch, rejected } = decodeTracesRequest(TraceRequest.encode(msg).finish());
    expect(rejected).toBe(0);
    const span = batch.resourceSpans[0]!.scopeSpans[0]!.spans[0]!;
    expect(idToHex(span.traceId)).toBe('0102030405060708090a0b0c0d0e0f10');
    expect(idToHex(span.spanId)).toBe('1112131415161718');
    expect(span.name).toBe('charge');
    expect(span.kind).toBe(2);
    expect(span.endTimeUnixNano - span.startTimeUnixNano).toBe(999n);
    expect(span.attributes).toEqual([
      { key: 'http.response.status_code', value: { type: 'int', value: 503n } },
      { key: 'neg', value: { type: 'int', value: -5n } },
    ]);
    expect(span.status).toEqual({ code: 2, message: 'upstream' });
    expect(batch.resourceSpans[0]!.scopeSpans[0]!.scope).toMatchObject({ name: 'lib', version: '2' });
  });

  it('writes the same bytes as protobufjs for the same logs', () => {
    // protobufjs writes fields in declaration order; our encoder writes in field-number order, which
    // the logs proto declares identically, so the two must agree byte for byte.
    const bytes = encodeLogsRequest(fullLogBatch());
    expect(Buffer.from(LogsRequest.encode(LogsRequest.decode(bytes)).finish())).toEqual(Buffer.from(bytes));
  });
});
