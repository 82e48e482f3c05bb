import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ERR_EXPORT_REJECTED } from '../../../src/exporters/export-errors.js';
import { otlpHttpExporterConfigSchema, type OtlpHttpExporterConfig } from '../../../src/exporters/otlphttp/config.js';
import { otlpHttpExporterFactory } from '../../../src/exporters/otlphttp/factory.js';
import { HttpExportTransport } from '../../../src/exporters/otlphttp/http-transport.js';
import { QueuedExporter } from '../../../src/exporters/queued-exporter.js';
import type { Exporter } from '../../../src/pipeline/component.js';
import { PermanentError, RetryableError } from '../../../src/pipeline/errors.js';
import { encodeRpcStatus } from '../../../src/wire/grpc/rpc-status.js';
import { encodeLogsResponseJson } from '../../../src/wire/otlp/json-responses.js';
import { encodeTracesResponse } from '../../../src/wire/otlp/protobuf-responses.js';
import { makeTestPki } from '../../helpers/certs.js';
import { freePort, waitFor } from '../../helpers/net.js';
import { HttpSink } from './http-sink.js';
import { makeLogs, makeTraces, metricValue, plainBatch, testSettings, warnings, type TestSettings } from '../fixtures.js';

const ID = 'otlphttp/test';

// Short waits so retry paths run in milliseconds; each test overrides what it exercises.
function config(overrides: Record<string, unknown>): OtlpHttpExporterConfig {
  return otlpHttpExporterConfigSchema.parse({
    retry_on_failure: { initial_interval: '5ms', max_interval: '10ms', max_elapsed_time: '5s' },
    ...overrides,
  });
}

let sink: HttpSink;
let settings: TestSettings;
let exporter: Exporter | undefined;

beforeEach(async () => {
  sink = await new HttpSink().listen();
  settings = testSettings(ID);
});

afterEach(async () => {
  await exporter?.shutdown();
  exporter = undefined;
  await sink.close();
});

async function startExporter(overrides: Record<string, unknown>): Promise<Exporter> {
  exporter = otlpHttpExporterFactory.create(settings, config({ endpoint: sink.url, ...overrides }));
  await exporter.start();
  return exporter;
}

const m = () => settings.metrics;

describe('otlphttp exporter config', () => {
  it('fills in the Collector defaults around an endpoint', () => {
    const c = otlpHttpExporterConfigSchema.parse({ endpoint: 'http://collector:4318' });
    expect(c).toMatchObject({
      traces_endpoint: '',
      logs_endpoint: '',
      compression: 'gzip',
      encoding: 'proto',
      timeout: 30_000,
      headers: {},
      tls: { insecure: false, insecure_skip_verify: false, ca_file: '', server_name_override: '' },
      retry_on_failure: { enabled: true, initial_interval: 5_000, max_elapsed_time: 300_000 },
      sending_queue: { enabled: true, num_consumers: 10, queue_size: 1000 },
    });
  });

  it('requires an endpoint, and refuses unknown keys and bad values', () => {
    const missing = otlpHttpExporterConfigSchema.safeParse(undefined);
    expect(missing.success).toBe(false);
    expect(missing.error!.issues[0]!.message).toMatch(/endpoint is required/);
    expect(otlpHttpExporterConfigSchema.safeParse({ endpoint: 'collector:4318' }).success).toBe(false);
    expect(otlpHttpExporterConfigSchema.safeParse({ endpoint: 'http://c:4318', encodings: 'json' }).success).toBe(false);
    expect(otlpHttpExporterConfigSchema.safeParse({ endpoint: 'http://c:4318', compression: 'zstd' }).success).toBe(false);
    expect(otlpHttpExporterConfigSchema.safeParse({ endpoint: 'http://c:4318', timeout: '10' }).success).toBe(false);
    expect(otlpHttpExporterConfigSchema.safeParse({ traces_endpoint: 'http://c:4318/v1/traces' }).success).toBe(true);
  });
});

describe('otlphttp exporter', () => {
  it('delivers spans and log records intact as gzipped protobuf on /v1/traces and /v1/logs', async () => {
    const ex = await startExporter({});
    const traces = makeTraces(3);
    const logs = makeLogs(2);
    await ex.consume(traces);
    await ex.consume(logs);
    await waitFor('both requests', () => sink.requests.length === 2);

    const byPath = new Map(sink.requests.map((r) => [r.path, r]));
    const t = byPath.get('/v1/traces')!;
    const l = byPath.get('/v1/logs')!;
    expect(t.headers['content-type']).toBe('application/x-protobuf');
    expect(t.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(t.raw).length).toBeGreaterThan(t.raw.length / 10);
    expect(plainBatch(t.batch)).toEqual(plainBatch(traces));
    expect(l.headers['content-encoding']).toBe('gzip');
    expect(plainBatch(l.batch)).toEqual(plainBatch(logs));

    await waitFor('sent counted', async () => (await metricValue(m().exporterSent.logs, ID)) === 2);
    expect(await metricValue(m().exporterSent.traces, ID)).toBe(3);
    expect(await metricValue(m().exporterSendFailed.traces, ID)).toBe(0);
  });

  it('sends OTLP/JSON uncompressed with the configured headers and signal URLs', async () => {
    const ex = await startExporter({
      endpoint: '',
      traces_endpoint: `${sink.url}/custom/traces`,
      logs_endpoint: `${sink.url}/custom/logs`,
      encoding: 'json',
      compression: 'none',
      headers: { Authorization: 'Bearer s3cret', 'X-Tenant': 'blue' },
    });
    const traces = makeTraces(2);
    const logs = makeLogs(4);
    await ex.consume(traces);
    await ex.consume(logs);
    await waitFor('both requests', () => sink.requests.length === 2);
    const byPath = new Map(sink.requests.map((r) => [r.path, r]));
    const t = byPath.get('/custom/traces')!;
    expect(t.headers['content-type']).toBe('application/json');
    expect(t.headers['content-encoding']).toBeUndefined();
    expect(t.headers.authorization).toBe('Bearer s3cret');
    expect(t.headers['x-tenant']).toBe('blue');
    expect(JSON.parse(t.raw.toString('utf8'))).toHaveProperty('resourceSpans');
    expect(plainBatch(t.batch)).toEqual(plainBatch(traces));
    expect(plainBatch(byPath.get('/custom/logs')!.batch)).toEqual(plainBatch(logs));
  });

  it('retries a 503 after the Retry-After delay and delivers the batch once', async () => {
    // A 1h backoff: only the server's "Retry-After: 0" can make the retry happen within the test.
    const ex = await startExporter({ retry_on_failure: { initial_interval: '1h', max_interval: '1h' } });
    sink.script.push({ status: 503, headers: { 'retry-after': '0' } });
    const traces = makeTraces(4);
    await ex.consume(traces);
    await waitFor('delivery', () => sink.requests.length === 1);
    await waitFor('sent counted', async () => (await metricValue(m().exporterSent.traces, ID)) === 4);
    expect(sink.attempts).toBe(2);
    expect(plainBatch(sink.requests[0]!.batch)).toEqual(plainBatch(traces));
    expect(await metricValue(m().exporterRetries, ID)).toBe(1);
    expect(await metricValue(m().exporterSendFailed.traces, ID)).toBe(0);
    expect(warnings(settings)).toEqual([]);
  });

  it('does not retry a 400; counts the items as failed and logs the reason once', async () => {
    const ex = await startExporter({});
    sink.script.push({
      status: 400,
      headers: { 'content-type': 'application/x-protobuf' },
      body: encodeRpcStatus({ code: 3, message: 'span 0 has an invalid trace id' }),
    });
    await ex.consume(makeTraces(5));
    await waitFor('failure counted', async () => (await metricValue(m().exporterSendFailed.traces, ID)) === 5);
    expect(sink.attempts).toBe(1);
    expect(await metricValue(m().exporterRetries, ID)).toBe(0);
    expect(await metricValue(m().exporterSent.traces, ID)).toBe(0);
    const warns = warnings(settings);
    expect(warns).toHaveLength(1);
    expect(warns[0]).toMatchObject({ exporter: ID, signal: 'traces', items: 5 });
    expect(String(warns[0]!.reason)).toMatch(/HTTP 400: span 0 has an invalid trace id/);
  });

  it('gives up on a retryable status after max_elapsed_time, with one warning', async () => {
    const ex = await startExporter({ retry_on_failure: { initial_interval: '5ms', max_interval: '5ms', randomization_factor: 0, max_elapsed_time: '60ms' } });
    for (let i = 0; i < 100; i++) sink.script.push({ status: 502 });
    await ex.consume(makeLogs(3));
    await waitFor('failure counted', async () => (await metricValue(m().exporterSendFailed.logs, ID)) === 3);
    expect(sink.attempts).toBeGreaterThan(1);
    expect(await metricValue(m().exporterRetries, ID)).toBe(sink.attempts - 1);
    const warns = warnings(settings);
    expect(warns).toHaveLength(1);
    expect(String(warns[0]!.reason)).toMatch(/max_elapsed_time.*HTTP 502/);
  });

  it('retries network errors', async () => {
    const port = await freePort();
    exporter = otlpHttpExporterFactory.create(
      settings,
      config({ endpoint: `http://127.0.0.1:${port}`, retry_on_failure: { initial_interval: '5ms', max_interval: '5ms', max_elapsed_time: '100ms' } }),
    );
    await exporter.start();
    await exporter.consume(makeTraces(2));
    await waitFor('failure counted', async () => (await metricValue(m().exporterSendFailed.traces, ID)) === 2);
    expect(await metricValue(m().exporterRetries, ID)).toBeGreaterThan(0);
    expect(String(warnings(settings)[0]!.reason)).toMatch(/network error: ECONNREFUSED/);
  });

  it('counts rejected items of a partial success as failed and the rest as sent', async () => {
    const ex = await startExporter({});
    sink.script.push({
      status: 200,
      headers: { 'content-type': 'application/x-protobuf' },
      body: encodeTracesResponse({ rejected: 2, errorMessage: '2 spans had no end time' }),
    });
    sink.script.push({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: encodeLogsResponseJson({ rejected: 1, errorMessage: 'one record too large' }),
    });
    await ex.consume(makeTraces(5));
    await waitFor('traces answered', async () => (await metricValue(m().exporterSent.traces, ID)) === 3);
    await ex.consume(makeLogs(4));
    await waitFor('logs answered', async () => (await metricValue(m().exporterSent.logs, ID)) === 3);
    expect(await metricValue(m().exporterSendFailed.traces, ID)).toBe(2);
    expect(await metricValue(m().exporterSendFailed.logs, ID)).toBe(1);
    expect(await metricValue(m().exporterRetries, ID)).toBe(0);
    const warns = warnings(settings);
    expect(warns.map((w) => [w.signal, w.rejected, w.reason])).toEqual([
      ['traces', 2, '2 spans had no end time'],
      ['logs', 1, 'one record too large'],
    ]);
  });

  it('makes consume wait while the queue is full and proceed once it has room', async () => {
    const ex = await startExporter({ sending_queue: { num_consumers: 1, queue_size: 1 } });
    sink.hold();
    await ex.consume(makeTraces(1)); // in flight, held by the server
    await waitFor('first request held', () => sink.heldCount === 1);
    await ex.consume(makeTraces(7)); // waits in the queue's one slot
    expect(await metricValue(m().exporterQueueSize, ID)).toBe(7);
    expect(await metricValue(m().exporterQueueCapacity, ID)).toBe(1);
    let third = false;
    const consumed = ex.consume(makeTraces(2)).then(() => {
      third = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false);
    sink.release();
    await consumed;
    await waitFor('all delivered', async () => (await metricValue(m().exporterSent.traces, ID)) === 10);
    expect(sink.requests.map((r) => r.batch.itemCount)).toEqual([1, 7, 2]);
    expect(await metricValue(m().exporterQueueSize, ID)).toBe(0);
  });

  it('drains the queue on shutdown, then refuses new batches', async () => {
    const ex = await startExporter({ sending_queue: { num_consumers: 2, queue_size: 100 } });
    sink.hold();
    for (let i = 0; i < 6; i++) await ex.consume(i % 2 === 0 ? makeTraces(2) : makeLogs(3));
    await waitFor('two requests held', () => sink.heldCount === 2);
    let stopped = false;
    const stopping = ex.shutdown().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(stopped).toBe(false);
    sink.release();
    await stopping;
    expect(sink.requests).toHaveLength(6);
    expect(await metricValue(m().exporterSent.traces, ID)).toBe(6);
    expect(await metricValue(m().exporterSent.logs, ID)).toBe(9);
    await expect(ex.consume(makeTraces(1))).rejects.toBeInstanceOf(RetryableError);
    await ex.shutdown();
  });

  it('counts what is still queued as failed when the shutdown deadline passes', async () => {
    const c = config({ endpoint: sink.url, sending_queue: { num_consumers: 1, queue_size: 10 } });
    exporter = new QueuedExporter(settings, new HttpExportTransport(c), {
      retry: c.retry_on_failure,
      queue: c.sending_queue,
      shutdownDeadlineMs: 50,
    });
    await exporter.start();
    sink.hold();
    await exporter.consume(makeTraces(1));
    await waitFor('first request held', () => sink.heldCount === 1);
    await exporter.consume(makeTraces(2));
    await exporter.consume(makeLogs(3));
    await exporter.shutdown();
    expect(await metricValue(m().exporterSendFailed.traces, ID)).toBe(3);
    expect(await metricValue(m().exporterSendFailed.logs, ID)).toBe(3);
    expect(await metricValue(m().exporterSent.traces, ID)).toBe(0);
    const reasons = warnings(settings).map((w) => String(w.reason));
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/shutdown deadline/);
    expect(warnings(settings)[1]).toMatchObject({ batches: 2, spans: 2, logRecords: 3 });
  });

  it('sends inline when the queue is disabled and settles with the result', async () => {
    const ex = await startExporter({ sending_queue: { enabled: false } });
    await ex.consume(makeLogs(2));
    expect(sink.requests).toHaveLength(1);
    expect(await metricValue(m().exporterSent.logs, ID)).toBe(2);
    expect(await metricValue(m().exporterQueueCapacity, ID)).toBe(0);
    sink.script.push({ status: 413, body: 'too large' });
    const err = await ex.consume(makeLogs(1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect((err as PermanentError).code).toBe(ERR_EXPORT_REJECTED);
    expect((err as Error).message).toBe('HTTP 413: too large');
    expect(await metricValue(m().exporterSendFailed.logs, ID)).toBe(1);
  });

  it('refuses a signal that has no URL configured', async () => {
    const ex = await startExporter({ endpoint: '', traces_endpoint: `${sink.url}/v1/traces`, sending_queue: { enabled: false } });
    await expect(ex.consume(makeLogs(1))).rejects.toThrow(/no URL for logs/);
    expect(await metricValue(m().exporterSendFailed.logs, ID)).toBe(1);
  });

  it('speaks TLS to an https endpoint verified with ca_file', async () => {
    const pki = makeTestPki();
    const tlsSink = await new HttpSink().listen({ key: pki.read(pki.serverKey), cert: pki.read(pki.serverCert) });
    try {
      exporter = otlpHttpExporterFactory.create(settings, config({ endpoint: tlsSink.url, tls: { ca_file: pki.caCert } }));
      await exporter.start();
      const traces = makeTraces(2);
      await exporter.consume(traces);
      await waitFor('delivery over TLS', () => tlsSink.requests.length === 1);
      expect(plainBatch(tlsSink.requests[0]!.batch)).toEqual(plainBatch(traces));
    } finally {
      await exporter?.shutdown();
      exporter = undefined;
      await tlsSink.close();
    }
  });
});
