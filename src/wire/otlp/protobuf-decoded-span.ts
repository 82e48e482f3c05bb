import type { AnyValue, Attributes, KeyValue } from '../../model/attributes.js';
import { getAttribute } from '../../model/attributes.js';
import { EMPTY_ID } from '../../model/ids.js';
import type { SpanId, TraceId } from '../../model/ids.js';
import { SpanKind, StatusCode } from '../../model/span.js';
import type { Span, SpanEvent, SpanLink, SpanStatus } from '../../model/span.js';
import { ProtoReader } from '../protobuf/reader.js';
import { NO_ATTRIBUTES, findAttributeAt, pickAttributesAt, readAttributesAt, readKeyValue, scratchReader, skipKeyValue } from './protobuf-common-decoder.js';
import type { AttributePicker } from '../../model/attribute-picker.js';

// A span decoded from an OTLP protobuf request. The scalars are read in the main pass; attributes,
// events and links stay as bytes in the request until first read, because most of corrgate's
// pipeline (correlation by trace ID, gating on status and duration) never looks at most of them.
// The main pass has already checked those bytes, so the getters cannot fail.

export const SPAN_ATTRIBUTES_FIELD = 9;
export const SPAN_EVENTS_FIELD = 11;
export const SPAN_LINKS_FIELD = 13;

export const UNSET_STATUS: SpanStatus = Object.freeze({ code: StatusCode.Unset, message: '' });

const NO_EVENTS: readonly SpanEvent[] = Object.freeze([]);
const NO_LINKS: readonly SpanLink[] = Object.freeze([]);

export class DecodedSpan implements Span {
  traceId: TraceId = EMPTY_ID;
  spanId: SpanId = EMPTY_ID;
  traceState = '';
  parentSpanId: SpanId = EMPTY_ID;
  flags = 0;
  name = '';
  kind: SpanKind = SpanKind.Unspecified;
  startTimeUnixNano = 0n;
  endTimeUnixNano = 0n;
  droppedAttributesCount = 0;
  droppedEventsCount = 0;
  droppedLinksCount = 0;
  status: SpanStatus = UNSET_STATUS;
  /** How many of each lazy part the main pass saw, so absent parts cost no second walk. */
  attributeCount = 0;
  eventCount = 0;
  linkCount = 0;
  private attributesCache: Attributes | undefined = undefined;
  private eventsCache: readonly SpanEvent[] | undefined = undefined;
  private linksCache: readonly SpanLink[] | undefined = undefined;

  /** `source[start, end)` holds the Span message's fields, and must not change while this span lives. */
  constructor(
    readonly source: Uint8Array,
    readonly sourceStart: number,
    readonly sourceEnd: number,
  ) {}

  get attributes(): Attributes {
    if (this.attributesCache === undefined) {
      this.attributesCache =
        this.attributeCount === 0
          ? NO_ATTRIBUTES
          : readAttributesAt(this.reader(), this.sourceStart, this.sourceEnd, SPAN_ATTRIBUTES_FIELD, this.attributeCount);
    }
    return this.attributesCache;
  }

  get events(): readonly SpanEvent[] {
    if (this.eventsCache === undefined) this.eventsCache = this.eventCount === 0 ? NO_EVENTS : this.readEvents();
    return this.eventsCache;
  }

  get links(): readonly SpanLink[] {
    if (this.linksCache === undefined) this.linksCache = this.linkCount === 0 ? NO_LINKS : this.readLinks();
    return this.linksCache;
  }

  /** One attribute by key, read from the bytes without decoding the others (the correlator's fast path). */
  attribute(key: string): AnyValue | undefined {
    if (this.attributesCache !== undefined) return getAttribute(this.attributesCache, key);
    if (this.attributeCount === 0) return undefined;
    return findAttributeAt(scratchReader(this.source, this.sourceStart, this.sourceEnd), this.sourceStart, this.sourceEnd, SPAN_ATTRIBUTES_FIELD, key);
  }

  /** The picker's attributes in one pass over the bytes, decoding only those (the correlator's fast path). */
  pickAttributes(picker: AttributePicker, out: (AnyValue | undefined)[]): void {
    if (this.attributesCache !== undefined) return picker.pick(this.attributesCache, out);
    if (this.attributeCount === 0) {
      out.fill(undefined);
      return;
    }
    pickAttributesAt(scratchReader(this.source, this.sourceStart, this.sourceEnd), this.sourceStart, this.sourceEnd, SPAN_ATTRIBUTES_FIELD, picker, out);
  }

  /** Whether a lazy part (by its field number) is still only bytes, so an encoder may copy them as they are. */
  isRaw(field: number): boolean {
    switch (field) {
      case SPAN_ATTRIBUTES_FIELD:
        return this.attributesCache === undefined;
      case SPAN_EVENTS_FIELD:
        return this.eventsCache === undefined;
      case SPAN_LINKS_FIELD:
        return this.linksCache === undefined;
      default:
        return false;
    }
  }

  private reader(): ProtoReader {
    return new ProtoReader(this.source, this.sourceStart, this.sourceEnd);
  }

  private readEvents(): SpanEvent[] {
    const r = this.reader();
    const out: SpanEvent[] = [];
    while (r.pos < this.sourceEnd) {
      const tag = r.tag();
      if (tag === ((SPAN_EVENTS_FIELD << 3) | 2)) out.push(readEvent(r));
      else r.skip(tag & 7);
    }
    return out;
  }

  private readLinks(): SpanLink[] {
    const r = this.reader();
    const out: SpanLink[] = [];
    while (r.pos < this.sourceEnd) {
      const tag = r.tag();
      if (tag === ((SPAN_LINKS_FIELD << 3) | 2)) out.push(readLink(r));
      else r.skip(tag & 7);
    }
    return out;
  }
}

function readEvent(r: ProtoReader): SpanEvent {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  let timeUnixNano = 0n;
  let name = '';
  let attributes: KeyValue[] | undefined;
  let droppedAttributesCount = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 9:
        timeUnixNano = r.fixed64();
        break;
      case 18:
        name = r.string();
        break;
      case 26:
        (attributes ??= []).push(readKeyValue(r, 0));
        break;
      case 32:
        droppedAttributesCount = r.uint32();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.end = outer;
  return { timeUnixNano, name, attributes: attributes ?? NO_ATTRIBUTES, droppedAttributesCount };
}

function readLink(r: ProtoReader): SpanLink {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  let traceId: TraceId = EMPTY_ID;
  let spanId: SpanId = EMPTY_ID;
  let traceState = '';
  let attributes: KeyValue[] | undefined;
  let droppedAttributesCount = 0;
  let flags = 0;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 10:
        traceId = r.bytesView();
        break;
      case 18:
        spanId = r.bytesView();
        break;
      case 26:
        traceState = r.string();
        break;
      case 34:
        (attributes ??= []).push(readKeyValue(r, 0));
        break;
      case 40:
        droppedAttributesCount = r.uint32();
        break;
      case 53:
        flags = r.fixed32();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.end = outer;
  return { traceId, spanId, traceState, attributes: attributes ?? NO_ATTRIBUTES, droppedAttributesCount, flags };
}

/** Checks one length-delimited Span.Event without decoding it. */
export function skipEvent(r: ProtoReader): void {
  skipWithAttributes(r, (3 << 3) | 2);
}

/** Checks one length-delimited Span.Link without decoding it. */
export function skipLink(r: ProtoReader): void {
  skipWithAttributes(r, (4 << 3) | 2);
}

function skipWithAttributes(r: ProtoReader, attributesTag: number): void {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === attributesTag) skipKeyValue(r, 0);
    else r.skip(tag & 7);
  }
  r.end = outer;
}
