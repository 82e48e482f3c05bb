import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import type { AnyValue, KeyValue } from '../../../src/model/attributes.js';
import type { LogBatch, TraceBatch } from '../../../src/model/batch.js';
import type { LogRecord } from '../../../src/model/log-record.js';
import type { Span } from '../../../src/model/span.js';

// Shared test data for the protobuf codec tests: model batches that use every field and every
// AnyValue type, plain-object views to compare lazily decoded items, and protobufjs loaded from
// corrgate's own proto/ folder as an independent codec.

const PROTO_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../proto');

export function loadProtoRoot(): protobuf.Root {
  const root = new protobuf.Root();
  const builtin = root.resolvePath.bind(root);
  root.resolvePath = (origin, target) =>
    target.startsWith('google/protobuf/') ? builtin(origin, target) : path.join(PROTO_DIR, target);
  root.loadSync([
    'opentelemetry/proto/collector/trace/v1/trace_service.proto',
    'opentelemetry/proto/collector/logs/v1/logs_service.proto',
    'google/rpc/status.proto',
  ]);
  root.resolveAll();
  return root;
}

export const bytesOf = (...b: number[]): Uint8Array => Uint8Array.from(b);
export const id = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (seed + i * 7) & 255 || 1);

export const everyValue: KeyValue[] = [
  { key: 'str', value: { type: 'string', value: 'hello' } },
  { key: 'str.empty', value: { type: 'string', value: '' } },
  { key: 'str.unicode', value: { type: 'string', value: 'Grüße, 世界 🚀 — a longer string that goes past the short-string path' } },
  { key: 'bool.true', value: { type: 'bool', value: true } },
  { key: 'bool.false', value: { type: 'bool', value: false } },
  { key: 'int.zero', value: { type: 'int', value: 0n } },
  { key: 'int.small', value: { type: 'int', value: 200n } },
  { key: 'int.negative', value: { type: 'int', value: -1n } },
  { key: 'int.min', value: { type: 'int', value: -9223372036854775808n } },
  { key: 'int.max', value: { type: 'int', value: 9223372036854775807n } },
  { key: 'int.big', value: { type: 'int', value: 1700000000123456789n } },
  { key: 'double', value: { type: 'double', value: 3.25 } },
  { key: 'double.negative', value: { type: 'double', value: -0.1 } },
  { key: 'bytes', value: { type: 'bytes', value: bytesOf(0, 1, 254, 255) } },
  { key: 'bytes.empty', value: { type: 'bytes', value: new Uint8Array(0) } },
  {
    key: 'array',
    value: {
      type: 'array',
      value: [
        { type: 'string', value: 'a' },
        { type: 'int', value: -42n },
        { type: 'empty' },
        { type: 'array', value: [{ type: 'bool', value: true }] },
      ],
    },
  },
  { key: 'array.empty', value: { type: 'array', value: [] } },
  {
    key: 'kvlist',
    value: {
      type: 'kvlist',
      value: [
        { key: 'inner', value: { type: 'double', value: 1e300 } },
        { key: 'nested', value: { type: 'kvlist', value: [{ key: 'deep', value: { type: 'bytes', value: bytesOf(9) } }] } },
      ],
    },
  },
  { key: 'empty', value: { type: 'empty' } },
  { key: '', value: { type: 'string', value: 'empty key' } },
];

export function fullSpan(seed: number): Span {
  return {
    traceId: id(16, seed),
    spanId: id(8, seed + 1),
    traceState: 'vendor=abc,other=1',
    parentSpanId: id(8, seed + 2),
    flags: 0x301,
    name: `GET /api/ürl/${seed}`,
    kind: 3,
    startTimeUnixNano: 1700000000000000000n + BigInt(seed),
    endTimeUnixNano: 1700000000250000000n + BigInt(seed),
    attributes: everyValue,
    droppedAttributesCount: 2,
    events: [
      { timeUnixNano: 1700000000100000000n, name: 'exception', attributes: [{ key: 'exception.type', value: { type: 'string', value: 'Error' } }], droppedAttributesCount: 1 },
      { timeUnixNano: 0n, name: '', attributes: [], droppedAttributesCount: 0 },
    ],
    droppedEventsCount: 3,
    links: [
      { traceId: id(16, seed + 9), spanId: id(8, seed + 10), traceState: 'k=v', attributes: [{ key: 'link.kind', value: { type: 'int', value: -7n } }], droppedAttributesCount: 4, flags: 1 },
      { traceId: id(16, seed + 11), spanId: id(8, seed + 12), traceState: '', attributes: [], droppedAttributesCount: 0, flags: 0 },
    ],
    droppedLinksCount: 5,
    status: { code: 2, message: 'boom — überlastet' },
  };
}

export function minimalSpan(seed: number): Span {
  return {
    traceId: id(16, seed),
    spanId: id(8, seed + 3),
    traceState: '',
    parentSpanId: new Uint8Array(0),
    flags: 0,
    name: '',
    kind: 0,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 0n,
    attributes: [],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0, message: '' },
  };
}

export function fullTraceBatch(): TraceBatch {
  return {
    signal: 'traces',
    itemCount: 4,
    resourceSpans: [
      {
        resource: {
          attributes: [
            { key: 'service.name', value: { type: 'string', value: 'checkout' } },
            { key: 'service.version', value: { type: 'string', value: '1.4.2' } },
            { key: 'host.cpu', value: { type: 'int', value: 8n } },
          ],
          droppedAttributesCount: 1,
        },
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        scopeSpans: [
          {
            scope: { name: 'corrgate.test', version: '0.1.0', attributes: [{ key: 'scope.attr', value: { type: 'bool', value: true } }], droppedAttributesCount: 6 },
            schemaUrl: 'https://example.com/scope-schema',
            spans: [fullSpan(1), minimalSpan(50)],
          },
          {
            scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
            schemaUrl: '',
            spans: [fullSpan(100)],
          },
        ],
      },
      {
        resource: { attributes: [], droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeSpans: [
          { scope: { name: 'only-name', version: '', attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', spans: [minimalSpan(200)] },
          { scope: { name: 'empty-scope', version: '', attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', spans: [] },
        ],
      },
    ],
  };
}

export function fullLogRecord(seed: number, body: AnyValue): LogRecord {
  return {
    timeUnixNano: 1700000000000000000n + BigInt(seed),
    observedTimeUnixNano: 1700000000000000500n + BigInt(seed),
    severityNumber: 17,
    severityText: 'ERROR',
    body,
    attributes: everyValue,
    droppedAttributesCount: 3,
    flags: 1,
    traceId: id(16, seed),
    spanId: id(8, seed + 1),
    eventName: 'device.link.down',
  };
}

export function minimalLogRecord(): LogRecord {
  return {
    timeUnixNano: 0n,
    observedTimeUnixNano: 0n,
    severityNumber: 0,
    severityText: '',
    body: { type: 'empty' },
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: new Uint8Array(0),
    spanId: new Uint8Array(0),
    eventName: '',
  };
}

export function fullLogBatch(): LogBatch {
  const bodies: AnyValue[] = everyValue.map((kv) => kv.value);
  return {
    signal: 'logs',
    itemCount: bodies.length + 1,
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'host.name', value: { type: 'string', value: 'edge-sw-01' } }], droppedAttributesCount: 0 },
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
        scopeLogs: [
          {
            scope: { name: 'corrgate.syslog', version: '1', attributes: [], droppedAttributesCount: 0 },
            schemaUrl: '',
            logRecords: [...bodies.map((b, i) => fullLogRecord(i, b)), minimalLogRecord()],
          },
        ],
      },
    ],
  };
}

/** The model fields of a span as a plain object, so that getters on decoded spans are compared too. */
export function plainSpan(s: Span): Record<string, unknown> {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    traceState: s.traceState,
    parentSpanId: s.parentSpanId,
    flags: s.flags,
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: s.startTimeUnixNano,
    endTimeUnixNano: s.endTimeUnixNano,
    attributes: s.attributes,
    droppedAttributesCount: s.droppedAttributesCount,
    events: s.events,
    droppedEventsCount: s.droppedEventsCount,
    links: s.links,
    droppedLinksCount: s.droppedLinksCount,
    status: { code: s.status.code, message: s.status.message },
  };
}

export function plainLogRecord(l: LogRecord): Record<string, unknown> {
  return {
    timeUnixNano: l.timeUnixNano,
    observedTimeUnixNano: l.observedTimeUnixNano,
    severityNumber: l.severityNumber,
    severityText: l.severityText,
    body: l.body,
    attributes: l.attributes,
    droppedAttributesCount: l.droppedAttributesCount,
    flags: l.flags,
    traceId: l.traceId,
    spanId: l.spanId,
    eventName: l.eventName,
  };
}

export function plainTraceBatch(b: TraceBatch): unknown {
  return {
    signal: b.signal,
    itemCount: b.itemCount,
    resourceSpans: b.resourceSpans.map((rs) => ({
      resource: { attributes: rs.resource.attributes, droppedAttributesCount: rs.resource.droppedAttributesCount },
      schemaUrl: rs.schemaUrl,
      scopeSpans: rs.scopeSpans.map((ss) => ({
        scope: { ...ss.scope },
        schemaUrl: ss.schemaUrl,
        spans: ss.spans.map(plainSpan),
      })),
    })),
  };
}

export function plainLogBatch(b: LogBatch): unknown {
  return {
    signal: b.signal,
    itemCount: b.itemCount,
    resourceLogs: b.resourceLogs.map((rl) => ({
      resource: { attributes: rl.resource.attributes, droppedAttributesCount: rl.resource.droppedAttributesCount },
      schemaUrl: rl.schemaUrl,
      scopeLogs: rl.scopeLogs.map((sl) => ({
        scope: { ...sl.scope },
        schemaUrl: sl.schemaUrl,
        logRecords: sl.logRecords.map(plainLogRecord),
      })),
    })),
  };
}
