import { logBatch } from '../../model/batch.js';
import type { LogBatch, ResourceLogs, ScopeLogs } from '../../model/batch.js';
import { SPAN_ID_BYTES, TRACE_ID_BYTES } from '../../model/ids.js';
import type { LogRecord, SeverityNumber } from '../../model/log-record.js';
import type { DecodeResult } from './export-result.js';
import type { JsonObject } from './json-common.js';
import { Rejections } from './protobuf-rejections.js';
import {
  asElement,
  atPath,
  hexIdProblem,
  parseRequest,
  readAnyValue,
  readArray,
  readAttributes,
  readEnum,
  readHexId,
  readResource,
  readScope,
  readString,
  readUint32,
  readUint64,
  toDecodeError,
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
  const root = parseRequest(text);
  const rejections = new Rejections({ one: 'log record', many: 'log records' });
  let resourceLogs: ResourceLogs[];
  try {
    resourceLogs = readResourceLogsList(root, rejections);
  } catch (err) {
    throw toDecodeError(err);
  }
  return { batch: logBatch(resourceLogs), rejected: rejections.count, errorMessage: rejections.message() };
}

function readResourceLogsList(root: JsonObject, rejections: Rejections): ResourceLogs[] {
  const arr = readArray(root, 'resourceLogs');
  const out: ResourceLogs[] = new Array(arr.length);
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const rl = asElement(arr[i]);
      out[i] = {
        resource: readResource(rl),
        schemaUrl: readString(rl, 'schemaUrl'),
        scopeLogs: readScopeLogsList(rl, rejections),
      };
    }
  } catch (err) {
    throw atPath(err, `resourceLogs[${i}]`);
  }
  return out;
}

function readScopeLogsList(rl: JsonObject, rejections: Rejections): ScopeLogs[] {
  const arr = readArray(rl, 'scopeLogs');
  const out: ScopeLogs[] = new Array(arr.length);
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const sl = asElement(arr[i]);
      out[i] = { scope: readScope(sl), schemaUrl: readString(sl, 'schemaUrl'), logRecords: readLogRecords(sl, rejections) };
    }
  } catch (err) {
    throw atPath(err, `scopeLogs[${i}]`);
  }
  return out;
}

function readLogRecords(sl: JsonObject, rejections: Rejections): LogRecord[] {
  const arr = readArray(sl, 'logRecords');
  const out: LogRecord[] = [];
  let i = 0;
  try {
    for (; i < arr.length; i++) {
      const record = readLogRecord(asElement(arr[i]), rejections);
      if (record !== undefined) out.push(record);
    }
  } catch (err) {
    throw atPath(err, `logRecords[${i}]`);
  }
  return out;
}

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
