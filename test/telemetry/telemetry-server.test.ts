import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { configSection } from '../../src/exporters/config-section.js';
import type { ExtensionFactory } from '../../src/pipeline/component.js';
import { encodeTracesRequest } from '../../src/wire/otlp/protobuf-encoder.js';
import { makeTraceBatch } from '../helpers/batches.js';
import { freePort } from '../helpers/net.js';
import { CAPTURE_CONFIG, startService } from '../helpers/service-harness.js';

describe('telemetry server', () => {
  it('serves Prometheus metrics named as the collector names its own, and health and readiness', async () => {
    const h = await startService(CAPTURE_CONFIG);
    const base = `http://127.0.0.1:${h.metricsPort}`;
    try {
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const res = await fetch(`http://127.0.0.1:${h.httpPort}/v1/traces`, {
        method: 'POST',
        body: encodeTracesRequest(makeTraceBatch(4)),
        headers: { 'content-type': 'application/x-protobuf' },
      });
      expect(res.status).toBe(200);
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toContain('corrgate_receiver_accepted_spans_total{receiver="otlp",transport="http"} 4');
      expect(text).toMatch(/corrgate_pipeline_queue_capacity\{pipeline="traces"\} 100000/);
      expect(text).toMatch(/corrgate_receiver_request_duration_seconds_count\{receiver="otlp",transport="http"\} 1/);
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${base}/nothing`)).status).toBe(404);
    } finally {
      const stopping = h.service.shutdown();
      // Readiness goes away as soon as shutdown begins, before the drain finishes.
      expect(h.service.ready).toBe(false);
      await stopping;
    }
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('answers /readyz 503 over HTTP while a component is still starting and while one is still stopping', async () => {
    // An extension whose start and shutdown wait until the test lets them go: the service is then
    // starting, or stopping, for as long as the test needs to ask.
    let releaseStart!: () => void;
    let releaseStop!: () => void;
    let started!: () => void;
    let stopping!: () => void;
    const startGate = new Promise<void>((r) => (releaseStart = r));
    const stopGate = new Promise<void>((r) => (releaseStop = r));
    const inStart = new Promise<void>((r) => (started = r));
    const inStop = new Promise<void>((r) => (stopping = r));
    const slow: ExtensionFactory<unknown> = {
      kind: 'extension',
      type: 'slow',
      configSchema: configSection(z.strictObject({})),
      create: () => ({
        start: async () => {
          started();
          await startGate;
        },
        shutdown: async () => {
          stopping();
          await stopGate;
        },
      }),
    };
    const metricsPort = await freePort();
    const base = `http://127.0.0.1:${metricsPort}`;
    const starting = startService(`
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:HTTP_PORT
exporters:
  nop:
extensions:
  slow:
service:
  extensions: [slow]
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [nop]
  telemetry:
    metrics:
      address: 127.0.0.1:${metricsPort}
`, [slow]);
    await inStart;
    const early = await fetch(`${base}/readyz`, { headers: { connection: 'close' } });
    expect([early.status, await early.text()]).toEqual([503, 'not ready\n']);
    releaseStart();
    const h = await starting;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const stopped = h.service.shutdown();
    await inStop;
    const during = await fetch(`${base}/readyz`, { headers: { connection: 'close' } });
    expect([during.status, await during.text()]).toEqual([503, 'not ready\n']);
    expect((await fetch(`${base}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);
    releaseStop();
    await stopped;
  });
});
