import type { AnyValue, Attributes } from '../../model/attributes.js';
import type { LogBatch, TraceBatch } from '../../model/batch.js';
import { idToHex } from '../../model/ids.js';
import type { LogRecord } from '../../model/log-record.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import type { Span, SpanEvent, SpanLink } from '../../model/span.js';

// OTLP/JSON as the spec writes it: hex IDs, 64-bit integers as decimal strings, enums as integers,
// base64 bytes. Fields holding their proto3 default are left out, as proto3 JSON printers do, which
// keeps one-request-per-line files short. AnyValue is the exception: its oneof key is always
// written, or "" and 0 could not be told from the empty value.

type Json = Record<string, unknown>;

/** An ExportTraceServiceRequest as compact one-line JSON. */
export function encodeTracesJson(batch: TraceBatch): string {
  return JSON.stringify({
    resourceSpans: batch.resourceSpans.map((rs) =>
      withSchemaUrl(
        {
          resource: resourceJson(rs.resource),
          scopeSpans: rs.scopeSpans.map((ss) =>
            withSchemaUrl({ scope: scopeJson(ss.scope), spans: ss.spans.map(spanJson) }, ss.schemaUrl),
          ),
        },
        rs.schemaUrl,
      ),
    ),
  });
}

/** An ExportLogsServiceRequest as compact one-line JSON. */
export function encodeLogsJson(batch: LogBatch): string {
  return JSON.stringify({
    resourceLogs: batch.resourceLogs.map((rl) =>
      withSchemaUrl(
        {
          resource: resourceJson(rl.resource),
          scopeLogs: rl.scopeLogs.map((sl) =>
            withSchemaUrl({ scope: scopeJson(sl.scope), logRecords: sl.logRecords.map(logRecordJson) }, sl.schemaUrl),
          ),
        },
        rl.schemaUrl,
      ),
    ),
  });
}

function withSchemaUrl(o: Json, schemaUrl: string): Json {
  if (schemaUrl !== '') o.schemaUrl = schemaUrl;
  return o;
}

function spanJson(s: Span): Json {
  const o: Json = { traceId: idToHex(s.traceId), spanId: idToHex(s.spanId) };
  if (s.traceState !== '') o.traceState = s.traceState;
  if (s.parentSpanId.length > 0) o.parentSpanId = idToHex(s.parentSpanId);
  if (s.flags !== 0) o.flags = s.flags;
  if (s.name !== '') o.name = s.name;
  if (s.kind !== 0) o.kind = s.kind;
  if (s.startTimeUnixNano !== 0n) o.startTimeUnixNano = s.startTimeUnixNano.toString();
  if (s.endTimeUnixNano !== 0n) o.endTimeUnixNano = s.endTimeUnixNano.toString();
  putAttributes(o, s.attributes, s.droppedAttributesCount);
  if (s.events.length > 0) o.events = s.events.map(eventJson);
  if (s.droppedEventsCount !== 0) o.droppedEventsCount = s.droppedEventsCount;
  if (s.links.length > 0) o.links = s.links.map(linkJson);
  if (s.droppedLinksCount !== 0) o.droppedLinksCount = s.droppedLinksCount;
  if (s.status.code !== 0 || s.status.message !== '') {
    const status: Json = {};
    if (s.status.message !== '') status.message = s.status.message;
    if (s.status.code !== 0) status.code = s.status.code;
    o.status = status;
  }
  return o;
}

function eventJson(e: SpanEvent): Json {
  const o: Json = {};
  if (e.timeUnixNano !== 0n) o.timeUnixNano = e.timeUnixNano.toString();
  if (e.name !== '') o.name = e.name;
  putAttributes(o, e.attributes, e.droppedAttributesCount);
  return o;
}

function linkJson(l: SpanLink): Json {
  const o: Json = { traceId: idToHex(l.traceId), spanId: idToHex(l.spanId) };
  if (l.traceState !== '') o.traceState = l.traceState;
  putAttributes(o, l.attributes, l.droppedAttributesCount);
  if (l.flags !== 0) o.flags = l.flags;
  return o;
}

function logRecordJson(r: LogRecord): Json {
  const o: Json = {};
  if (r.timeUnixNano !== 0n) o.timeUnixNano = r.timeUnixNano.toString();
  if (r.observedTimeUnixNano !== 0n) o.observedTimeUnixNano = r.observedTimeUnixNano.toString();
  if (r.severityNumber !== 0) o.severityNumber = r.severityNumber;
  if (r.severityText !== '') o.severityText = r.severityText;
  if (r.body.type !== 'empty') o.body = anyValueJson(r.body);
  putAttributes(o, r.attributes, r.droppedAttributesCount);
  if (r.flags !== 0) o.flags = r.flags;
  if (r.traceId.length > 0) o.traceId = idToHex(r.traceId);
  if (r.spanId.length > 0) o.spanId = idToHex(r.spanId);
  if (r.eventName !== '') o.eventName = r.eventName;
  return o;
}

function resourceJson(r: Resource): Json {
  const o: Json = {};
  putAttributes(o, r.attributes, r.droppedAttributesCount);
  return o;
}

function scopeJson(s: InstrumentationScope): Json {
  const o: Json = {};
  if (s.name !== '') o.name = s.name;
  if (s.version !== '') o.version = s.version;
  putAttributes(o, s.attributes, s.droppedAttributesCount);
  return o;
}

function putAttributes(o: Json, attrs: Attributes, dropped: number): void {
  if (attrs.length > 0) o.attributes = keyValuesJson(attrs);
  if (dropped !== 0) o.droppedAttributesCount = dropped;
}

function keyValuesJson(attrs: Attributes): Json[] {
  return attrs.map((kv) => ({ key: kv.key, value: anyValueJson(kv.value) }));
}

function anyValueJson(v: AnyValue): Json {
  switch (v.type) {
    case 'string':
      return { stringValue: v.value };
    case 'bool':
      return { boolValue: v.value };
    case 'int':
      return { intValue: v.value.toString() };
    case 'double':
      // JSON has no NaN or infinities; proto3 JSON spells them as these strings.
      return { doubleValue: Number.isFinite(v.value) ? v.value : String(v.value) };
    case 'bytes':
      return { bytesValue: Buffer.from(v.value.buffer, v.value.byteOffset, v.value.byteLength).toString('base64') };
    case 'array':
      return { arrayValue: { values: v.value.map(anyValueJson) } };
    case 'kvlist':
      return { kvlistValue: { values: keyValuesJson(v.value) } };
    case 'empty':
      return {};
  }
}
