import { SpanKind as ApiSpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { SeverityNumber as ApiSeverityNumber } from '@opentelemetry/api-logs';
import type { HrTime } from '@opentelemetry/api';
import { JsonLogsSerializer, JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { attributesToPlain, anyValueToPlain, getStringAttribute } from '../../../src/model/attributes.js';
import { idToHex } from '../../../src/model/ids.js';
import { SeverityNumber } from '../../../src/model/log-record.js';
import { SpanKind, StatusCode } from '../../../src/model/span.js';
import { decodeLogsJson } from '../../../src/wire/otlp/json-logs-decoder.js';
import { decodeTracesJson } from '../../../src/wire/otlp/json-traces-decoder.js';

// What the OpenTelemetry JS SDK really sends over OTLP/HTTP JSON, produced by its own serializers
// from spans and log records made by its own providers, must decode to the same data.

// Exact, unlike the SDK's float helper: today's nanosecond timestamps pass 2^53.
const hrToNanos = (t: HrTime): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

const text = (bytes: Uint8Array | undefined): string => new TextDecoder().decode(bytes);

const resource = resourceFromAttributes({
  'service.name': 'checkout',
  'service.version': '1.4.2',
  'deployment.environment.name': 'canary',
  'host.cpu.count': 8,
});

describe('OTLP/JSON from the OpenTelemetry JS trace SDK', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(exporter)] });
  afterAll(() => provider.shutdown());

  async function produceSpans(): Promise<ReadableSpan[]> {
    const tracer = provider.getTracer('corrgate-test', '0.9.1');
    const parent = tracer.startSpan('GET /cart', {
      kind: ApiSpanKind.SERVER,
      attributes: {
        'http.response.status_code': 503,
        'http.route': '/cart',
        ratio: 0.25,
        retried: true,
        tags: ['a', 'b'],
        'unicode.text': 'Grüße, 世界 🚀',
      },
    });
    const child = tracer.startSpan(
      'SELECT carts',
      { kind: ApiSpanKind.CLIENT, links: [{ context: parent.spanContext(), attributes: { reason: 'retry' } }] },
      trace.setSpan(context.active(), parent),
    );
    child.addEvent('rows', { count: 3 });
    child.setStatus({ code: SpanStatusCode.OK });
    child.end();
    parent.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream unavailable' });
    parent.recordException(new Error('boom'));
    parent.end();
    await provider.forceFlush();
    return exporter.getFinishedSpans();
  }

  it('decodes IDs, names, kinds, attributes, resource, status, events, links and timestamps', async () => {
    const originals = await produceSpans();
    expect(originals).toHaveLength(2);
    const { batch, rejected, errorMessage } = decodeTracesJson(text(JsonTraceSerializer.serializeRequest(originals)));
    expect(rejected).toBe(0);
    expect(errorMessage).toBe('');
    expect(batch.itemCount).toBe(2);

    const rs = batch.resourceSpans[0]!;
    expect(getStringAttribute(rs.resource.attributes, 'service.name')).toBe('checkout');
    expect(attributesToPlain(rs.resource.attributes)).toMatchObject({
      'service.version': '1.4.2',
      'deployment.environment.name': 'canary',
      'host.cpu.count': 8,
    });
    const ss = rs.scopeSpans[0]!;
    expect(ss.scope.name).toBe('corrgate-test');
    expect(ss.scope.version).toBe('0.9.1');

    for (const original of originals) {
      const ctx = original.spanContext();
      const span = ss.spans.find((s) => idToHex(s.spanId) === ctx.spanId);
      expect(span, original.name).toBeDefined();
      expect(idToHex(span!.traceId)).toBe(ctx.traceId);
      expect(idToHex(span!.parentSpanId)).toBe(original.parentSpanContext?.spanId ?? '');
      expect(span!.name).toBe(original.name);
      // The API's kinds start at INTERNAL = 0; OTLP's leave 0 for UNSPECIFIED.
      expect(span!.kind).toBe(original.kind + 1);
      expect(span!.startTimeUnixNano).toBe(hrToNanos(original.startTime));
      expect(span!.endTimeUnixNano).toBe(hrToNanos(original.endTime));
      expect(span!.status.code).toBe(original.status.code);
      expect(span!.status.message).toBe(original.status.message ?? '');
      expect(span!.flags & 0xff).toBe(ctx.traceFlags);
      expect(attributesToPlain(span!.attributes)).toEqual(original.attributes);
      expect(span!.events.map((e) => e.name)).toEqual(original.events.map((e) => e.name));
      span!.events.forEach((e, i) => {
        expect(e.timeUnixNano).toBe(hrToNanos(original.events[i]!.time));
        expect(attributesToPlain(e.attributes)).toEqual(original.events[i]!.attributes ?? {});
      });
    }

    const server = ss.spans.find((s) => s.name === 'GET /cart')!;
    const client = ss.spans.find((s) => s.name === 'SELECT carts')!;
    expect(server.kind).toBe(SpanKind.Server);
    expect(server.status).toEqual({ code: StatusCode.Error, message: 'upstream unavailable' });
    expect(server.attributes.find((kv) => kv.key === 'http.response.status_code')!.value).toEqual({ type: 'int', value: 503n });
    expect(server.attributes.find((kv) => kv.key === 'ratio')!.value).toEqual({ type: 'double', value: 0.25 });
    expect(server.events[0]!.name).toBe('exception');
    expect(client.kind).toBe(SpanKind.Client);
    expect(client.status.code).toBe(StatusCode.Ok);
    expect(client.parentSpanId).toEqual(server.spanId);
    expect(client.links).toHaveLength(1);
    expect(client.links[0]!.traceId).toEqual(server.traceId);
    expect(client.links[0]!.spanId).toEqual(server.spanId);
    expect(attributesToPlain(client.links[0]!.attributes)).toEqual({ reason: 'retry' });
  });
});

describe('OTLP/JSON from the OpenTelemetry JS logs SDK', () => {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter })] });
  afterAll(() => provider.shutdown());

  async function produceLogs(): Promise<ReadableLogRecord[]> {
    const tracerProvider = new BasicTracerProvider();
    const span = tracerProvider.getTracer('t').startSpan('op');
    const logger = provider.getLogger('corrgate-logs', '2.0.0');
    logger.emit({
      severityNumber: ApiSeverityNumber.ERROR,
      severityText: 'ERROR',
      body: 'payment failed: карта отклонена',
      attributes: { 'error.type': 'card_declined', attempt: 2 },
      context: trace.setSpan(context.active(), span),
      timestamp: new Date('2025-03-01T12:00:00.123Z'),
    });
    logger.emit({
      severityNumber: ApiSeverityNumber.WARN2,
      body: { code: 7, parts: ['x', 1.5, false] },
      eventName: 'device.link.down',
    });
    span.end();
    await provider.forceFlush();
    await tracerProvider.shutdown();
    return exporter.getFinishedLogRecords();
  }

  it('decodes severity, body, attributes, trace context, resource and timestamps', async () => {
    const originals = await produceLogs();
    expect(originals).toHaveLength(2);
    const { batch, rejected } = decodeLogsJson(text(JsonLogsSerializer.serializeRequest(originals)));
    expect(rejected).toBe(0);
    expect(batch.itemCount).toBe(2);
    const rl = batch.resourceLogs[0]!;
    expect(attributesToPlain(rl.resource.attributes)).toMatchObject({ 'service.name': 'checkout', 'host.cpu.count': 8 });
    const sl = rl.scopeLogs[0]!;
    expect(sl.scope).toMatchObject({ name: 'corrgate-logs', version: '2.0.0' });

    const records = sl.logRecords;
    records.forEach((r, i) => {
      const original = originals[i]!;
      expect(r.severityNumber).toBe(original.severityNumber);
      expect(r.severityText).toBe(original.severityText ?? '');
      expect(anyValueToPlain(r.body)).toEqual(original.body);
      expect(attributesToPlain(r.attributes)).toEqual(original.attributes);
      expect(r.timeUnixNano).toBe(hrToNanos(original.hrTime));
      expect(r.observedTimeUnixNano).toBe(hrToNanos(original.hrTimeObserved));
      expect(idToHex(r.traceId)).toBe(original.spanContext?.traceId ?? '');
      expect(idToHex(r.spanId)).toBe(original.spanContext?.spanId ?? '');
      expect(r.eventName).toBe(original.eventName ?? '');
    });
    expect(records[0]!.severityNumber).toBe(SeverityNumber.Error);
    expect(records[0]!.timeUnixNano).toBe(1740830400123000000n);
    expect(records[0]!.traceId).toHaveLength(16);
    expect(records[1]!.severityNumber).toBe(SeverityNumber.Warn2);
    expect(records[1]!.body.type).toBe('kvlist');
    expect(records[1]!.eventName).toBe('device.link.down');
  });
});
