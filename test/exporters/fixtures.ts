import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import { attributesToPlain, anyValueToPlain, bool, dbl, int, str } from '../../src/model/attributes.js';
import { logBatch, traceBatch, type LogBatch, type TraceBatch, type Batch } from '../../src/model/batch.js';
import { idToHex } from '../../src/model/ids.js';
import { SeverityNumber } from '../../src/model/log-record.js';
import type { LogRecord } from '../../src/model/log-record.js';
import { SpanKind, StatusCode, type Span } from '../../src/model/span.js';
import type { ComponentSettings } from '../../src/pipeline/component.js';
import { SelfMetrics } from '../../src/telemetry/self-metrics.js';

let next = 1;

function id(bytes: number, n: number, tag: number): Uint8Array {
  const out = new Uint8Array(bytes);
  out[0] = tag;
  new DataView(out.buffer).setUint32(bytes - 4, n);
  return out;
}

export function makeSpan(): Span {
  const n = next++;
  return {
    traceId: id(16, n, 0xab),
    spanId: id(8, n, 0xcd),
    traceState: 'vendor=1',
    parentSpanId: id(8, n + 1_000_000, 0xce),
    flags: 1,
    name: `GET /orders/${n}`,
    kind: SpanKind.Server,
    startTimeUnixNano: 1_700_000_000_000_000_123n + BigInt(n),
    endTimeUnixNano: 1_700_000_000_250_000_456n + BigInt(n),
    attributes: [
      { key: 'http.request.method', value: str('GET') },
      { key: 'http.response.status_code', value: int(503) },
      { key: 'big', value: int(9_007_199_254_740_993n) },
      { key: 'ratio', value: dbl(0.25) },
      { key: 'cached', value: bool(false) },
      { key: 'raw', value: { type: 'bytes', value: new Uint8Array([0, 1, 254, 255]) } },
      { key: 'tags', value: { type: 'array', value: [str('a'), int(2)] } },
      { key: 'peer', value: { type: 'kvlist', value: [{ key: 'host', value: str('db-1') }] } },
    ],
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: StatusCode.Error, message: 'upstream unavailable' },
  };
}

export function makeLogRecord(): LogRecord {
  const n = next++;
  return {
    timeUnixNano: 1_700_000_001_000_000_789n + BigInt(n),
    observedTimeUnixNano: 1_700_000_001_500_000_000n + BigInt(n),
    severityNumber: SeverityNumber.Warn,
    severityText: 'WARN',
    body: str(`link down on ge-0/0/${n}`),
    attributes: [
      { key: 'network.interface.name', value: str(`ge-0/0/${n}`) },
      { key: 'syslog.facility', value: int(23) },
    ],
    droppedAttributesCount: 0,
    flags: 1,
    traceId: id(16, n, 0x11),
    spanId: id(8, n, 0x22),
    eventName: 'device.link.down',
  };
}

const resource = (service: string) => ({ attributes: [{ key: 'service.name', value: str(service) }], droppedAttributesCount: 0 });
const scope = { name: 'corrgate.test', version: '1.0.0', attributes: [], droppedAttributesCount: 0 };

export function makeTraces(spans: number, service = 'checkout'): TraceBatch {
  return traceBatch([
    {
      resource: resource(service),
      schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      scopeSpans: [{ scope, schemaUrl: '', spans: Array.from({ length: spans }, makeSpan) }],
    },
  ]);
}

export function makeLogs(records: number, service = 'edge-router'): LogBatch {
  return logBatch([
    {
      resource: resource(service),
      schemaUrl: '',
      scopeLogs: [{ scope, schemaUrl: '', logRecords: Array.from({ length: records }, makeLogRecord) }],
    },
  ]);
}

/** A comparable plain view of a batch (hex IDs, plain attributes), whatever classes the decoder used. */
export function plainBatch(batch: Batch): unknown {
  if (batch.signal === 'traces') {
    return batch.resourceSpans.map((rs) => ({
      resource: attributesToPlain(rs.resource.attributes),
      schemaUrl: rs.schemaUrl,
      scopes: rs.scopeSpans.map((ss) => ({
        scope: `${ss.scope.name}@${ss.scope.version}`,
        spans: ss.spans.map((s) => ({
          traceId: idToHex(s.traceId),
          spanId: idToHex(s.spanId),
          parentSpanId: idToHex(s.parentSpanId),
          traceState: s.traceState,
          flags: s.flags,
          name: s.name,
          kind: s.kind,
          start: s.startTimeUnixNano,
          end: s.endTimeUnixNano,
          attributes: s.attributes.map((kv) => [kv.key, kv.value.type, anyValueToPlain(kv.value)]),
          status: { code: s.status.code, message: s.status.message },
        })),
      })),
    }));
  }
  return batch.resourceLogs.map((rl) => ({
    resource: attributesToPlain(rl.resource.attributes),
    scopes: rl.scopeLogs.map((sl) => ({
      scope: `${sl.scope.name}@${sl.scope.version}`,
      records: sl.logRecords.map((r) => ({
        time: r.timeUnixNano,
        observed: r.observedTimeUnixNano,
        severity: [r.severityNumber, r.severityText],
        body: anyValueToPlain(r.body),
        attributes: r.attributes.map((kv) => [kv.key, kv.value.type, anyValueToPlain(kv.value)]),
        traceId: idToHex(r.traceId),
        spanId: idToHex(r.spanId),
        flags: r.flags,
        eventName: r.eventName,
      })),
    })),
  }));
}

export interface TestSettings extends ComponentSettings {
  /** Every log line written, parsed. */
  readonly logs: Record<string, unknown>[];
}

export function testSettings(id = 'otlp/test'): TestSettings {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger: Logger = pino({ level: 'info' }, sink);
  return { id, logger, metrics: new SelfMetrics({ processMetrics: false }), logs };
}

/** The value of a counter or gauge for one exporter id; 0 when never touched. */
export async function metricValue(metric: Counter<'exporter'> | Gauge<'exporter'>, exporter: string): Promise<number> {
  const { values } = await metric.get();
  return values.find((v) => v.labels.exporter === exporter)?.value ?? 0;
}

/** Warn lines logged so far. */
export function warnings(settings: TestSettings): Record<string, unknown>[] {
  return settings.logs.filter((l) => l.level === 40);
}
