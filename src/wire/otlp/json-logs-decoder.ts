import { logBatch } from '../../model/batch.js';
import type { LogBatch, ResourceLogs, ScopeLogs } from '../../model/batch.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES } from '../../model/ids.js';
import type { LogRecord, SeverityNumber } from '../../model/log-record.js';
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
  readAnyValue,
  readArray,
  readAttributes,
  readEnum,
  readHexId,
  readString,
  readUint32,
  readUint64,
} from './json-common.js';

const SEVERITY_NAMES: ReadonlyMap<string, number> = (() => {
  const names = new Map<string, number>([['SEVERITY_NUMBER_UNSPECIFIED', 0]]);
  const classes = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];
  classes.forEach((cls, c) => {
    for (let k = 1; k <= 4; k++) names.set(`SEVERITY_NUMBER_${cls}${k === 1 ? '' : k}`, c * 4 + k);
  });
  return names;
})();

/**
 * Decodes an OTLP/JSON ExportLogsServiceRequest. A log record need not belong to a trace, so only
 * IDs that are present and unusable reject it; anything else malformed throws DecodeError.
 */
export function decodeLogsJson(text: string): DecodeResult<LogBatch> {
  return decodeNestedJson(text, LOGS);
}

const LOGS: JsonNesting<LogRecord, ScopeLogs, ResourceLogs, LogBatch> = Object.freeze({
  itemNoun: Object.freeze({ one: 'log record', many: 'log records' }),
  resourcesKey: 'resourceLogs',
  scopesKey: 'scopeLogs',
  itemsKey: 'logRecords',
  readItem: readLogRecord,
  scopeOf: (scope: InstrumentationScope, schemaUrl: string, logRecords: LogRecord[]): ScopeLogs => ({ scope, schemaUrl, logRecords }),
  resourceOf: (resource: Resource, schemaUrl: string, scopeLogs: ScopeLogs[]): ResourceLogs => ({ resource, schemaUrl, scopeLogs }),
  batchOf: logBatch,
});

function readLogRecord(o: JsonObject, rejections: Rejections): LogRecord | undefined {
  const traceId = readHexId(o, 'traceId');
  const spanId = readHexId(o, 'spanId');
  const timeUnixNano = readUint64(o, 'timeUnixNano');
  const observedTimeUnixNano = readUint64(o, 'observedTimeUnixNano');
  const severityNumber = readEnum(o, 'severityNumber', SEVERITY_NAMES, 'severity number') as SeverityNumber;
  const severityText = readString(o, 'severityText');
  let body;
  try {
    body = readAnyValue(o.body);
  } catch (err) {
    throw atPath(err, 'body');
  }
  const attributes = readAttributes(o);
  const droppedAttributesCount = readUint32(o, 'droppedAttributesCount');
  const flags = readUint32(o, 'flags');
  const eventName = readString(o, 'eventName');

  const problem =
    hexIdProblem('trace_id', traceId, TRACE_ID_BYTES, true) || hexIdProblem('span_id', spanId, SPAN_ID_BYTES, true);
  if (problem !== '') {
    rejections.add(problem);
    return undefined;
  }
  return {
    timeUnixNano,
    observedTimeUnixNano,
    severityNumber,
    severityText,
    body,
    attributes,
    droppedAttributesCount,
    flags,
    traceId: traceId!,
    spanId: spanId!,
    eventName,
  };
}
