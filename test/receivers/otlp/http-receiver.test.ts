import { request as httpsRequest } from 'node:https';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributesToPlain } from '../../../src/model/attributes.js';
import { idToHex } from '../../../src/model/ids.js';
import { decodeRpcStatus, decodeRetryInfoDelayMs } from '../../../src/wire/grpc/rpc-status.js';
import { encodeTracesRequest } from '../../../src/wire/otlp/protobuf-encoder.js';
import { decodeTracesResponse } from '../../../src/wire/otlp/protobuf-responses.js';
import { makeSpan, makeTraceBatch } from '../../helpers/batches.js';
import { makeTestPki } from '../../helpers/certs.js';
import type { TestPki } from '../../helpers/certs.js';
import { CAPTURE_CONFIG, startService } from '../../helpers/service-harness.js';
import type { Harness } from '../../helpers/service-harness.js';
import { traceBatch } from '../../../src/model/batch.js';

const JSON_TYPE = { 'content-type': 'application/json' };
const PROTO_TYPE = { 'content-type': 'application/x-protobuf' };

describe('OTLP/HTTP receiver conformance', () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startService(CAPTURE_CONFIG.replace('endpoint: 127.0.0.1:HTTP_PORT', 'endpoint: 127.0.0.1:HTTP_PORT\n        max_request_body_size: 65536'));
    base = `http://127.0.0.1:${h.httpPort}`;
  });
  afterAll(() => h?.service.shutdown());

  const post = (path: string, body: string | Uint8Array, headers: Record<string, string>) => fetch(`${base}${path}`, { method: 'POST', body, headers });

  it('accepts the JSON edge cases: upper-case hex, int64 as strings and numbers, enums as integers, unknown fields', async () => {
    const body = JSON.stringify({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'edge' } }], futureField: 1 },
          scopeSpans: [
            {
              scope: { name: 'edge-scope' },
              spans: [
                {
                  traceId: '5B8EFFF798038103D269B633813FC60C',
                  spanId: 'EEE19B7EC3C1B174',
                  name: 'edge-span',
                  kind: 2,
                  startTimeUnixNano: '1700000000000000001',
                  endTimeUnixNano: 1700000000500000000,
                  attributes: [
                    { key: 'big', value: { intValue: '9223372036854775807' } },
                    { key: 'small', value: { intValue: 42 } },
                  ],
                  status: { code: 2, message: 'bad' },
                  somethingNew: { nested: true },
                },
              ],
            },
          ],
        },
      ],
    });
    const res = await post('/v1/traces', body, JSON_TYPE);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({});
    const span = h.capture.traces.flatMap((b) => b.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))).find((s) => s.name === 'edge-span')!;
    expect(idToHex(span.traceId)).toBe('5b8efff798038103d269b633813fc60c');
    expect(idToHex(span.spanId)).toBe('eee19b7ec3c1b174');
    expect(span.startTimeUnixNano).toBe(1700000000000000001n);
    expect(span.endTimeUnixNano).toBe(1700000000500000000n);
    expect(span.attributes[0]!.value).toEqual({ type: 'int', value: 9223372036854775807n });
    expect(attributesToPlain(span.attributes).small).toBe(42);
    expect(span.status).toEqual({ code: 2, message: 'bad' });
  });

  it('answers an empty request with success, in each encoding', async () => {
    const json = await post('/v1/logs', '{}', JSON_TYPE);
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({});
    const proto = await post('/v1/traces', new Uint8Array(0), PROTO_TYPE);
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    expect(decodeTracesResponse(new Uint8Array(await proto.arrayBuffer()))).toEqual({ rejected: 0, errorMessage: '' });
  });

  it('decompresses gzip and deflate bodies', async () => {
    const before = h.capture.spanCount();
    const payload = encodeTracesRequest(makeTraceBatch(3));
    expect((await post('/v1/traces', gzipSync(payload), { ...PROTO_TYPE, 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await post('/v1/traces', deflateSync(payload), { ...PROTO_TYPE, 'content-encoding': 'deflate' })).status).toBe(200);
    await expect.poll(() => h.capture.spanCount()).toBe(before + 6);
  });

  it('refuses other methods with 405 and Allow: POST', async () => {
    const res = await fetch(`${base}/v1/traces`);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
  });

  it('refuses other content types with 415', async () => {
    const res = await post('/v1/traces', 'hello', { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { message: string }).message).toContain('unsupported content type "text/plain"');
  });

  it('refuses an unknown content encoding with 415', async () => {
    const res = await post('/v1/traces', 'x', { ...PROTO_TYPE, 'content-encoding': 'br' });
    expect(res.status).toBe(415);
  });

  it('answers 404 for paths it does not serve', async () => {
    expect((await post('/v1/metrics', '{}', JSON_TYPE)).status).toBe(404);
  });

  it('refuses a body over the configured limit with 413, also when it only grows that large decompressed', async () => {
    const big = new Uint8Array(70_000);
    expect((await post('/v1/traces', big, PROTO_TYPE)).status).toBe(413);
    const bomb = gzipSync(new Uint8Array(1_000_000)); // about 1 KB compressed, 1 MB inflated
    expect((await post('/v1/traces', bomb, { ...PROTO_TYPE, 'content-encoding': 'gzip' })).status).toBe(413);
    expect(await h.metric('corrgate_receiver_failed_requests_total', { reason: 'too_large' })).toBe(2);
  });

  it('answers 400 with a google.rpc.Status body for garbage, in the request encoding', async () => {
    const proto = await post('/v1/traces', new Uint8Array([0x0a, 0xff, 0xff, 0x01, 0x02]), PROTO_TYPE);
    expect(proto.status).toBe(400);
    const status = decodeRpcStatus(new Uint8Array(await proto.arrayBuffer()));
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/^could not decode the request/);
    const json = await post('/v1/logs', '{"resourceLogs": [', JSON_TYPE);
    expect(json.status).toBe(400);
    expect(((await json.json()) as { code: number }).code).toBe(3);
    const wrongShape = await post('/v1/traces', '{"resourceSpans": {"not": "an array"}}', JSON_TYPE);
    expect(wrongShape.status).toBe(400);
    expect(((await wrongShape.json()) as { message: string }).message).toContain('resourceSpans');
  });

  it('rejects only the spans with bad IDs and reports them as partial success', async () => {
    const before = h.capture.spanCount();
    const good = makeSpan();
    const batch = traceBatch([
      {
        resource: { attributes: [], droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeSpans: [
          {
            scope: { name: 's', version: '', attributes: [], droppedAttributesCount: 0 },
            schemaUrl: '',
            spans: [good, makeSpan({ traceId: new Uint8Array([1, 2, 3]) }), makeSpan({ spanId: new Uint8Array(4).fill(7) })],
          },
        ],
      },
    ]);
    const res = await post('/v1/traces', encodeTracesRequest(batch), PROTO_TYPE);
    expect(res.status).toBe(200);
    const partial = decodeTracesResponse(new Uint8Array(await res.arrayBuffer()));
    expect(partial.rejected).toBe(2);
    expect(partial.errorMessage).toMatch(/trace_id must be 16 bytes/);
    await expect.poll(() => h.capture.spanCount()).toBe(before + 1);
    expect(await h.metric('corrgate_receiver_refused_spans_total', { transport: 'http' })).toBeGreaterThanOrEqual(2);
  });
});

describe('OTLP/HTTP throttling', () => {
  it('answers 503 with Retry-After and RetryInfo when the pipeline queue is full, and accepts again once it drains', async () => {
    const h = await startService(CAPTURE_CONFIG.replace(/(    traces:\n      receivers: \[otlp\]\n      exporters: \[capture\]\n)/, '$1      queue:\n        size: 5\n        retry_after: 3s\n'));
    try {
      h.capture.block();
      const url = `http://127.0.0.1:${h.httpPort}/v1/traces`;
      const send = (n: number) => fetch(url, { method: 'POST', body: encodeTracesRequest(makeTraceBatch(n)), headers: PROTO_TYPE });
      expect((await send(5)).status).toBe(200);
      const throttled = await send(1);
      expect(throttled.status).toBe(503);
      expect(throttled.headers.get('retry-after')).toBe('3');
      const status = decodeRpcStatus(new Uint8Array(await throttled.arrayBuffer()));
      expect(status.code).toBe(14);
      expect(decodeRetryInfoDelayMs(status.details)).toBe(3000);
      expect(await h.metric('corrgate_receiver_refused_spans_total')).toBe(1);
      h.capture.unblock();
      await expect.poll(() => h.capture.spanCount()).toBe(5);
      expect((await send(1)).status).toBe(200);
      await expect.poll(() => h.capture.spanCount()).toBe(6);
    } finally {
      h.capture.unblock();
      await h.service.shutdown();
    }
  });
});

describe('OTLP/HTTP security', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });

  function tlsPost(port: number, options: { cert?: Buffer; key?: Buffer }): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port, path: '/v1/traces', method: 'POST', headers: JSON_TYPE, ca: pki.read(pki.caCert), ...options },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
  }

  it('serves TLS, and with client_ca_file refuses a client without a certificate (mTLS)', async () => {
    const tls = `        tls:\n          cert_file: ${pki.serverCert}\n          key_file: ${pki.serverKey}\n`;
    const h = await startService(CAPTURE_CONFIG.replace('endpoint: 127.0.0.1:HTTP_PORT\n', `endpoint: 127.0.0.1:HTTP_PORT\n${tls}          client_ca_file: ${pki.caCert}\n`));
    try {
      expect(await tlsPost(h.httpPort, { cert: pki.read(pki.clientCert), key: pki.read(pki.clientKey) })).toBe(200);
      await expect(tlsPost(h.httpPort, {})).rejects.toThrow();
      await expect(fetch(`http://127.0.0.1:${h.httpPort}/v1/traces`, { method: 'POST', body: '{}', headers: JSON_TYPE })).rejects.toThrow();
    } finally {
      await h.service.shutdown();
    }
    const plainTls = await startService(CAPTURE_CONFIG.replace('endpoint: 127.0.0.1:HTTP_PORT\n', `endpoint: 127.0.0.1:HTTP_PORT\n${tls}`));
    try {
      expect(await tlsPost(plainTls.httpPort, {})).toBe(200);
    } finally {
      await plainTls.service.shutdown();
    }
  });

  it('requires the bearer token when one is configured: 401 without or with a wrong one', async () => {
    const h = await startService(CAPTURE_CONFIG.replace('endpoint: 127.0.0.1:HTTP_PORT\n', 'endpoint: 127.0.0.1:HTTP_PORT\n        auth:\n          bearer_token: s3cret\n'));
    try {
      const url = `http://127.0.0.1:${h.httpPort}/v1/traces`;
      const none = await fetch(url, { method: 'POST', body: '{}', headers: JSON_TYPE });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toContain('Bearer');
      expect((await fetch(url, { method: 'POST', body: '{}', headers: { ...JSON_TYPE, authorization: 'Bearer wrong' } })).status).toBe(401);
      expect((await fetch(url, { method: 'POST', body: '{}', headers: { ...JSON_TYPE, authorization: 'Bearer s3cret' } })).status).toBe(200);
      expect(await h.metric('corrgate_receiver_failed_requests_total', { reason: 'unauthenticated' })).toBe(2);
    } finally {
      await h.service.shutdown();
    }
  });
});
