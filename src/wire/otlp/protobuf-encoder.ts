import type { AnyValue, Attributes, KeyValue } from '../../model/attributes.js';
import type { LogBatch, TraceBatch } from '../../model/batch.js';
import type { LogRecord } from '../../model/log-record.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import type { Span, SpanEvent, SpanLink } from '../../model/span.js';
import { ProtoReader } from '../protobuf/reader.js';
import { ProtoWriter, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from '../protobuf/writer.js';
import { DecodedLogRecord, LOG_ATTRIBUTES_FIELD } from './protobuf-decoded-log-record.js';
import { DecodedSpan, SPAN_ATTRIBUTES_FIELD, SPAN_EVENTS_FIELD, SPAN_LINKS_FIELD } from './protobuf-decoded-span.js';

// TraceBatch / LogBatch -> ExportTraceServiceRequest / ExportLogsServiceRequest, from any object that
// satisfies the model. Default values are left out, as proto3 does, except inside an AnyValue where
// the oneof member itself says which type the value has (an empty string is still a string).
//
// Spans and log records that came from the protobuf decoders and whose lazy parts were never read
// still hold those parts as checked bytes: they are copied as they are instead of being decoded
// only to be encoded again, which is what a pass-through pipeline does with almost every span.

const BYTES_PER_SPAN_GUESS = 320;

export function encodeTracesRequest(batch: TraceBatch): Uint8Array {
  const w = new ProtoWriter(1024 + batch.itemCount * BYTES_PER_SPAN_GUESS);
  for (const rs of batch.resourceSpans) {
    const at = w.beginMessage(1);
    writeResource(w, rs.resource);
    for (const ss of rs.scopeSpans) {
      const sat = w.beginMessage(2);
      writeScope(w, ss.scope);
      for (const span of ss.spans) writeSpan(w, span);
      writeString(w, 3, ss.schemaUrl);
      w.endMessage(sat);
    }
    writeString(w, 3, rs.schemaUrl);
    w.endMessage(at);
  }
  return w.finish();
}

export function encodeLogsRequest(batch: LogBatch): Uint8Array {
  const w = new ProtoWriter(1024 + batch.itemCount * BYTES_PER_SPAN_GUESS);
  for (const rl of batch.resourceLogs) {
    const at = w.beginMessage(1);
    writeResource(w, rl.resource);
    for (const sl of rl.scopeLogs) {
      const sat = w.beginMessage(2);
      writeScope(w, sl.scope);
      for (const record of sl.logRecords) writeLogRecord(w, record);
      writeString(w, 3, sl.schemaUrl);
      w.endMessage(sat);
    }
    writeString(w, 3, rl.schemaUrl);
    w.endMessage(at);
  }
  return w.finish();
}

function writeSpan(w: ProtoWriter, span: Span): void {
  const at = w.beginMessage(2);
  writeBytes(w, 1, span.traceId);
  writeBytes(w, 2, span.spanId);
  writeString(w, 3, span.traceState);
  writeBytes(w, 4, span.parentSpanId);
  writeString(w, 5, span.name);
  writeInt32(w, 6, span.kind);
  writeFixed64(w, 7, span.startTimeUnixNano);
  writeFixed64(w, 8, span.endTimeUnixNano);

  // Each part keeps its place in field order, so a pass-through span re-encodes to the same bytes.
  const decoded = span instanceof DecodedSpan ? span : undefined;
  if (decoded?.isRaw(SPAN_ATTRIBUTES_FIELD)) copyRawField(w, decoded, SPAN_ATTRIBUTES_FIELD);
  else writeAttributes(w, SPAN_ATTRIBUTES_FIELD, span.attributes);
  writeUint32(w, 10, span.droppedAttributesCount);
  if (decoded?.isRaw(SPAN_EVENTS_FIELD)) copyRawField(w, decoded, SPAN_EVENTS_FIELD);
  else for (const e of span.events) writeEvent(w, e);
  writeUint32(w, 12, span.droppedEventsCount);
  if (decoded?.isRaw(SPAN_LINKS_FIELD)) copyRawField(w, decoded, SPAN_LINKS_FIELD);
  else for (const l of span.links) writeLink(w, l);
  writeUint32(w, 14, span.droppedLinksCount);

  const status = span.status;
  if (status.code !== 0 || status.message !== '') {
    const sat = w.beginMessage(15);
    writeString(w, 2, status.message);
    writeInt32(w, 3, status.code);
    w.endMessage(sat);
  }
  writeFixed32(w, 16, span.flags);
  w.endMessage(at);
}

function writeEvent(w: ProtoWriter, e: SpanEvent): void {
  const at = w.beginMessage(SPAN_EVENTS_FIELD);
  writeFixed64(w, 1, e.timeUnixNano);
  writeString(w, 2, e.name);
  writeAttributes(w, 3, e.attributes);
  writeUint32(w, 4, e.droppedAttributesCount);
  w.endMessage(at);
}

function writeLink(w: ProtoWriter, l: SpanLink): void {
  const at = w.beginMessage(SPAN_LINKS_FIELD);
  writeBytes(w, 1, l.traceId);
  writeBytes(w, 2, l.spanId);
  writeString(w, 3, l.traceState);
  writeAttributes(w, 4, l.attributes);
  writeUint32(w, 5, l.droppedAttributesCount);
  writeFixed32(w, 6, l.flags);
  w.endMessage(at);
}

function writeLogRecord(w: ProtoWriter, record: LogRecord): void {
  const at = w.beginMessage(2);
  writeFixed64(w, 1, record.timeUnixNano);
  writeInt32(w, 2, record.severityNumber);
  writeString(w, 3, record.severityText);
  if (record.body.type !== 'empty') writeAnyValue(w, 5, record.body);
  if (record instanceof DecodedLogRecord && record.isRaw(LOG_ATTRIBUTES_FIELD)) {
    copyRawField(w, record, LOG_ATTRIBUTES_FIELD);
  } else {
    writeAttributes(w, LOG_ATTRIBUTES_FIELD, record.attributes);
  }
  writeUint32(w, 7, record.droppedAttributesCount);
  writeFixed32(w, 8, record.flags);
  writeBytes(w, 9, record.traceId);
  writeBytes(w, 10, record.spanId);
  writeFixed64(w, 11, record.observedTimeUnixNano);
  writeString(w, 12, record.eventName);
  w.endMessage(at);
}

function writeResource(w: ProtoWriter, resource: Resource): void {
  if (resource.attributes.length === 0 && resource.droppedAttributesCount === 0) return;
  const at = w.beginMessage(1);
  writeAttributes(w, 1, resource.attributes);
  writeUint32(w, 2, resource.droppedAttributesCount);
  w.endMessage(at);
}

function writeScope(w: ProtoWriter, scope: InstrumentationScope): void {
  if (scope.name === '' && scope.version === '' && scope.attributes.length === 0 && scope.droppedAttributesCount === 0) {
    return;
  }
  const at = w.beginMessage(1);
  writeString(w, 1, scope.name);
  writeString(w, 2, scope.version);
  writeAttributes(w, 3, scope.attributes);
  writeUint32(w, 4, scope.droppedAttributesCount);
  w.endMessage(at);
}

function writeAttributes(w: ProtoWriter, field: number, attributes: Attributes): void {
  for (let i = 0; i < attributes.length; i++) writeKeyValue(w, field, attributes[i]!);
}

function writeKeyValue(w: ProtoWriter, field: number, kv: KeyValue): void {
  const at = w.beginMessage(field);
  writeString(w, 1, kv.key);
  if (kv.value.type !== 'empty') writeAnyValue(w, 2, kv.value);
  w.endMessage(at);
}

function writeAnyValue(w: ProtoWriter, field: number, v: AnyValue): void {
  const at = w.beginMessage(field);
  switch (v.type) {
    case 'string':
      w.tag(1, WIRE_LEN);
      w.string(v.value);
      break;
    case 'bool':
      w.tag(2, WIRE_VARINT);
      w.varint(v.value ? 1 : 0);
      break;
    case 'int':
      w.tag(3, WIRE_VARINT);
      w.varint64(v.value);
      break;
    case 'double':
      w.tag(4, WIRE_I64);
      w.double(v.value);
      break;
    case 'array': {
      const lat = w.beginMessage(5);
      for (const item of v.value) writeAnyValue(w, 1, item);
      w.endMessage(lat);
      break;
    }
    case 'kvlist': {
      const lat = w.beginMessage(6);
      for (const kv of v.value) writeKeyValue(w, 1, kv);
      w.endMessage(lat);
      break;
    }
    case 'bytes':
      w.tag(7, WIRE_LEN);
      w.bytes(v.value);
      break;
    case 'empty':
      break;
  }
  w.endMessage(at);
}

/**
 * Copies every occurrence of `field` from the item's encoded message, tag and all, merging
 * neighbouring occurrences into one copy. Items that counted none of it are not walked.
 */
function copyRawField(w: ProtoWriter, item: DecodedSpan | DecodedLogRecord, field: number): void {
  const count =
    field === SPAN_EVENTS_FIELD && item instanceof DecodedSpan
      ? item.eventCount
      : field === SPAN_LINKS_FIELD && item instanceof DecodedSpan
        ? item.linkCount
        : item.attributeCount;
  if (count === 0) return;
  const { source, sourceStart, sourceEnd } = item;
  const wanted = (field << 3) | WIRE_LEN;
  const r = new ProtoReader(source, sourceStart, sourceEnd);
  let runStart = -1;
  while (r.pos < sourceEnd) {
    const fieldStart = r.pos;
    const tag = r.tag();
    r.skip(tag & 7);
    if (tag === wanted) {
      if (runStart < 0) runStart = fieldStart;
    } else if (runStart >= 0) {
      w.raw(source.subarray(runStart, fieldStart));
      runStart = -1;
    }
  }
  if (runStart >= 0) w.raw(source.subarray(runStart, sourceEnd));
}

function writeString(w: ProtoWriter, field: number, value: string): void {
  if (value === '') return;
  w.tag(field, WIRE_LEN);
  w.string(value);
}

function writeBytes(w: ProtoWriter, field: number, value: Uint8Array): void {
  if (value.length === 0) return;
  w.tag(field, WIRE_LEN);
  w.bytes(value);
}

function writeFixed64(w: ProtoWriter, field: number, value: bigint): void {
  if (value === 0n) return;
  w.tag(field, WIRE_I64);
  w.fixed64(value);
}

function writeFixed32(w: ProtoWriter, field: number, value: number): void {
  if (value === 0) return;
  w.tag(field, WIRE_I32);
  w.fixed32(value);
}

function writeUint32(w: ProtoWriter, field: number, value: number): void {
  if (value === 0) return;
  w.tag(field, WIRE_VARINT);
  w.varint(value >>> 0);
}

/** int32 and enums: negative values are sign-extended to ten bytes, as protobuf encodes them. */
function writeInt32(w: ProtoWriter, field: number, value: number): void {
  if (value === 0) return;
  w.tag(field, WIRE_VARINT);
  if (value > 0) w.varint(value);
  else w.varint64(BigInt(value | 0));
}
