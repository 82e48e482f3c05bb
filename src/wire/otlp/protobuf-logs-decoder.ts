import type { LogBatch, ResourceLogs, ScopeLogs } from '../../model/batch.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES } from '../../model/ids.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import { ProtoReader } from '../protobuf/reader.js';
import type { DecodeResult } from './export-result.js';
import { readAnyValue, skipKeyValue } from './protobuf-common-decoder.js';
import { DecodedLogRecord } from './protobuf-decoded-log-record.js';
import { idProblem } from './protobuf-rejections.js';
import { decodeNestedRequest } from './protobuf-request-nesting.js';
import type { ProtobufNesting } from './protobuf-request-nesting.js';

// ExportLogsServiceRequest -> LogBatch in one pass over the bytes; see the traces decoder for the
// tag-switch convention. A log record need not belong to a trace, so its IDs may be absent, but
// when present they must have the right length.

/** Throws DecodeError when the payload as a whole cannot be decoded. */
export function decodeLogsRequest(buf: Uint8Array): DecodeResult<LogBatch> {
  return decodeNestedRequest(buf, LOGS);
}

const LOGS: ProtobufNesting<DecodedLogRecord, ScopeLogs, ResourceLogs, LogBatch> = Object.freeze({
  itemNoun: Object.freeze({ one: 'log record', many: 'log records' }),
  readItem: readLogRecord,
  itemProblem: logRecordProblem,
  scopeOf: (scope: InstrumentationScope, schemaUrl: string, logRecords: DecodedLogRecord[]): ScopeLogs => ({ scope, schemaUrl, logRecords }),
  resourceOf: (resource: Resource, schemaUrl: string, scopeLogs: ScopeLogs[]): ResourceLogs => ({ resource, schemaUrl, scopeLogs }),
  batchOf: (resourceLogs: ResourceLogs[], itemCount: number): LogBatch => ({ signal: 'logs', resourceLogs, itemCount }),
});

function logRecordProblem(record: DecodedLogRecord): string {
  return (
    idProblem('trace_id', record.traceId, TRACE_ID_BYTES, true) || idProblem('span_id', record.spanId, SPAN_ID_BYTES, true)
  );
}

function readLogRecord(r: ProtoReader): DecodedLogRecord {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  const record = new DecodedLogRecord(r.buf, r.pos, end);
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case 9:
        record.timeUnixNano = r.fixed64();
        break;
      case 16:
        record.severityNumber = r.int32();
        break;
      case 26:
        record.severityText = r.string();
        break;
      case 42:
        record.body = readAnyValue(r, 0);
        break;
      case 50:
        skipKeyValue(r, 0);
        record.attributeCount++;
        break;
      case 56:
        record.droppedAttributesCount = r.uint32();
        break;
      case 69:
        record.flags = r.fixed32();
        break;
      case 74:
        record.traceId = r.bytesView();
        break;
      case 82:
        record.spanId = r.bytesView();
        break;
      case 89:
        record.observedTimeUnixNano = r.fixed64();
        break;
      case 98:
        record.eventName = r.string();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.end = outer;
  return record;
}
