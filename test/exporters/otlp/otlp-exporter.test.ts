import * as grpc from '@grpc/grpc-js';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { otlpExporterConfigSchema, type OtlpExporterConfig } from '../../../src/exporters/otlp/config.js';
import { otlpExporterFactory } from '../../../src/exporters/otlp/factory.js';
import { LOGS_EXPORT_PATH, TRACES_EXPORT_PATH } from '../../../src/exporters/otlp/grpc-transport.js';
import type { Exporter } from '../../../src/pipeline/component.js';
import { PermanentError } from '../../../src/pipeline/errors.js';
import { encodeRetryInfo, encodeRpcStatus } from '../../../src/wire/grpc/rpc-status.js';
import { decodeGrpcFrames, encodeGrpcFrame, type GrpcFrame } from '../../../src/wire/grpc/grpc-framing.js';
import { encodeLogsResponse } from '../../../src/wire/otlp/protobuf-responses.js';
import { decodeTracesRequest } from '../../../src/wire/otlp/protobuf-traces-decoder.js';
import { makeTestPki } from '../../helpers/certs.js';
import { waitFor } from '../../helpers/net.js';
import { makeLogs, makeTraces, metricValue, plainBatch, testSettings, warnings, type TestSettings } from '../fixtures.js';
import { GrpcSink } from './grpc-sink.js';

const ID = 'otlp/test';

function config(overrides: Record<string, unknown>): OtlpExporterConfig {
  return otlpExporterConfigSchema.parse({
    tls: { insecure: true },
    retry_on_failure: { initial_interval: '5ms', max_interval: '10ms', max_elapsed_time: '5s' },
    ...overrides,
  });
}

/** Trailing metadata carrying a google.rpc.Status with RetryInfo, as a throttling server sends it. */
function retryInfoTrailer(code: grpc.status, delayMs: number): grpc.Metadata {
  const md = new grpc.Metadata();
  md.set('grpc-status-details-bin', Buffer.from(encodeRpcStatus({ code, message: 'slow down', details: [encodeRetryInfo(delayMs)] })));
  return md;
}

let sink: GrpcSink;
let settings: TestSettings;
let exporter: Exporter | undefined;

beforeEach(async () => {
  sink = await new GrpcSink().listen();
  settings = testSettings(ID);
});

afterEach(async () => {
  await exporter?.shutdown();
  exporter = undefined;
  sink.close();
});

async function startExporter(overrides: Record<string, unknown>): Promise<Exporter> {
  exporter = otlpExporterFactory.create(settings, config({ endpoint: sink.endpoint, ...overrides }));
  await exporter.start();
  return exporter;
}

const m = () => settings.metrics;

describe('otlp exporter config', () => {
  it('fills in the Collector defaults around an endpoint', () => {
    expect(otlpExporterConfigSchema.parse({ endpoint: 'collector:4317' })).toEqual({
      endpoint: 'collector:4317',
      tls: { insecure: false, insecure_skip_verify: false, ca_file: '', cert_file: '', key_file: '', server_name_override: '' },
      headers: {},
      compression: 'gzip',
      timeout: 5_000,
      retry_on_failure: {
        enabled: true,
        initial_interval: 5_000,
        randomization_factor: 0.5,
        multiplier: 1.5,
        max_interval: 30_000,
        max_elapsed_time: 300_000,
      },
      sending_queue: { enabled: true, num_consumers: 10, queue_size: 1000 },
    });
  });

  it('requires an endpoint and rejects bad settings', () => {
    for (const input of [undefined, null, {}]) {
      const r = otlpExporterConfigSchema.safeParse(input);
      expect(r.success).toBe(false);
      expect(r.error!.issues[0]!.message).toMatch(/endpoint is required/);
    }
    expect(otlpExporterConfigSchema.safeParse({ endpoint: 'http://c:4317' }).error!.issues[0]!.message).toMatch(/without a scheme/);
    expect(otlpExporterConfigSchema.safeParse({ endpoint: 'c:4317', tls: { cert_file: '/x.pem' } }).success).toBe(false);
    expect(otlpExporterConfigSchema.safeParse({ endpoint: 'c:4317', headers: { 'auth-bin': 'x' } }).success).toBe(false);
    expect(otlpExporterConfigSchema.safeParse({ endpoint: 'c:4317', retry_on_failure: { enable: true } }).success).toBe(false);
  });
});

describe('otlp (gRPC) exporter', () => {
  it('delivers spans and log records intact, with the headers as metadata', async () => {
    const ex = await startExporter({ headers: { authorization: 'Bearer s3cret', 'X-Tenant': 'blue' } });
    const traces = makeTraces(3);
    const logs = makeLogs(2);
    await ex.consume(traces);
    await ex.consume(logs);
    await waitFor('both calls', () => sink.calls.length === 2);
    const byPath = new Map(sink.calls.map((c) => [c.path, c]));
    expect(plainBatch(byPath.get(TRACES_EXPORT_PATH)!.batch)).toEqual(plainBatch(traces));
    expect(plainBatch(byPath.get(LOGS_EXPORT_PATH)!.batch)).toEqual(plainBatch(logs));
    const md = byPath.get(TRACES_EXPORT_PATH)!.metadata;
    expect(md.authorization).toBe('Bearer s3cret');
    expect(md['x-tenant']).toBe('blue');
    await waitFor('sent counted', async () => (await metricValue(m().exporterSent.logs, ID)) === 2);
    expect(await metricValue(m().exporterSent.traces, ID)).toBe(3);
  });

  it.each([
    ['gzip', true],
    ['none', false],
  ] as const)('compression %s: the message frame on the wire is compressed=%s', async (compression, compressed) => {
    // grpc-js hides grpc-encoding from handlers, so this peer reads the HTTP/2 stream itself.
    const seen: { headers: http2.IncomingHttpHeaders; frames: GrpcFrame[] }[] = [];
    const h2 = http2.createServer();
    h2.on('stream', (stream, headers) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        seen.push({ headers, frames: decodeGrpcFrames(Buffer.concat(chunks)) });
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(encodeGrpcFrame(new Uint8Array(0)));
      });
    });
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = h2.address() as AddressInfo;
      exporter = otlpExporterFactory.create(settings, config({ endpoint: `127.0.0.1:${port}`, compression, sending_queue: { enabled: false } }));
      await exporter.start();
      const traces = makeTraces(20);
      await exporter.consume(traces);
      expect(seen).toHaveLength(1);
      const { headers, frames } = seen[0]!;
      expect(headers[':path']).toBe(TRACES_EXPORT_PATH);
      expect(frames).toHaveLength(1);
      expect(frames[0]!.compressed).toBe(compressed);
      if (compressed) expect(headers['grpc-encoding']).toBe('gzip');
      const message = compressed ? gunzipSync(frames[0]!.message) : frames[0]!.message;
      expect(plainBatch(decodeTracesRequest(message).batch)).toEqual(plainBatch(traces));
    } finally {
      await exporter?.shutdown();
      exporter = undefined;
      await new Promise<void>((resolve) => h2.close(() => resolve()));
    }
  });

  it('retries UNAVAILABLE and delivers once', async () => {
    const ex = await startExporter({});
    sink.script.push({ code: grpc.status.UNAVAILABLE, details: 'restarting' }, { code: grpc.status.UNAVAILABLE, details: 'restarting' });
    const traces = makeTraces(2);
    await ex.consume(traces);
    await waitFor('sent counted', async () => (await metricValue(m().exporterSent.traces, ID)) === 2);
    expect(sink.attempts).toBe(3);
    expect(sink.calls).toHaveLength(1);
    expect(plainBatch(sink.calls[0]!.batch)).toEqual(plainBatch(traces));
    expect(await metricValue(m().exporterRetries, ID)).toBe(2);
    expect(warnings(settings)).toEqual([]);
  });

  it('waits the RetryInfo delay of the status instead of its backoff', async () => {
    // A 1h backoff: only the server's zero RetryInfo delay lets the retry happen within the test.
    const ex = await startExporter({ retry_on_failure: { initial_interval: '1h', max_interval: '1h' } });
    sink.script.push({ code: grpc.status.UNAVAILABLE, details: 'throttled', metadata: retryInfoTrailer(grpc.status.UNAVAILABLE, 0) });
    await ex.consume(makeLogs(2));
    await waitFor('sent counted', async () => (await metricValue(m().exporterSent.logs, ID)) === 2);
    expect(sink.attempts).toBe(2);
  });

  it('retries RESOURCE_EXHAUSTED only when it carries RetryInfo', async () => {
    const ex = await startExporter({});
    sink.script.push({
      code: grpc.status.RESOURCE_EXHAUSTED,
      details: 'rate limited',
      metadata: retryInfoTrailer(grpc.status.RESOURCE_EXHAUSTED, 1),
    });
    await ex.consume(makeTraces(1));
    await waitFor('sent counted', async () => (await metricValue(m().exporterSent.traces, ID)) === 1);
    expect(sink.attempts).toBe(2);

    sink.script.push({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'over quota' });
    await ex.consume(makeTraces(4));
    await waitFor('failure counted', async () => (await metricValue(m().exporterSendFailed.traces, ID)) === 4);
    expect(sink.attempts).toBe(3);
  });

  it('does not retry INVALID_ARGUMENT; counts and logs the failure once', async () => {
    const ex = await startExporter({});
    sink.script.push({ code: grpc.status.INVALID_ARGUMENT, details: 'bad span id' });
    await ex.consume(makeTraces(3));
    await waitFor('failure counted', async () => (await metricValue(m().exporterSendFailed.traces, ID)) === 3);
    expect(sink.attempts).toBe(1);
    expect(await metricValue(m().exporterRetries, ID)).toBe(0);
    const warns = warnings(settings);
    expect(warns).toHaveLength(1);
    expect(String(warns[0]!.reason)).toBe('gRPC INVALID_ARGUMENT: bad span id');
  });

  it('retries a call that passes its deadline', async () => {
    const ex = await startExporter({ timeout: '30ms', retry_on_failure: { initial_interval: '5ms', max_interval: '5ms', max_elapsed_time: '10s' } });
    sink.hold();
    await ex.consume(makeLogs(1));
    await waitFor('first call held', () => sink.heldCount === 1);
    await waitFor('a retry after the deadline', async () => (await metricValue(m().exporterRetries, ID)) >= 1);
    sink.release();
    await waitFor('sent counted', async () => (await metricValue(m().exporterSent.logs, ID)) === 1);
  });

  it('counts the rejected part of a partial success', async () => {
    const ex = await startExporter({ sending_queue: { enabled: false } });
    sink.script.push({ code: grpc.status.OK, response: encodeLogsResponse({ rejected: 3, errorMessage: 'bad severity' }) });
    await ex.consume(makeLogs(5));
    expect(await metricValue(m().exporterSent.logs, ID)).toBe(2);
    expect(await metricValue(m().exporterSendFailed.logs, ID)).toBe(3);
    expect(warnings(settings)).toMatchObject([{ signal: 'logs', rejected: 3, reason: 'bad severity' }]);
  });

  it('rejects inline with a PermanentError when the queue is disabled', async () => {
    const ex = await startExporter({ sending_queue: { enabled: false } });
    sink.script.push({ code: grpc.status.PERMISSION_DENIED, details: 'no' });
    await expect(ex.consume(makeTraces(1))).rejects.toBeInstanceOf(PermanentError);
  });

  it('drains what is queued on shutdown', async () => {
    const ex = await startExporter({ sending_queue: { num_consumers: 1, queue_size: 10 } });
    sink.hold();
    for (let i = 0; i < 4; i++) await ex.consume(makeTraces(2));
    await waitFor('first call held', () => sink.heldCount === 1);
    const stopping = ex.shutdown();
    sink.release();
    await stopping;
    expect(sink.calls).toHaveLength(4);
    expect(await metricValue(m().exporterSent.traces, ID)).toBe(8);
  });

  it('uses mutual TLS with ca_file, cert_file, key_file and server_name_override', async () => {
    const pki = makeTestPki();
    const tlsSink = await new GrpcSink().listen(
      grpc.ServerCredentials.createSsl(pki.read(pki.caCert), [{ cert_chain: pki.read(pki.serverCert), private_key: pki.read(pki.serverKey) }], true),
    );
    try {
      exporter = otlpExporterFactory.create(
        settings,
        config({
          endpoint: tlsSink.endpoint,
          tls: { insecure: false, ca_file: pki.caCert, cert_file: pki.clientCert, key_file: pki.clientKey, server_name_override: 'localhost' },
        }),
      );
      await exporter.start();
      const logs = makeLogs(2);
      await exporter.consume(logs);
      await waitFor('delivery over TLS', () => tlsSink.calls.length === 1);
      expect(plainBatch(tlsSink.calls[0]!.batch)).toEqual(plainBatch(logs));
    } finally {
      await exporter?.shutdown();
      exporter = undefined;
      tlsSink.close();
    }
  });

  it('fails start-up naming a TLS file that cannot be read', async () => {
    exporter = otlpExporterFactory.create(settings, config({ endpoint: sink.endpoint, tls: { insecure: false, ca_file: '/nonexistent/ca.pem' } }));
    await expect(exporter.start()).rejects.toThrow(/tls.ca_file \/nonexistent\/ca.pem/);
  });
});
