import type { ResourceSpans, ScopeSpans, TraceBatch } from '../../model/batch.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES } from '../../model/ids.js';
import { EMPTY_RESOURCE, EMPTY_SCOPE } from '../../model/resource.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import type { Span, SpanStatus } from '../../model/span.js';
import { ProtoReader } from '../protobuf/reader.js';
import type { DecodeResult } from './export-result.js';
import { readResource, readScope, skipKeyValue } from './protobuf-common-decoder.js';
import { DecodedSpan, UNSET_STATUS, skipEvent, skipLink } from './protobuf-decoded-span.js';
import { Rejections, idProblem } from './protobuf-rejections.js';

// ExportTraceServiceRequest -> TraceBatch in one pass over the bytes. Cases below switch on the whole
// tag (field number << 3 | wire type): a field arriving with an unexpected wire type falls to the
// default branch and is skipped as unknown, as protobuf runtimes treat it.

/** Throws DecodeError when the payload as a whole cannot be decoded. */
export function decodeTracesRequest(buf: Uint8Array): DecodeResult<TraceBatch> {
  const r = new ProtoReader(buf);
  const rejections = new Rejections({ one: 'span', many: 'spans' });
  const resourceSpans: ResourceSpans[] = [];
  let itemCount = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      const rs = readResourceSpans(r, rejections);
      for (const ss of rs.scopeSpans) itemCount += ss.spans.length;
      resourceSpans.push(rs);
    } else {
      r.skip(tag & 7);
    }
  }
  return {
    batch: { signal: 'traces', resourceSpans, itemCount },
    rejected: rejections.count,
    errorMessage: rejections.message(),
  };
}

function readResourceSpans(r: ProtoReader, rejections: Rejections): ResourceSpans {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  let resource: Resource = EMPTY_RESOURCE;
  const scopeSpans: ScopeSpans[] = [];
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) resource = readResource(r);
    else if (tag === 18) scopeSpans.push(readScopeSpans(r, rejections));
    else if (tag === 26) schemaUrl = r.string();
    else r.skip(tag & 7);
  }
  r.end = outer;
  return { resource, schemaUrl, scopeSpans };
}

function readScopeSpans(r: ProtoReader, rejections: Rejections): ScopeSpans {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  let scope: InstrumentationScope = EMPTY_SCOPE;
  const spans: Span[] = [];
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 18) {
      const span = readSpan(r);
      const problem = spanProblem(span);
      if (problem === '') spans.push(span);
      else rejections.add(problem);
    } else if (tag === 10) {
      scope = readScope(r);
    } else if (tag === 26) {
      schemaUrl = r.string();
    } else {
      r.skip(tag & 7);
    }
  }
  r.end = outer;
  return { scope, schemaUrl, spans };
}

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
