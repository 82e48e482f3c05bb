// Decode throughput of corrgate's OTLP protobuf trace decoder against protobufjs on one core.
// Run after `npx tsc -p tsconfig.build.json`: node bench/protobuf-decode-micro.mjs [seconds-per-case]
// The request is ~300 KB of 1000 spans shaped like an instrumented HTTP service's output.

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { encodeTracesRequest } from '../dist/wire/otlp/protobuf-encoder.js';
import { decodeTracesRequest } from '../dist/wire/otlp/protobuf-traces-decoder.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const secondsPerCase = Number(process.argv[2] ?? 3);
const SPANS = 1000;

const s = (value) => ({ type: 'string', value });
const i = (value) => ({ type: 'int', value: BigInt(value) });
const d = (value) => ({ type: 'double', value });
const b = (value) => ({ type: 'bool', value });

function idBytes(length, n) {
  const out = new Uint8Array(length);
  for (let k = 0; k < length; k++) out[k] = (n * 31 + k * 17 + 1) & 255;
  out[0] = 0xa0 | (n & 15);
  return out;
}

function makeSpan(n) {
  const start = 1_700_000_000_000_000_000n + BigInt(n) * 1_000_000n;
  const status = n % 20 === 0 ? 500 : 200;
  return {
    traceId: idBytes(16, n >> 3),
    spanId: idBytes(8, n),
    traceState: '',
    parentSpanId: n % 8 === 0 ? new Uint8Array(0) : idBytes(8, n - 1),
    flags: 0x101,
    name: n % 2 ? 'GET /orders/{id}' : 'POST /checkout',
    kind: n % 8 === 0 ? 2 : 3,
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(1_000_000 + (n % 97) * 10_000),
    attributes: [
      { key: 'http.request.method', value: s(n % 2 ? 'GET' : 'POST') },
      { key: 'url.scheme', value: s('https') },
      { key: 'http.route', value: s(n % 2 ? '/orders/{id}' : '/checkout') },
      { key: 'http.response.status_code', value: i(status) },
      { key: 'url.path', value: s(`/orders/${n}`) },
      { key: 'server.address', value: s('orders') },
      { key: 'server.port', value: i(8443) },
      { key: 'network.peer.address', value: s(`10.0.${n & 255}.${(n >> 8) & 255}`) },
      { key: 'sampling.ratio', value: d(0.25) },
    ],
    droppedAttributesCount: 0,
    events:
      n % 4 === 0
        ? [
            { timeUnixNano: start + 10_000n, name: 'request.received', attributes: [{ key: 'queue.depth', value: i(n % 7) }], droppedAttributesCount: 0 },
            {
              timeUnixNano: start + 900_000n,
              name: 'exception',
              attributes: [
                { key: 'exception.type', value: s('TimeoutError') },
                { key: 'exception.escaped', value: b(false) },
              ],
              droppedAttributesCount: 0,
            },
          ]
        : [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: status === 500 ? { code: 2, message: 'upstream error' } : { code: 0, message: '' },
  };
}

const batch = {
  signal: 'traces',
  itemCount: SPANS,
  resourceSpans: [
    {
      resource: {
        attributes: [
          { key: 'service.name', value: s('orders') },
          { key: 'service.version', value: s('4.12.0') },
          { key: 'service.namespace', value: s('shop') },
          { key: 'deployment.environment.name', value: s('production') },
          { key: 'host.name', value: s('orders-7c9f6d7b5-x2kqp') },
          { key: 'k8s.pod.name', value: s('orders-7c9f6d7b5-x2kqp') },
          { key: 'telemetry.sdk.language', value: s('nodejs') },
        ],
        droppedAttributesCount: 0,
      },
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      scopeSpans: [
        {
          scope: { name: '@opentelemetry/instrumentation-http', version: '0.52.0', attributes: [], droppedAttributesCount: 0 },
          schemaUrl: '',
          spans: Array.from({ length: SPANS }, (_, n) => makeSpan(n)),
        },
      ],
    },
  ],
};

const request = encodeTracesRequest(batch);

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(here, '..', 'proto', target);
root.loadSync(['opentelemetry/proto/collector/trace/v1/trace_service.proto']);
const TraceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');

if (TraceRequest.decode(request).resourceSpans[0].scopeSpans[0].spans.length !== SPANS) throw new Error('protobufjs disagrees on the span count');
if (decodeTracesRequest(request).batch.itemCount !== SPANS) throw new Error('decoder disagrees on the span count');

let sink = 0;
const cases = {
  'corrgate decode (lazy parts unread)': () => {
    sink += decodeTracesRequest(request).batch.itemCount;
  },
  'corrgate decode + read every attribute, event, link': () => {
    const { batch: out } = decodeTracesRequest(request);
    for (const rs of out.resourceSpans) for (const ss of rs.scopeSpans) for (const span of ss.spans) sink += span.attributes.length + span.events.length + span.links.length;
  },
  'protobufjs full decode': () => {
    sink += TraceRequest.decode(request).resourceSpans.length;
  },
  'corrgate re-encode of a decoded, unread batch': (() => {
    const decoded = decodeTracesRequest(request).batch;
    return () => {
      sink += encodeTracesRequest(decoded).length;
    };
  })(),
};

// The machine may be shared: run the cases in interleaved rounds and keep each case's best round,
// so a burst of outside load skews one round rather than one case.
function round(fn, seconds) {
  let runs = 0;
  const start = process.hrtime.bigint();
  const stop = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < stop) {
    for (let k = 0; k < 10; k++) fn();
    runs += 10;
    now = process.hrtime.bigint();
  }
  return (runs * SPANS) / (Number(now - start) / 1e9);
}

console.log(`request: ${SPANS} spans, ${(request.length / 1024).toFixed(1)} KiB, node ${process.version}`);
const ROUNDS = 5;
const best = Object.fromEntries(Object.keys(cases).map((name) => [name, 0]));
for (const fn of Object.values(cases)) round(fn, 0.3);
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, fn] of Object.entries(cases)) best[name] = Math.max(best[name], round(fn, secondsPerCase / ROUNDS));
}
for (const [name, rate] of Object.entries(best)) console.log(`${name.padEnd(52)} ${(rate / 1e6).toFixed(2).padStart(6)} M spans/s`);
const ours = best['corrgate decode (lazy parts unread)'];
const full = best['corrgate decode + read every attribute, event, link'];
const pbjs = best['protobufjs full decode'];
console.log(`speed-up over protobufjs: ${(ours / pbjs).toFixed(1)}x lazy, ${(full / pbjs).toFixed(1)}x with every part read`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB${sink === 0 ? ' ' : ''}`);
