import type { AttributePicker } from './attribute-picker.js';
import type { AnyValue, Attributes } from './attributes.js';
import { getAttribute } from './attributes.js';
import type { SpanId, TraceId } from './ids.js';
import type { UnixNanos } from './time.js';

// Numeric values are those of OTLP, so that encoding is a copy, not a lookup.
export enum SpanKind {
  Unspecified = 0,
  Internal = 1,
  Server = 2,
  Client = 3,
  Producer = 4,
  Consumer = 5,
}

export enum StatusCode {
  Unset = 0,
  Ok = 1,
  Error = 2,
}

export interface SpanStatus {
  readonly code: StatusCode;
  readonly message: string;
}

export interface SpanEvent {
  readonly timeUnixNano: UnixNanos;
  readonly name: string;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
}

export interface SpanLink {
  readonly traceId: TraceId;
  readonly spanId: SpanId;
  readonly traceState: string;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly flags: number;
}

/**
 * A span as corrgate holds it. Decoders may supply `attributes`, `events` and `links` lazily
 * (decoded from the request bytes on first read), so readers must treat them as getters, and
 * IDs may be views into the request buffer: copy them before keeping them past the batch.
 */
export interface Span {
  readonly traceId: TraceId;
  readonly spanId: SpanId;
  readonly traceState: string;
  readonly parentSpanId: SpanId; // empty for a root span
  readonly flags: number;
  readonly name: string;
  readonly kind: SpanKind;
  readonly startTimeUnixNano: UnixNanos;
  readonly endTimeUnixNano: UnixNanos;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly events: readonly SpanEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly SpanLink[];
  readonly droppedLinksCount: number;
  readonly status: SpanStatus;
  /**
   * Optional fast path: one attribute by key without materialising all of them. A decoder that keeps
   * attributes as bytes provides it; readers use spanAttribute(), which falls back to `attributes`.
   */
  attribute?(key: string): AnyValue | undefined;
  /** Optional fast path: the picker's keys in one pass, without materialising the attributes. */
  pickAttributes?(picker: AttributePicker, out: (AnyValue | undefined)[]): void;
}

/** Several attributes of a span in one pass, through the decoder's fast path when there is one. */
export function pickSpanAttributes(span: Span, picker: AttributePicker, out: (AnyValue | undefined)[]): void {
  if (span.pickAttributes) span.pickAttributes(picker, out);
  else picker.pick(span.attributes, out);
}

/** One attribute of a span, through the decoder's fast path when there is one. */
export function spanAttribute(span: Span, key: string): AnyValue | undefined {
  return span.attribute ? span.attribute(key) : getAttribute(span.attributes, key);
}
