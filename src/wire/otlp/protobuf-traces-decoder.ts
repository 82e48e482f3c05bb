import type { ResourceSpans, ScopeSpans, TraceBatch } from '../../model/batch.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES } from '../../model/ids.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import type { SpanStatus } from '../../model/span.js';
import { ProtoReader } from '../protobuf/reader.js';
import type { DecodeResult } from './export-result.js';
import { skipKeyValue } from './protobuf-common-decoder.js';
import { DecodedSpan, UNSET_STATUS, skipEvent, skipLink } from './protobuf-decoded-span.js';
import { idProblem } from './protobuf-rejections.js';
import { decodeNestedRequest } from './protobuf-request-nesting.js';
import type { ProtobufNesting } from './protobuf-request-nesting.js';

// ExportTraceServiceRequest -> TraceBatch in one pass over the bytes. Cases below switch on the whole
// tag (field number << 3 | wire type): a field arriving with an unexpected wire type falls to the
// default branch and is skipped as unknown, as protobuf runtimes treat it.

/** Throws DecodeError when the payload as a whole cannot be decoded. */
export function decodeTracesRequest(buf: Uint8Array): DecodeResult<TraceBatch> {
  return decodeNestedRequest(buf, TRACES);
}

const TRACES: ProtobufNesting<DecodedSpan, ScopeSpans, ResourceSpans, TraceBatch> = Object.freeze({
  itemNoun: Object.freeze({ one: 'span', many: 'spans' }),
  readItem: readSpan,
  itemProblem: spanProblem,
  scopeOf: (scope: InstrumentationScope, schemaUrl: string, spans: DecodedSpan[]): ScopeSpans => ({ scope, schemaUrl, spans }),
  resourceOf: (resource: Resource, schemaUrl: string, scopeSpans: ScopeSpans[]): ResourceSpans => ({ resource, schemaUrl, scopeSpans }),
  batchOf: (resourceSpans: ResourceSpans[], itemCount: number): TraceBatch => ({ signal: 'traces', resourceSpans, itemCount }),
});

function spanProblem(span: DecodedSpan): string {
  return (
    idProblem('trace_id', span.traceId, TRACE_ID_BYTES, false) ||
    idProblem('span_id', span.spanId, SPAN_ID_BYTES, false) ||
    idProblem('parent_span_id', span.parentSpanId, SPAN_ID_BYTES, true)
  );
}

function readSpan(r: ProtoReader): DecodedSpan {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  const span = new DecodedSpan(r.buf, r.pos, end);
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10:
        span.traceId = r.bytesView();
        break;
      case 18:
        span.spanId = r.bytesView();
        break;
      case 26:
        span.traceState = r.string();
        break;
      case 34:
        span.parentSpanId = r.bytesView();
        break;
      case 42:
        span.name = r.string();
        break;
      case 48:
        span.kind = r.int32();
        break;
      case 57:
        span.startTimeUnixNano = r.fixed64();
        break;
      case 65:
        span.endTimeUnixNano = r.fixed64();
        break;
      case 74:
        skipKeyValue(r, 0);
        span.attributeCount++;
        break;
      case 80:
        span.droppedAttributesCount = r.uint32();
        break;
      case 90:
        skipEvent(r);
        span.eventCount++;
        break;
      case 96:
        span.droppedEventsCount = r.uint32();
        break;
      case 106:
        skipLink(r);
        span.linkCount++;
        break;
      case 112:
        span.droppedLinksCount = r.uint32();
        break;
      case 122:
        span.status = readStatus(r);
        break;
      case 133:
        span.flags = r.fixed32();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.end = outer;
  return span;
}

function readStatus(r: ProtoReader): SpanStatus {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  let message = '';
  let code = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 18) message = r.string();
    else if (tag === 24) code = r.int32();
    else r.skip(tag & 7);
  }
  r.end = outer;
  return code === 0 && message === '' ? UNSET_STATUS : { code, message };
}
