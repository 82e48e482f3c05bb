import type { UnixNanos } from '../../model/time.js';

// One syslog message as parsed from the wire, before it becomes an OTel log record (src/bridge).
// Every parser output has this shape, whatever the format, so the mapping is written once.

export type SyslogFormat = 'rfc5424' | 'rfc3164' | 'cisco' | 'juniper' | 'arista' | 'huawei' | 'keyvalue' | 'unknown';

/** A vendor field or structured-data parameter: name and value, in the order they were sent. */
export type SyslogField = readonly [name: string, value: string];

export interface StructuredDataElement {
  readonly id: string; // SD-ID, e.g. "timeQuality" or "exampleSDID@32473"
  /** Escapes (backslash before a quote, backslash or "]") already resolved; a name may repeat, as RFC 5424 allows. */
  readonly params: readonly SyslogField[];
}

/**
 * HOSTNAME and APP-NAME of a message as one object, the same object for every message that came
 * with the same two: the RFC 5424 parser takes them from a cache (see rfc5424.ts). Whoever keys a
 * cache on the pair (the mapping's resource) can key it on this object.
 */
export interface SyslogOrigin {
  readonly hostname: string | undefined;
  readonly appName: string | undefined;
}

export interface SyslogMessage {
  readonly format: SyslogFormat;
  /** PRI as sent, or undefined when the message had none. */
  readonly priority: number | undefined;
  readonly facility: number | undefined; // 0-23
  readonly severity: number | undefined; // 0-7
  readonly version: number | undefined; // RFC 5424 VERSION
  /** Event time in Unix nanoseconds; undefined when the message carried none (or NILVALUE). */
  readonly timestamp: UnixNanos | undefined;
  readonly hostname: string | undefined;
  readonly appName: string | undefined;
  /** hostname and appName as a shared object when the parser had them cached; else undefined. */
  readonly origin: SyslogOrigin | undefined;
  readonly procId: string | undefined;
  readonly msgId: string | undefined;
  readonly structuredData: readonly StructuredDataElement[];
  /** MSG, without a leading BOM. */
  readonly message: string;
  /** Vendor the format was recognised as ("cisco", "juniper", "arista", "huawei", "fortinet", ...). */
  readonly vendor: string | undefined;
  /**
   * The vendor's event code: Cisco/Arista "%LINK-3-UPDOWN" as "LINK-3-UPDOWN", Huawei
   * "IFNET/4/LINK_STATE", Juniper "SNMP_TRAP_LINK_DOWN", a key-value format's logid...
   */
  readonly mnemonic: string | undefined;
  /** Further fields the vendor format carries (Cisco sequence number, key=value pairs, ...). */
  readonly fields: readonly SyslogField[];
  /** Set when the text could not be parsed; the message is kept with body = the original text. */
  readonly parseError: string | undefined;
  /** The original text, as received (after framing, without trailing LF/NUL). */
  readonly original: string;
}

export interface SyslogParseOptions {
  /** `auto` tells RFC 5424, RFC 3164 and vendor formats apart per message. */
  readonly protocol: 'auto' | 'rfc5424' | 'rfc3164';
  /** When the message was received (Unix ms): RFC 3164 has no year, which is inferred from this. */
  readonly receivedAtMs: number;
  /** IANA time zone for timestamps without an offset (default "UTC"). */
  readonly timeZone: string;
}

/** A message while a parser fills it in; parse-syslog hands it out as the readonly SyslogMessage. */
export type SyslogMessageDraft = { -readonly [K in keyof SyslogMessage]: SyslogMessage[K] };

const NO_ELEMENTS: readonly StructuredDataElement[] = Object.freeze([]);
const NO_FIELDS: readonly SyslogField[] = Object.freeze([]);

/**
 * An empty message for `original`. Every property is created here, in one order, so that all
 * messages share one object shape (the parsers' hot path stays monomorphic).
 */
export function newSyslogMessage(original: string): SyslogMessageDraft {
  return {
    format: 'unknown',
    priority: undefined,
    facility: undefined,
    severity: undefined,
    version: undefined,
    timestamp: undefined,
    hostname: undefined,
    appName: undefined,
    origin: undefined,
    procId: undefined,
    msgId: undefined,
    structuredData: NO_ELEMENTS,
    message: original,
    vendor: undefined,
    mnemonic: undefined,
    fields: NO_FIELDS,
    parseError: undefined,
    original,
  };
}

/** Adds a vendor field, replacing the shared empty list on first use. */
export function addField(msg: SyslogMessageDraft, name: string, value: string): void {
  if (msg.fields === NO_FIELDS) msg.fields = [[name, value]];
  else (msg.fields as SyslogField[]).push([name, value]);
}
