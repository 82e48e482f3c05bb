import { SeverityNumber as ApiSeverity } from '@opentelemetry/api-logs';
import { SpanKind as ApiSpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { attributesToPlain, getStringAttribute } from '../../../src/model/attributes.js';
import { idToHex } from '../../../src/model/ids.js';
import { SpanKind, StatusCode } from '../../../src/model/span.js';
import { decodeLogsRequest } from '../../../src/wire/otlp/protobuf-logs-decoder.js';
import { encodeLogsResponse, encodeTracesResponse } from '../../../src/wire/otlp/protobuf-responses.js';
import { decodeTracesRequest } from '../../../src/wire/otlp/protobuf-traces-decoder.js';

// The bytes here are what @opentelemetry/exporter-*-otlp-proto and -grpc send: the SDK's own
// ProtobufTraceSerializer / ProtobufLogsSerializer over spans and log records the SDK recorded.

const hrToNanos = (t: [number, number]): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);
const resource = resourceFromAttributes({ 'service.name': 'checkout', 'service.version': '2.0.1', 'k8s.pod.name': 'checkout-7f9c' });

describe('OTLP protobuf against the OpenTelemetry JS SDK', () => {
  it('decodes spans the SDK serializes exactly as the SDK recorded them', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('corrgate-test', '3.1.4');
    tracer.startActiveSpan('GET /cart', { kind: ApiSpanKind.SERVER }, (parent) => {
      parent.setAttributes({
        'http.request.method': 'GET',
        'http.response.status_code': 503,
        'http.route': '/cart',
        'server.port': 8080,
        'sampling.ratio': 0.25,
        retry: true,
        'tags.list': ['a', 'b'],
        'numbers.list': [1, 2, 3],
        'unicode.text': 'Zürich — 東京',
      });
      parent.addEvent('exception', { 'exception.type': 'TimeoutError', 'exception.message': 'upstream slow' });
      const child = tracer.startSpan('SELECT cart', {
        kind: ApiSpanKind.CLIENT,
        attributes: { 'db.system.name': 'postgresql' },
        links: [{ context: parent.spanContext(), attributes: { 'link.reason': 'retry' } }],
      });
      child.setStatus({ code: SpanStatusCode.OK });
      child.end();
      parent.setStatus({ code: SpanStatusCode.ERROR, message: 'backend unavailable' });
      parent.end();
    });
    await provider.forceFlush();
    const recorded = exporter.getFinishedSpans();
    expect(recorded).toHaveLength(2);

    const bytes = ProtobufTraceSerializer.serializeRequest(recorded)!;
    const { batch, rejected } = decodeTracesRequest(bytes);
    expect(rejected).toBe(0);
    expect(batch.itemCount).toBe(2);
    const rs = batch.resourceSpans[0]!;
    expect(getStringAttribute(rs.resource.attributes, 'service.name')).toBe('checkout');
    expect(getStringAttribute(rs.resource.attributes, 'k8s.pod.name')).toBe('checkout-7f9c');
    const ss = rs.scopeSpans[0]!;
    expect(ss.scope).toMatchObject({ name: 'corrgate-test', version: '3.1.4' });

    for (const sdkSpan of recorded) {
      const ours = ss.spans.find((s) => idToHex(s.spanId) === sdkSpan.spanContext().spanId);
      expect(ours, sdkSpan.name).toBeDefined();
      expect(idToHex(ours!.traceId)).toBe(sdkSpan.spanContext().traceId);
      expect(idToHex(ours!.parentSpanId)).toBe(sdkSpan.parentSpanContext?.spanId ?? '');
      expect(ours!.name).toBe(sdkSpan.name);
      expect(ours!.kind).toBe(sdkSpan.kind + 1); // the API's enum starts at INTERNAL = 0
      expect(ours!.startTimeUnixNano).toBe(hrToNanos(sdkSpan.startTime));
      expect(ours!.endTimeUnixNano).toBe(hrToNanos(sdkSpan.endTime));
      expect(ours!.status.code).toBe(sdkSpan.status.code);
      expect(ours!.status.message).toBe(sdkSpan.status.message ?? '');
      expect(ours!.flags & 0xff).toBe(sdkSpan.spanContext().traceFlags);
    }

    const parent = ss.spans.find((s) => s.name === 'GET /cart')!;
    expect(parent.kind).toBe(SpanKind.Server);
    expect(parent.status).toEqual({ code: StatusCode.Error, message: 'backend unavailable' });
    expect(attributesToPlain(parent.attributes)).toEqual({
      'http.request.method': 'GET',
      'http.response.status_code': 503,
      'http.route': '/cart',
      'server.port': 8080,
      'sampling.ratio': 0.25,
      retry: true,
      'tags.list': ['a', 'b'],
      'numbers.list': [1, 2, 3],
      'unicode.text': 'Zürich — 東京',
    });
    // The SDK sends integers as int64 and fractions as double; both must keep their type.
    expect(parent.attributes.find((kv) => kv.key === 'http.response.status_code')!.value).toEqual({ type: 'int', value: 503n });
    expect(parent.attributes.find((kv) => kv.key === 'sampling.ratio')!.value).toEqual({ type: 'double', value: 0.25 });
    expect(parent.events).toHaveLength(1);
    expect(parent.events[0]!.name).toBe('exception');
    expect(attributesToPlain(parent.events[0]!.attributes)).toEqual({ 'exception.type': 'TimeoutError', 'exception.message': 'upstream slow' });

    const child = ss.spans.find((s) => s.name === 'SELECT cart')!;
    expect(child.kind).toBe(SpanKind.Client);
    expect(child.status.code).toBe(StatusCode.Ok);
    expect(child.links).toHaveLength(1);
    expect(idToHex(child.links[0]!.spanId)).toBe(idToHex(parent.spanId));
    expect(attributesToPlain(child.links[0]!.attributes)).toEqual({ 'link.reason': 'retry' });
    await provider.shutdown();
  });

  it('decodes log records the SDK serializes exactly as the SDK recorded them', async () => {
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
    const logger = provider.getLogger('corrgate-logs', '1.0.0');
    logger.emit({
      severityNumber: ApiSeverity.ERROR,
      severityText: 'ERROR',
      body: 'link down on ge-0/0/1',
      attributes: { 'network.interface.name': 'ge-0/0/1', 'syslog.facility': 23 },
      timestamp: 1700000000123,
      eventName: 'device.link.down',
    });
    logger.emit({ severityNumber: ApiSeverity.INFO, body: { structured: { nested: 1, flag: false }, list: ['x', 2] } });
    await provider.forceFlush();
    const recorded = exporter.getFinishedLogRecords();
    expect(recorded).toHaveLength(2);

    const { batch, rejected } = decodeLogsRequest(ProtobufLogsSerializer.serializeRequest(recorded)!);
    expect(rejected).toBe(0);
    expect(batch.itemCount).toBe(2);
    const rl = batch.resourceLogs[0]!;
    expect(getStringAttribute(rl.resource.attributes, 'service.name')).toBe('checkout');
    expect(rl.scopeLogs[0]!.scope).toMatchObject({ name: 'corrgate-logs', version: '1.0.0' });
    const [first, second] = rl.scopeLogs[0]!.logRecords;
    expect(first!.severityNumber).toBe(17);
    expect(first!.severityText).toBe('ERROR');
    expect(first!.body).toEqual({ type: 'string', value: 'link down on ge-0/0/1' });
    expect(first!.timeUnixNano).toBe(hrToNanos(recorded[0]!.hrTime));
    expect(first!.timeUnixNano).toBe(1700000000123000000n);
    expect(first!.observedTimeUnixNano).toBe(hrToNanos(recorded[0]!.hrTimeObserved));
    expect(first!.eventName).toBe('device.link.down');
    expect(attributesToPlain(first!.attributes)).toEqual({ 'network.interface.name': 'ge-0/0/1', 'syslog.facility': 23 });
    expect(first!.traceId.length).toBe(0);
    expect(second!.severityNumber).toBe(9);
    expect(second!.body.type).toBe('kvlist');
    expect(JSON.parse(JSON.stringify(second!.body.type === 'kvlist' ? attributesToPlain(second!.body.value) : null))).toEqual({
      structured: { nested: 1, flag: false },
      list: ['x', 2],
    });
    await provider.shutdown();
  });

  it('writes responses the SDK reads as partial success', () => {
    const traces = ProtobufTraceSerializer.deserializeResponse(encodeTracesResponse({ rejected: 3, errorMessage: '3 spans rejected' }));
    expect(Number(traces.partialSuccess?.rejectedSpans)).toBe(3);
    expect(traces.partialSuccess?.errorMessage).toBe('3 spans rejected');
    const logs = ProtobufLogsSerializer.deserializeResponse(encodeLogsResponse({ rejected: 2, errorMessage: 'bad ids' }));
    expect(Number(logs.partialSuccess?.rejectedLogRecords)).toBe(2);
    expect(logs.partialSuccess?.errorMessage).toBe('bad ids');
    expect(ProtobufTraceSerializer.deserializeResponse(encodeTracesResponse({ rejected: 0, errorMessage: '' })).partialSuccess).toBeUndefined();
  });
});
