import type { LogBatch, ResourceLogs, ScopeLogs } from '../../model/batch.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES } from '../../model/ids.js';
import type { LogRecord } from '../../model/log-record.js';
import { EMPTY_RESOURCE, EMPTY_SCOPE } from '../../model/resource.js';
import type { InstrumentationScope, Resource } from '../../model/resource.js';
import { ProtoReader } from '../protobuf/reader.js';
import type { DecodeResult } from './export-result.js';
import { readAnyValue, readResource, readScope, skipKeyValue } from './protobuf-common-decoder.js';
import { DecodedLogRecord } from './protobuf-decoded-log-record.js';
import { Rejections, idProblem } from './protobuf-rejections.js';

// ExportLogsServiceRequest -> LogBatch in one pass over the bytes; see the traces decoder for the
// tag-switch convention. A log record need not belong to a trace, so its IDs may be absent, but
// when present they must have the right length.

/** Throws DecodeError when the payload as a whole cannot be decoded. */
export function decodeLogsRequest(buf: Uint8Array): DecodeResult<LogBatch> {
  const r = new ProtoReader(buf);
  const rejections = new Rejections({ one: 'log record', many: 'log records' });
  const resourceLogs: ResourceLogs[] = [];
  let itemCount = 0;
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 10) {
      const rl = readResourceLogs(r, rejections);
      for (const sl of rl.scopeLogs) itemCount += sl.logRecords.length;
      resourceLogs.push(rl);
    } else {
      r.skip(tag & 7);
    }
  }
  return {
    batch: { signal: 'logs', resourceLogs, itemCount },
    rejected: rejections.count,
    errorMessage: rejections.message(),
  };
}

function readResourceLogs(r: ProtoReader, rejections: Rejections): ResourceLogs {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  let resource: Resource = EMPTY_RESOURCE;
  const scopeLogs: ScopeLogs[] = [];
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 10) resource = readResource(r);
    else if (tag === 18) scopeLogs.push(readScopeLogs(r, rejections));
    else if (tag === 26) schemaUrl = r.string();
    else r.skip(tag & 7);
  }
  r.end = outer;
  return { resource, schemaUrl, scopeLogs };
}

function readScopeLogs(r: ProtoReader, rejections: Rejections): ScopeLogs {
  const end = r.lengthEnd();
  const outer = r.end;
  r.end = end;
  let scope: InstrumentationScope = EMPTY_SCOPE;
  const logRecords: LogRecord[] = [];
  let schemaUrl = '';
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === 18) {
      const record = readLogRecord(r);
      const problem =
        idProblem('trace_id', record.traceId, TRACE_ID_BYTES, true) ||
        idProblem('span_id', record.spanId, SPAN_ID_BYTES, true);
      if (problem === '') logRecords.push(record);
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
  return { scope, schemaUrl, logRecords };
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
