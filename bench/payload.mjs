// The request every receiver benchmark sends: one ExportTraceServiceRequest of 1000 spans (~300 KB),
// shaped like what a few instrumented HTTP services export. It is encoded once with corrgate's own
// encoder (from dist/) and written to a file, so every server and transport gets the same bytes.
//
// IDs and values come from a seeded generator rather than crypto.randomBytes: they look random to
// the decoders (no shared prefixes to compress or intern), yet two runs send identical bytes, so
// figures from different days compare.

import { encodeTracesRequest } from '../dist/wire/otlp/protobuf-encoder.js';

export const SPANS_PER_REQUEST = 1000;

const s = (value) => ({ type: 'string', value });
const i = (value) => ({ type: 'int', value: BigInt(value) });
const b = (value) => ({ type: 'bool', value });

/** mulberry32: small, fast and good enough for test data; not for anything secret. */
function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SERVICES = [
  { name: 'frontend', version: '2.31.4', lang: 'nodejs', routes: ['/', '/cart', '/product/{id}', '/api/recommendations'] },
  { name: 'checkout', version: '1.8.0', lang: 'go', routes: ['/checkout', '/checkout/{id}/confirm'] },
  { name: 'orders', version: '4.12.0', lang: 'java', routes: ['/orders', '/orders/{id}', '/orders/{id}/items'] },
  { name: 'payments', version: '0.19.2', lang: 'python', routes: ['/charge', '/refund/{id}'] },
];

export function buildTraceBatch({ spans = SPANS_PER_REQUEST, seed = 0x5eed } = {}) {
  const rand = seededRandom(seed);
  const int = (n) => Math.floor(rand() * n);
  const bytes = (length) => {
    const out = new Uint8Array(length);
    for (let k = 0; k < length; k++) out[k] = int(256);
    return out;
  };
  const baseNs = 1_760_000_000_000_000_000n;

  const perService = Math.ceil(spans / SERVICES.length);
  const resourceSpans = [];
  let made = 0;
  for (const [n, svc] of SERVICES.entries()) {
    const count = Math.min(perService, spans - made);
    if (count <= 0) break;
    const pod = `${svc.name}-${(int(1 << 30)).toString(36)}-${(int(1 << 24)).toString(36)}`;
    const out = [];
    let traceId = bytes(16);
    let parent = new Uint8Array(0);
    for (let k = 0; k < count; k++) {
      // About eight spans per trace, each the child of the one before, as a call chain.
      if (k % 8 === 0) {
        traceId = bytes(16);
        parent = new Uint8Array(0);
      }
      const spanId = bytes(8);
      const route = svc.routes[int(svc.routes.length)];
      const path = route.replace('{id}', String(int(1e6)));
      const method = int(4) === 0 ? 'POST' : 'GET';
      const failed = int(25) === 0;
      const status = failed ? 503 : int(10) === 0 ? 404 : 200;
      const start = baseNs + BigInt(made + k) * 1_000_000n + BigInt(int(1_000_000));
      const duration = BigInt(200_000 + int(50_000_000));
      const server = parent.length === 0;
      const events = [];
      if (int(5) === 0) {
        events.push({ timeUnixNano: start + 5_000n, name: 'request.received', attributes: [{ key: 'queue.depth', value: i(int(16)) }], droppedAttributesCount: 0 });
      }
      if (failed) {
        events.push({
          timeUnixNano: start + duration - 10_000n,
          name: 'exception',
          attributes: [
            { key: 'exception.type', value: s('UpstreamUnavailableError') },
            { key: 'exception.message', value: s(`upstream ${SERVICES[(n + 1) % SERVICES.length].name} answered 503 after ${int(3000)} ms`) },
            { key: 'exception.escaped', value: b(false) },
          ],
          droppedAttributesCount: 0,
        });
      }
      out.push({
        traceId,
        spanId,
        traceState: '',
        parentSpanId: parent,
        flags: 0x101,
        name: `${method} ${route}`,
        kind: server ? 2 : 3,
        startTimeUnixNano: start,
        endTimeUnixNano: start + duration,
        attributes: [
          { key: 'http.request.method', value: s(method) },
          { key: 'url.scheme', value: s('http') },
          { key: 'url.path', value: s(path) },
          { key: 'http.route', value: s(route) },
          { key: 'http.response.status_code', value: i(status) },
          { key: 'server.address', value: s(svc.name) },
          { key: 'server.port', value: i(8080) },
          { key: 'client.address', value: s(`10.${int(256)}.${int(256)}.${int(256)}`) },
        ],
        droppedAttributesCount: 0,
        events,
        droppedEventsCount: 0,
        links: [],
        droppedLinksCount: 0,
        status: failed ? { code: 2, message: 'upstream unavailable' } : { code: 0, message: '' },
      });
      parent = spanId;
    }
    made += count;
    resourceSpans.push({
      resource: {
        attributes: [
          { key: 'service.name', value: s(svc.name) },
          { key: 'service.version', value: s(svc.version) },
          { key: 'service.namespace', value: s('shop') },
          { key: 'deployment.environment.name', value: s('production') },
          { key: 'host.name', value: s(pod) },
          { key: 'k8s.pod.name', value: s(pod) },
          { key: 'k8s.namespace.name', value: s('shop') },
          { key: 'telemetry.sdk.language', value: s(svc.lang) },
        ],
        droppedAttributesCount: 0,
      },
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      scopeSpans: [
        {
          scope: { name: 'io.opentelemetry.http', version: '2.4.0', attributes: [], droppedAttributesCount: 0 },
          schemaUrl: '',
          spans: out,
        },
      ],
    });
  }
  return { signal: 'traces', itemCount: made, resourceSpans };
}

/** The encoded request and its span count. */
export function buildTracesPayload(options) {
  const batch = buildTraceBatch(options);
  return { bytes: encodeTracesRequest(batch), spans: batch.itemCount };
}
