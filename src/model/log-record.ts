import type { AnyValue, Attributes } from './attributes.js';
import { getAttribute } from './attributes.js';
import type { SpanId, TraceId } from './ids.js';
import type { UnixNanos } from './time.js';

// The OTel log data model's SeverityNumber, numerically identical to OTLP's enum.
export enum SeverityNumber {
  Unspecified = 0,
  Trace = 1, Trace2 = 2, Trace3 = 3, Trace4 = 4,
  Debug = 5, Debug2 = 6, Debug3 = 7, Debug4 = 8,
  Info = 9, Info2 = 10, Info3 = 11, Info4 = 12,
  Warn = 13, Warn2 = 14, Warn3 = 15, Warn4 = 16,
  Error = 17, Error2 = 18, Error3 = 19, Error4 = 20,
  Fatal = 21, Fatal2 = 22, Fatal3 = 23, Fatal4 = 24,
}

/** The severity class a number falls in ("ERROR" for 17-20, ...), as the log data model ranges say. */
export function severityClass(n: SeverityNumber): 'UNSPECIFIED' | 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'FATAL' {
  if (n <= 0 || n > 24) return 'UNSPECIFIED';
  return (['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const)[Math.floor((n - 1) / 4)]!;
}

/** See Span for the laziness and buffer-view caveats, which apply to attributes and IDs here too. */
export interface LogRecord {
  readonly timeUnixNano: UnixNanos; // 0n when the source had no event time
  readonly observedTimeUnixNano: UnixNanos;
  readonly severityNumber: SeverityNumber;
  readonly severityText: string;
  readonly body: AnyValue;
  readonly attributes: Attributes;
  readonly droppedAttributesCount: number;
  readonly flags: number;
  readonly traceId: TraceId; // empty when not part of a trace
  readonly spanId: SpanId;
  readonly eventName: string;
  /** Optional fast path, as Span.attribute: one attribute without materialising all of them. */
  attribute?(key: string): AnyValue | undefined;
}

/** One attribute of a log record, through the decoder's fast path when there is one. */
export function logAttribute(record: LogRecord, key: string): AnyValue | undefined {
  return record.attribute ? record.attribute(key) : getAttribute(record.attributes, key);
}
