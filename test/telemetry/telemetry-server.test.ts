import { describe, expect, it } from 'vitest';
import { encodeTracesRequest } from '../../src/wire/otlp/protobuf-encoder.js';
import { makeTraceBatch } from '../helpers/batches.js';
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
});
