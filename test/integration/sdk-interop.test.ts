import { ROOT_CONTEXT, SpanKind as ApiSpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { SeverityNumber as ApiSeverity } from '@opentelemetry/api-logs';
import { OTLPLogExporter as LogsGrpc } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as LogsHttpJson } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as LogsHttpProto } from '@opentelemetry/exporter-logs-otlp-proto';
import { OTLPTraceExporter as TracesGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as TracesHttpJson } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as TracesHttpProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anyValueToPlain, attributesToPlain } from '../../src/model/attributes.js';
import { idToHex } from '../../src/model/ids.js';
import type { LogRecord } from '../../src/model/log-record.js';
import type { Resource } from '../../src/model/resource.js';
import type { Span } from '../../src/model/span.js';
import { waitFor } from '../helpers/net.js';
import { CAPTURE_CONFIG, startService } from '../helpers/service-harness.js';
import type { Harness } from '../helpers/service-harness.js';

// Real OpenTelemetry JS exporters send to corrgate A over each of the six OTLP paths; A forwards
// through its `otlp` exporter to corrgate B; B's pipeline sink is where every field is checked.

let front: Harness;
let back: Harness;

beforeAll(async () => {
  back = await startService(CAPTURE_CONFIG);
  front = await startService(`
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:GRPC_PORT
      http:
        endpoint: 127.0.0.1:HTTP_PORT
exporters:
  otlp:
    endpoint: 127.0.0.1:${back.grpcPort}
    tls:
      insecure: true
    retry_on_failure:
      initial_interval: 50ms
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [otlp]
    logs:
      receivers: [otlp]
      exporters: [otlp]
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`);
});

afterAll(async () => {
  await front?.service.shutdown();
  await back?.service.shutdown();
});

const nanos = (t: HrTime): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

function findSpan(spanIdHex: string): { span: Span; resource: Resource; scopeName: string } | undefined {
  for (const batch of back.capture.traces)
    for (const rs of batch.resourceSpans)
      for (const ss of rs.scopeSpans)
        for (const span of ss.spans) if (idToHex(span.spanId) === spanIdHex) return { span, resource: rs.resource, scopeName: ss.scope.name };
  return undefined;
}

function findLog(marker: string): { record: LogRecord; resource: Resource } | undefined {
  for (const batch of back.capture.logs)
    for (const rl of batch.resourceLogs)
      for (const sl of rl.scopeLogs)
        for (const record of sl.logRecords) if (anyValueToPlain(record.body) === marker) return { record, resource: rl.resource };
  return undefined;
}

async function sendSpans(path: string, exporter: SpanExporter) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': `checkout-${path}`, 'service.version': '2.4.1', 'deployment.environment.name': 'prod' }),
    spanProcessors: [new SimpleSpanProcessor(exporter), new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('interop-test', '1.0.0');
  const linked = tracer.startSpan('upstream');
  linked.end();
  const parent = tracer.startSpan('POST /checkout', {
    kind: ApiSpanKind.SERVER,
    attributes: { 'http.request.method': 'POST', 'http.response.status_code': 503, 'retry.ratio': 0.25, 'cache.hit': false, 'tags': ['a', 'b'] },
    links: [{ context: linked.spanContext(), attributes: { 'link.reason': 'follows' } }],
  });
  parent.addEvent('exception', { 'exception.type': 'TimeoutError', 'exception.message': 'payment timed out' });
  parent.setStatus({ code: SpanStatusCode.ERROR, message: 'payment backend unavailable' });
  const child = tracer.startSpan('charge card', { kind: ApiSpanKind.CLIENT }, trace.setSpan(ROOT_CONTEXT, parent));
  child.end();
  parent.end();
  await provider.forceFlush();
  // The in-memory exporter forgets its spans on shutdown, so take them first.
  const finished = memory.getFinishedSpans();
  await provider.shutdown();
  return { parent, child, linked, finished };
}

async function checkSpans(path: string, exporter: SpanExporter): Promise<void> {
  const { parent, child, linked, finished } = await sendSpans(path, exporter);
  const parentHex = parent.spanContext().spanId;
  await waitFor(`spans sent over ${path} to reach the second instance`, () => findSpan(parentHex) !== undefined && findSpan(child.spanContext().spanId) !== undefined);
  const got = findSpan(parentHex)!;
  const original = finished.find((s) => s.spanContext().spanId === parentHex)!;

  expect(idToHex(got.span.traceId)).toBe(parent.spanContext().traceId);
  expect(got.span.parentSpanId.length).toBe(0);
  expect(got.span.name).toBe('POST /checkout');
  expect(got.span.kind).toBe(2); // SERVER
  expect(got.span.startTimeUnixNano).toBe(nanos(original.startTime));
  expect(got.span.endTimeUnixNano).toBe(nanos(original.endTime));
  expect(attributesToPlain(got.span.attributes)).toEqual({
    'http.request.method': 'POST',
    'http.response.status_code': 503,
    'retry.ratio': 0.25,
    'cache.hit': false,
    tags: ['a', 'b'],
  });
  expect(got.span.status).toEqual({ code: 2, message: 'payment backend unavailable' });
  expect(got.span.events.map((e) => [e.name, attributesToPlain(e.attributes)])).toEqual([
    ['exception', { 'exception.type': 'TimeoutError', 'exception.message': 'payment timed out' }],
  ]);
  expect(got.span.links).toHaveLength(1);
  expect(idToHex(got.span.links[0]!.traceId)).toBe(linked.spanContext().traceId);
  expect(idToHex(got.span.links[0]!.spanId)).toBe(linked.spanContext().spanId);
  expect(attributesToPlain(got.span.links[0]!.attributes)).toEqual({ 'link.reason': 'follows' });
  expect(attributesToPlain(got.resource.attributes)).toMatchObject({
    'service.name': `checkout-${path}`,
    'service.version': '2.4.1',
    'deployment.environment.name': 'prod',
  });
  expect(got.scopeName).toBe('interop-test');

  const gotChild = findSpan(child.spanContext().spanId)!;
  expect(idToHex(gotChild.span.parentSpanId)).toBe(parentHex);
  expect(gotChild.span.kind).toBe(3); // CLIENT
}

async function checkLogs(path: string, exporter: LogRecordExporter): Promise<void> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': `payments-${path}`, 'host.name': 'node-7' }),
    processors: [new SimpleLogRecordProcessor({ exporter }), new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const spanContext = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', traceFlags: 1 };
  const marker = `card declined via ${path}`;
  provider.getLogger('payments', '3.1.0').emit({
    severityNumber: ApiSeverity.ERROR,
    severityText: 'ERROR',
    body: marker,
    attributes: { 'payment.id': 'p-991', 'amount.cents': 1299, 'retryable': true },
    context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
  });
  await provider.forceFlush();
  const original = memory.getFinishedLogRecords()[0]!;
  await provider.shutdown();
  await waitFor(`a log record sent over ${path} to reach the second instance`, () => findLog(marker) !== undefined);
  const { record, resource } = findLog(marker)!;
  expect(record.severityNumber).toBe(17);
  expect(record.severityText).toBe('ERROR');
  expect(attributesToPlain(record.attributes)).toEqual({ 'payment.id': 'p-991', 'amount.cents': 1299, retryable: true });
  expect(idToHex(record.traceId)).toBe(spanContext.traceId);
  expect(idToHex(record.spanId)).toBe(spanContext.spanId);
  expect(record.flags & 1).toBe(1);
  expect(record.timeUnixNano).toBe(nanos(original.hrTime));
  expect(record.observedTimeUnixNano).toBe(nanos(original.hrTimeObserved));
  expect(attributesToPlain(resource.attributes)).toMatchObject({ 'service.name': `payments-${path}`, 'host.name': 'node-7' });
}

describe('OpenTelemetry JS exporters -> corrgate -> otlp exporter -> corrgate', () => {
  it('carries spans over gRPC intact', async () => {
    await checkSpans('grpc', new TracesGrpc({ url: `http://127.0.0.1:${front.grpcPort}` }));
  });
  it('carries spans over HTTP/protobuf intact', async () => {
    await checkSpans('http-proto', new TracesHttpProto({ url: `http://127.0.0.1:${front.httpPort}/v1/traces` }));
  });
  it('carries spans over HTTP/JSON intact', async () => {
    await checkSpans('http-json', new TracesHttpJson({ url: `http://127.0.0.1:${front.httpPort}/v1/traces` }));
  });
  it('carries log records over gRPC intact', async () => {
    await checkLogs('grpc', new LogsGrpc({ url: `http://127.0.0.1:${front.grpcPort}` }));
  });
  it('carries log records over HTTP/protobuf intact', async () => {
    await checkLogs('http-proto', new LogsHttpProto({ url: `http://127.0.0.1:${front.httpPort}/v1/logs` }));
  });
  it('carries log records over HTTP/JSON intact', async () => {
    await checkLogs('http-json', new LogsHttpJson({ url: `http://127.0.0.1:${front.httpPort}/v1/logs` }));
  });

  it('counts what each instance accepted and sent, by transport', async () => {
    expect(await front.metric('corrgate_receiver_accepted_spans_total', { transport: 'grpc' })).toBeGreaterThanOrEqual(3);
    expect(await front.metric('corrgate_receiver_accepted_spans_total', { transport: 'http' })).toBeGreaterThanOrEqual(6);
    expect(await front.metric('corrgate_receiver_accepted_log_records_total', { transport: 'http' })).toBeGreaterThanOrEqual(2);
    await waitFor('the exporter to report what it sent', async () => (await front.metric('corrgate_exporter_sent_spans_total')) >= 9);
    expect(await back.metric('corrgate_receiver_accepted_spans_total', { transport: 'grpc' })).toBe(await front.metric('corrgate_exporter_sent_spans_total'));
  });
});
