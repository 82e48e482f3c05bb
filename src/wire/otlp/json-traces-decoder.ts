import { traceBatch } from '../../model/batch.js';
import type { ResourceSpans, ScopeSpans, TraceBatch } from '../../model/batch.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES } from '../../model/ids.js';
import type { Span, SpanEvent, SpanKind, SpanLink, SpanStatus, StatusCode } from '../../model/span.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import type { DecodeResult } from './export-result.js';
import type { JsonObject } from './json-common.js';
import { decodeNestedJson } from './json-request-nesting.js';
import type { JsonNesting } from './json-request-nesting.js';
import type { Rejections } from './protobuf-rejections.js';
import {
  asElement,
  atPath,
  hexIdProblem,
  readArray,
  readAttributes,
  readEnum,
  readHexId,
  readObject,
  readString,
  readUint32,
  readUint64,
} from './json-common.js';

const KIND_NAMES: ReadonlyMap<string, number> = new Map([
  ['SPAN_KIND_UNSPECIFIED', 0],
  ['SPAN_KIND_INTERNAL', 1],
  ['SPAN_KIND_SERVER', 2],
  ['SPAN_KIND_CLIENT', 3],
  ['SPAN_KIND_PRODUCER', 4],
  ['SPAN_KIND_CONSUMER', 5],
]);

const STATUS_NAMES: ReadonlyMap<string, number> = new Map([
  ['STATUS_CODE_UNSET', 0],
  ['STATUS_CODE_OK', 1],
  ['STATUS_CODE_ERROR', 2],
]);

/**
 * Decodes an OTLP/JSON ExportTraceServiceRequest. Spans with unusable IDs are left out and
 * counted for partial success; anything else malformed throws DecodeError naming the path.
 */
export function decodeTracesJson(text: string): DecodeResult<TraceBatch> {
  return decodeNestedJson(text, TRACES);
}

const TRACES: JsonNesting<Span, ScopeSpans, ResourceSpans, TraceBatch> = Object.freeze({
  itemNoun: Object.freeze({ one: 'span', many: 'spans' }),
  resourcesKey: 'resourceSpans',
  scopesKey: 'scopeSpans',
  itemsKey: 'spans',
  readItem: readSpan,
  scopeOf: (scope: InstrumentationScope, schemaUrl: string, spans: Span[]): ScopeSpans => ({ scope, schemaUrl, spans }),
  resourceOf: (resource: Resource, schemaUrl: string, scopeSpans: ScopeSpans[]): ResourceSpans => ({ resource, schemaUrl, scopeSpans }),
  batchOf: traceBatch,
});

/** The whole span is read before its IDs are judged, so a rejected span still has to be well-formed JSON. */
function readSpan(o: JsonObject, rejections: Rejections): Span | undefined {
  const traceId = readHexId(o, 'traceId');
  const spanId = readHexId(o, 'spanId');
  const parentSpanId = readHexId(o, 'parentSpanId');
  const name = readString(o, 'name');
  const kind = readEnum(o, 'kind', KIND_NAMES, 'span kind') as SpanKind;
  const traceState = readString(o, 'traceState');
  const flags = readUint32(o, 'flags');
  const startTimeUnixNano = readUint64(o, 'startTimeUnixNano');
  const endTimeUnixNano = readUint64(o, 'endTimeUnixNano');
  const attributes = readAttributes(o);
  const droppedAttributesCount = readUint32(o, 'droppedAttributesCount');
  const events = readEvents(o);
  const droppedEventsCount = readUint32(o, 'droppedEventsCount');
  const links = readLinks(o);
  const droppedLinksCount = readUint32(o, 'droppedLinksCount');
  const status = readStatus(o);

  const problem =
    hexIdProblem('trace_id', traceId, TRACE_ID_BYTES, false) ||
    hexIdProblem('span_id', spanId, SPAN_ID_BYTES, false) ||
    hexIdProblem('parent_span_id', parentSpanId, SPAN_ID_BYTES, true) ||
    linksProblem(links);
  if (problem !== '') {
    rejections.add(problem);
    return undefined;
  }
  return {
    traceId: traceId!,
    spanId: spanId!,
    traceState,
    parentSpanId: parentSpanId!,
    flags,
    name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    droppedAttributesCount,
    events,
    droppedEventsCount,
    links: links as SpanLink[],
    droppedLinksCount,
    status,
  };
}

function readEvents(o: JsonObject): SpanEvent[] {
  const arr = readArray(o, 'events');
  const out: SpanEvent[] = new Array(arr.length);
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const e = asElement(arr[i]);
      out[i] = {
        timeUnixNano: readUint64(e, 'timeUnixNano'),
        name: readString(e, 'name'),
        attributes: readAttributes(e),
        droppedAttributesCount: readUint32(e, 'droppedAttributesCount'),
      };
    }
  } catch (err) {
    throw atPath(err, `events[${i}]`);
  }
  return out;
}

/** A link as read, before its IDs are judged: IDs that are not hex have no byte form yet. */
interface PendingLink extends Omit<SpanLink, 'traceId' | 'spanId'> {
  readonly traceId: Uint8Array | undefined;
  readonly spanId: Uint8Array | undefined;
}

function readLinks(o: JsonObject): PendingLink[] {
  const arr = readArray(o, 'links');
  const out: PendingLink[] = new Array(arr.length);
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const l = asElement(arr[i]);
      out[i] = {
        traceId: readHexId(l, 'traceId'),
        spanId: readHexId(l, 'spanId'),
        traceState: readString(l, 'traceState'),
        attributes: readAttributes(l),
        droppedAttributesCount: readUint32(l, 'droppedAttributesCount'),
        flags: readUint32(l, 'flags'),
      };
    }
  } catch (err) {
    throw atPath(err, `links[${i}]`);
  }
  return out;
}

/** A link's IDs are not checked for length, as a link may point into another tracing system, but bytes they must be. */
function linksProblem(links: readonly PendingLink[]): string {
  for (let i = 0; i < links.length; i++) {
    const l = links[i]!;
    if (l.traceId === undefined) return `links[${i}].trace_id is not valid hex`;
    if (l.spanId === undefined) return `links[${i}].span_id is not valid hex`;
  }
  return '';
}

const UNSET_STATUS: SpanStatus = Object.freeze({ code: 0 as StatusCode, message: '' });

function readStatus(o: JsonObject): SpanStatus {
  const s = readObject(o, 'status');
  if (s === undefined) return UNSET_STATUS;
  try {
    return { code: readEnum(s, 'code', STATUS_NAMES, 'status code') as StatusCode, message: readString(s, 'message') };
  } catch (err) {
    throw atPath(err, 'status');
  }
}
