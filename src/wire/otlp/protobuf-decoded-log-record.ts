import type { AnyValue, Attributes } from '../../model/attributes.js';
import { EMPTY_VALUE, getAttribute } from '../../model/attributes.js';
import { EMPTY_ID } from '../../model/ids.js';
import type { SpanId, TraceId } from '../../model/ids.js';
import { SeverityNumber } from '../../model/log-record.js';
import type { LogRecord } from '../../model/log-record.js';
import { ProtoReader } from '../protobuf/reader.js';
import { NO_ATTRIBUTES, findAttributeAt, readAttributesAt } from './protobuf-common-decoder.js';

// A log record decoded from an OTLP protobuf request: everything but the attributes is read in the
// main pass; the attributes stay as (already checked) bytes in the request until first read.

export const LOG_ATTRIBUTES_FIELD = 6;

export class DecodedLogRecord implements LogRecord {
  timeUnixNano = 0n;
  observedTimeUnixNano = 0n;
  severityNumber: SeverityNumber = SeverityNumber.Unspecified;
  severityText = '';
  body: AnyValue = EMPTY_VALUE;
  droppedAttributesCount = 0;
  flags = 0;
  traceId: TraceId = EMPTY_ID;
  spanId: SpanId = EMPTY_ID;
  eventName = '';
  attributeCount = 0;
  private attributesCache: Attributes | undefined = undefined;

  /** `source[start, end)` holds the LogRecord message's fields, and must not change while this record lives. */
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
          : readAttributesAt(
              new ProtoReader(this.source, this.sourceStart, this.sourceEnd),
              this.sourceStart,
              this.sourceEnd,
              LOG_ATTRIBUTES_FIELD,
              this.attributeCount,
            );
    }
    return this.attributesCache;
  }

  /** One attribute by key, read from the bytes without decoding the others. */
  attribute(key: string): AnyValue | undefined {
    if (this.attributesCache !== undefined) return getAttribute(this.attributesCache, key);
    if (this.attributeCount === 0) return undefined;
    return findAttributeAt(new ProtoReader(this.source, this.sourceStart, this.sourceEnd), this.sourceStart, this.sourceEnd, LOG_ATTRIBUTES_FIELD, key);
  }

  /** Whether the attributes are still only bytes, so an encoder may copy them as they are. */
  isRaw(field: number): boolean {
    return field === LOG_ATTRIBUTES_FIELD && this.attributesCache === undefined;
  }
}
