import { basename } from 'node:path';
import { str } from '../../model/attributes.js';
import type { Attributes, KeyValue } from '../../model/attributes.js';
import { EMPTY_ID } from '../../model/ids.js';
import { SeverityNumber } from '../../model/log-record.js';
import type { LogRecord } from '../../model/log-record.js';
import type { UnixNanos } from '../../model/time.js';
import { syslogToLogRecord } from '../../bridge/syslog-mapping.js';
import { parseSyslog } from '../../wire/syslog/parse-syslog.js';
import type { FilelogReceiverConfig } from './config.js';

export interface MappedLine {
  readonly resource: Attributes;
  readonly record: LogRecord;
  /** False when a syslog line could not be parsed (the record then holds the line as its body). */
  readonly parsed: boolean;
}

const NO_RESOURCE: Attributes = Object.freeze([]);

/** The attributes every line of one file carries (log.file.name, log.file.path), made once per file. */
export function fileAttributes(config: FilelogReceiverConfig, path: string): Attributes {
  const attrs: KeyValue[] = [];
  if (config.include_file_name) attrs.push({ key: 'log.file.name', value: str(basename(path)) });
  if (config.include_file_path) attrs.push({ key: 'log.file.path', value: str(path) });
  return attrs;
}

/** One line of a file as a log record: the line itself (raw), or what the syslog parser and mapping make of it. */
export function lineToLogRecord(
  config: FilelogReceiverConfig,
  text: string,
  fileAttrs: Attributes,
  observedTimeUnixNano: UnixNanos,
  receivedAtMs: number,
): MappedLine {
  if (config.format === 'syslog') {
    const msg = parseSyslog(text, { protocol: 'auto', receivedAtMs, timeZone: config.time_zone });
    const { resource, record } = syslogToLogRecord(msg, { observedTimeUnixNano });
    const attributes = fileAttrs.length === 0 ? record.attributes : [...record.attributes, ...fileAttrs];
    return { resource, record: { ...record, attributes }, parsed: msg.parseError === undefined };
  }
  return {
    resource: NO_RESOURCE,
    record: {
      // A raw line carries no time the receiver could trust; consumers use the observed time.
      timeUnixNano: 0n,
      observedTimeUnixNano,
      severityNumber: SeverityNumber.Unspecified,
      severityText: '',
      body: str(text),
      attributes: fileAttrs,
      droppedAttributesCount: 0,
      flags: 0,
      traceId: EMPTY_ID,
      spanId: EMPTY_ID,
      eventName: '',
    },
    parsed: true,
  };
}
