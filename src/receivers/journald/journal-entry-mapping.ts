import { int, str } from '../../model/attributes.js';
import type { AnyValue, Attributes, KeyValue } from '../../model/attributes.js';
import { EMPTY_ID } from '../../model/ids.js';
import type { LogRecord } from '../../model/log-record.js';
import type { UnixNanos } from '../../model/time.js';
import { syslogSeverityToOtel } from '../../wire/syslog/syslog-severity.js';

// One journal entry, as `journalctl --output=json` prints it, becomes one log record. The mapping
// follows OpenTelemetry's syslog mapping where journal fields have a syslog meaning, so that the
// same event reads the same whether it came over syslog or from the journal. docs/journald.md
// lists every field.

/** An entry as journalctl prints it: a string, bytes as numbers, or a list of either for repeated fields. */
export type JournalEntry = Record<string, unknown>;

export interface MappedEntry {
  readonly resource: Attributes;
  readonly record: LogRecord;
  /** __CURSOR, the entry's position, when journalctl printed one. */
  readonly cursor: string | undefined;
}

// Fields that become something other than a `journald.<FIELD>` attribute, or nothing at all.
const RESOURCE_FIELDS = new Set(['_HOSTNAME', '_MACHINE_ID', 'SYSLOG_IDENTIFIER']);
const RECORD_FIELDS = new Set([
  'MESSAGE',
  'PRIORITY',
  '_SYSTEMD_UNIT',
  '_PID',
  '_COMM',
  '_EXE',
  '_CMDLINE',
  'SYSLOG_FACILITY',
  'CODE_FILE',
  'CODE_LINE',
  'CODE_FUNC',
]);
// Address fields describe where the entry sits in a file, not the event; the cursor is kept by the receiver.
const ADDRESS_FIELDS = new Set(['__CURSOR', '__REALTIME_TIMESTAMP', '__MONOTONIC_TIMESTAMP', '__SEQNUM', '__SEQNUM_ID']);

const utf8 = new TextDecoder('utf-8', { fatal: false });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isByteArray(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((b) => typeof b === 'number');
}

/** A field's text: binary values (journald stores MESSAGE with control characters as bytes) are decoded as UTF-8. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isByteArray(v)) return utf8.decode(Uint8Array.from(v));
  // A field repeated in one entry: the first value is the one syslog-style readers show.
  if (Array.isArray(v) && v.length > 0) return text(v[0]);
  return undefined;
}

function integer(v: unknown): bigint | undefined {
  const t = text(v);
  return t !== undefined && /^-?\d+$/.test(t) ? BigInt(t) : undefined;
}

/** Any other field as an attribute value: text stays text, bytes that are not UTF-8 stay bytes, repeats become an array. */
function fieldValue(v: unknown): AnyValue | undefined {
  if (typeof v === 'string') return str(v);
  if (isByteArray(v)) {
    const bytes = Uint8Array.from(v);
    try {
      return str(strictUtf8.decode(bytes));
    } catch {
      return { type: 'bytes', value: bytes };
    }
  }
  if (Array.isArray(v)) {
    const values = v.map(fieldValue).filter((x): x is AnyValue => x !== undefined);
    return { type: 'array', value: values };
  }
  return undefined; // null: a field journalctl chose not to print
}

export function journalEntryToLogRecord(entry: JournalEntry, observedTimeUnixNano: UnixNanos): MappedEntry {
  const resource: KeyValue[] = [];
  const attributes: KeyValue[] = [];
  const put = (to: KeyValue[], key: string, value: string | bigint | undefined) => {
    if (value === undefined || value === '') return;
    to.push({ key, value: typeof value === 'bigint' ? int(value) : str(value) });
  };

  put(resource, 'host.name', text(entry._HOSTNAME));
  put(resource, 'host.id', text(entry._MACHINE_ID));
  // SYSLOG_IDENTIFIER is what the program calls itself (syslog's APP-NAME, which OTel maps to
  // service.name); _COMM, the kernel's name for the process, stands in only when it is absent.
  put(resource, 'service.name', text(entry.SYSLOG_IDENTIFIER) ?? text(entry._COMM));

  put(attributes, 'systemd.unit', text(entry._SYSTEMD_UNIT));
  put(attributes, 'process.pid', integer(entry._PID));
  put(attributes, 'process.executable.name', text(entry._COMM));
  put(attributes, 'process.executable.path', text(entry._EXE));
  put(attributes, 'process.command_line', text(entry._CMDLINE));
  put(attributes, 'syslog.facility', integer(entry.SYSLOG_FACILITY));
  put(attributes, 'code.file.path', text(entry.CODE_FILE));
  put(attributes, 'code.line.number', integer(entry.CODE_LINE));
  put(attributes, 'code.function.name', text(entry.CODE_FUNC));
  for (const [name, value] of Object.entries(entry)) {
    if (RESOURCE_FIELDS.has(name) || RECORD_FIELDS.has(name) || ADDRESS_FIELDS.has(name)) continue;
    const v = fieldValue(value);
    if (v) attributes.push({ key: `journald.${name}`, value: v });
  }

  const priority = integer(entry.PRIORITY);
  // PRIORITY is a syslog severity: the same mapping as syslog's (Unspecified outside 0-7).
  const severity = syslogSeverityToOtel(priority !== undefined && priority >= 0n && priority <= 7n ? Number(priority) : -1);
  const micros = integer(entry.__REALTIME_TIMESTAMP);
  const message = text(entry.MESSAGE);
  const record: LogRecord = {
    timeUnixNano: micros !== undefined ? micros * 1000n : 0n,
    observedTimeUnixNano,
    severityNumber: severity.number,
    severityText: severity.text,
    body: message !== undefined ? str(message) : { type: 'empty' },
    attributes,
    droppedAttributesCount: 0,
    flags: 0,
    traceId: EMPTY_ID,
    spanId: EMPTY_ID,
    eventName: '',
  };
  return { resource, record, cursor: typeof entry.__CURSOR === 'string' ? entry.__CURSOR : undefined };
}
