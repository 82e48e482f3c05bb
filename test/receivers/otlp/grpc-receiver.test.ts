import * as grpc from '@grpc/grpc-js';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRpcStatus, decodeRetryInfoDelayMs } from '../../../src/wire/grpc/rpc-status.js';
import { encodeLogsRequest, encodeTracesRequest } from '../../../src/wire/otlp/protobuf-encoder.js';
import { decodeTracesResponse } from '../../../src/wire/otlp/protobuf-responses.js';
import { logBatch } from '../../../src/model/batch.js';
import { makeSpan, makeTraceBatch } from '../../helpers/batches.js';
import { makeTestPki } from '../../helpers/certs.js';
import { CAPTURE_CONFIG, startService } from '../../helpers/service-harness.js';
import type { Harness } from '../../helpers/service-harness.js';
import { traceBatch } from '../../../src/model/batch.js';

const TRACES = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';
const LOGS = '/opentelemetry.proto.collector.logs.v1.LogsService/Export';
const METRICS = '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export';

interface CallResult {
  error?: grpc.ServiceError;
  response?: Buffer;
}

function call(client: grpc.Client, path: string, message: Uint8Array, metadata = new grpc.Metadata()): Promise<CallResult> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      Buffer.from(message),
      metadata,
      (error, response) => resolve(error ? { error } : { response: response! }),
    );
  });
}

describe('OTLP/gRPC receiver', () => {
  let h: Harness;
  let client: grpc.Client;
  beforeAll(async () => {
    h = await startService(CAPTURE_CONFIG.replace(/(    traces:\n      receivers: \[otlp\]\n      exporters: \[capture\]\n)/, '$1      queue:\n        size: 10\n        retry_after: 2s\n'));
    client = new grpc.Client(`127.0.0.1:${h.grpcPort}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client?.close();
    await h?.service.shutdown();
  });

  it('accepts traces and logs, and answers partial success for spans with bad IDs', async () => {
    const ok = await call(client, TRACES, encodeTracesRequest(makeTraceBatch(2)));
    expect(ok.error).toBeUndefined();
    expect(decodeTracesResponse(ok.response!)).toEqual({ rejected: 0, errorMessage: '' });
    const bad = traceBatch([{ resource: { attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', scopeSpans: [{ scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', spans: [makeSpan(), makeSpan({ spanId: new Uint8Array(3) })] }] }]);
    const partial = await call(client, TRACES, encodeTracesRequest(bad));
    expect(decodeTracesResponse(partial.response!).rejected).toBe(1);
    const logs = await call(client, LOGS, encodeLogsRequest(logBatch([])));
    expect(logs.error).toBeUndefined();
    await expect.poll(() => h.capture.spanCount()).toBe(3);
  });

  it('answers UNIMPLEMENTED for the metrics service and INVALID_ARGUMENT for garbage', async () => {
    expect((await call(client, METRICS, new Uint8Array(0))).error?.code).toBe(grpc.status.UNIMPLEMENTED);
    const garbage = await call(client, TRACES, new Uint8Array([0x0a, 0xff, 0xff, 0xff]));
    expect(garbage.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(await h.metric('corrgate_receiver_failed_requests_total', { transport: 'grpc', reason: 'malformed' })).toBe(1);
  });

  it('throttles with UNAVAILABLE and RetryInfo when the pipeline queue is full', async () => {
    h.capture.block();
    try {
      expect((await call(client, TRACES, encodeTracesRequest(makeTraceBatch(10)))).error).toBeUndefined();
      const refused = await call(client, TRACES, encodeTracesRequest(makeTraceBatch(1)));
      expect(refused.error?.code).toBe(grpc.status.UNAVAILABLE);
      const details = refused.error!.metadata.get('grpc-status-details-bin')[0] as Buffer;
      const status = decodeRpcStatus(details);
      expect(status.code).toBe(grpc.status.UNAVAILABLE);
      expect(decodeRetryInfoDelayMs(status.details)).toBe(2000);
    } finally {
      h.capture.unblock();
    }
  });
});

describe('OTLP/gRPC receiver security', () => {
  it('takes spans from the real OpenTelemetry gRPC exporter over mTLS, and refuses a client without a certificate', async () => {
    const pki = makeTestPki();
    const tls = `        tls:\n          cert_file: ${pki.serverCert}\n          key_file: ${pki.serverKey}\n          client_ca_file: ${pki.caCert}\n`;
    const h = await startService(CAPTURE_CONFIG.replace('endpoint: 127.0.0.1:GRPC_PORT\n', `endpoint: 127.0.0.1:GRPC_PORT\n${tls}`));
    try {
      const exporter = new OTLPTraceExporter({
        url: `https://127.0.0.1:${h.grpcPort}`,
        credentials: grpc.credentials.createSsl(pki.read(pki.caCert), pki.read(pki.clientKey), pki.read(pki.clientCert)),
      });
      const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'tls-client' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
      provider.getTracer('t').startSpan('over mtls').end();
      await provider.forceFlush();
      await provider.shutdown();
      await expect.poll(() => h.capture.spanCount()).toBe(1);

      const noCert = new grpc.Client(`127.0.0.1:${h.grpcPort}`, grpc.credentials.createSsl(pki.read(pki.caCert)));
      const refused = await call(noCert, TRACES, encodeTracesRequest(makeTraceBatch(1)));
      noCert.close();
      expect(refused.error?.code).toBe(grpc.status.UNAVAILABLE);
      expect(h.capture.spanCount()).toBe(1);
    } finally {
      await h.service.shutdown();
    }
  });

  it('answers UNAUTHENTICATED without the configured bearer token', async () => {
    const h = await startService(CAPTURE_CONFIG.replace('endpoint: 127.0.0.1:GRPC_PORT\n', 'endpoint: 127.0.0.1:GRPC_PORT\n        auth:\n          bearer_token: t0ken\n'));
    const client = new grpc.Client(`127.0.0.1:${h.grpcPort}`, grpc.credentials.createInsecure());
    try {
      expect((await call(client, TRACES, encodeTracesRequest(makeTraceBatch(1)))).error?.code).toBe(grpc.status.UNAUTHENTICATED);
      const wrong = new grpc.Metadata();
      wrong.set('authorization', 'Bearer nope');
      expect((await call(client, TRACES, encodeTracesRequest(makeTraceBatch(1)), wrong)).error?.code).toBe(grpc.status.UNAUTHENTICATED);
      const right = new grpc.Metadata();
      right.set('authorization', 'Bearer t0ken');
      expect((await call(client, TRACES, encodeTracesRequest(makeTraceBatch(1)), right)).error).toBeUndefined();
      expect(await h.metric('corrgate_receiver_failed_requests_total', { transport: 'grpc', reason: 'unauthenticated' })).toBe(2);
    } finally {
      client.close();
      await h.service.shutdown();
    }
  });
});
