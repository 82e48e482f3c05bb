import type { UnixNanos } from '../../model/time.js';
import { scanPriority } from './priority.js';
import { BsdHeader, TagScan, scanBsdHeader, scanTag } from './rfc3164.js';
import { looksLikeRfc5424, parseRfc5424 } from './rfc5424.js';
import { addField, newSyslogMessage } from './syslog-message.js';
import type { SyslogMessage, SyslogMessageDraft, SyslogParseOptions } from './syslog-message.js';
import { CR, DOT, LF, NUL, PERCENT, STAR, isDigit, isUpper } from './text-scan.js';
import { monthAt, resolveTimestamp, zoneAbbreviationOffset } from './timestamps.js';
import { looksLikeKeyValues, parseKeyValues } from './key-value.js';
import { EventCode, scanCiscoEventCode } from './vendor-cisco.js';
import { HuaweiCode, scanHuaweiCode, scanHuaweiComponentPrefix } from './vendor-huawei.js';
import { hasJunosStructuredData, scanJunosEventTag } from './vendor-juniper.js';

// The entry point: one syslog message in, one SyslogMessage out, whatever the sender. The format
// is told per message from its first bytes (RFC 5424's VERSION, else a BSD-style header), and the
// content after a BSD header is recognised by vendor codes: "%%01MOD/4/BRIEF" Huawei, "%FAC-5-CODE"
// Cisco (Arista when a process name precedes it), "UI_COMMIT:" after a process name Juniper,
// key=value lists. Nothing here throws: what cannot be parsed comes back as format "unknown" with
// the original text and the reason.

// Scratch state reused by every call: parsing is synchronous, so one set per process is enough
// and saves allocating it per message.
const header = new BsdHeader();
const inner = new BsdHeader();
const code = new EventCode();
const huawei = new HuaweiCode();
const tag = new TagScan();

/** Parses one message (one datagram, one framed TCP message, one file line). Never throws. */
export function parseSyslog(text: string, options: SyslogParseOptions): SyslogMessage {
  const original = trimLineEnd(text);
  const msg = newSyslogMessage(original);
  let error: string | undefined;
  try {
    error = parseInto(original, msg, options);
  } catch (e) {
    error = `parser failure: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (error !== undefined) markUnparsed(msg, error);
  return msg;
}

/** Framing leaves a trailing LF (rsyslog counts it in the octet count), CR LF or NUL on some senders. */
function trimLineEnd(text: string): string {
  let end = text.length;
  while (end > 0) {
    const c = text.charCodeAt(end - 1);
    if (c !== LF && c !== CR && c !== NUL) break;
    end--;
  }
  return end === text.length ? text : text.slice(0, end);
}

/** Keeps PRI (so the severity still counts) and drops everything else that was read. */
function markUnparsed(msg: SyslogMessageDraft, error: string): void {
  const fresh = newSyslogMessage(msg.original);
  fresh.priority = msg.priority;
  fresh.facility = msg.facility;
  fresh.severity = msg.severity;
  Object.assign(msg, fresh);
  msg.parseError = error;
}

function parseInto(text: string, msg: SyslogMessageDraft, options: SyslogParseOptions): string | undefined {
  if (text.length === 0) return 'empty message';
  const pos = scanPriority(text, msg);
  if (pos < 0) return 'invalid PRI: "<" must be followed by 1-3 digits (0-191) and ">"';
  if (options.protocol === 'rfc5424' || (options.protocol === 'auto' && looksLikeRfc5424(text, pos))) {
    const error = parseRfc5424(text, pos, msg, options);
    if (error !== undefined) return error;
    msg.format = 'rfc5424';
    if (hasJunosStructuredData(msg.structuredData)) {
      msg.format = 'juniper';
      msg.vendor = 'juniper';
      msg.mnemonic = msg.msgId;
    }
    return undefined;
  }
  return parseBsd(text, pos, msg, options);
}

function headerTimestamp(h: BsdHeader, options: SyslogParseOptions): UnixNanos | undefined {
  if (h.zoneName !== undefined && !h.time.hasOffset) {
    const offset = zoneAbbreviationOffset(h.zoneName);
    if (offset !== undefined) {
      h.time.hasOffset = true;
      h.time.offsetMinutes = offset;
    }
  }
  return resolveTimestamp(h.time, options.timeZone, options.receivedAtMs);
}

/** Cisco header parts that are not header fields of the log data model: kept as vendor fields. */
function addCiscoHeaderFields(msg: SyslogMessageDraft, h: BsdHeader): void {
  if (h.sequence !== undefined) addField(msg, 'sequence', h.sequence);
  if (h.marker !== undefined) addField(msg, 'clock_status', h.marker === '*' ? 'unsynchronized' : 'sync_lost');
  if (h.uptime !== undefined) addField(msg, 'uptime', h.uptime);
  if (h.zoneName !== undefined) addField(msg, 'timezone', h.zoneName);
}

function parseBsd(text: string, pos: number, msg: SyslogMessageDraft, options: SyslogParseOptions): string | undefined {
  let c = scanBsdHeader(text, pos, header);
  const first = text.charCodeAt(c);

  // Cisco and Huawei codes decide first: their headers hold parts only they use.
  if (first === PERCENT) {
    if (text.charCodeAt(c + 1) === PERCENT) {
      const m = scanHuaweiCode(text, c, huawei);
      if (m > 0) return applyHuawei(text, m, msg, header, options);
    } else {
      const m = scanCiscoEventCode(text, c, code);
      if (m > 0) return applyCisco(text, m, msg, header, header, options);
    }
  }
  // A relay's BSD header in front of a Cisco header: "Mar  1 00:01:02 router1 123: *Mar  1 ...: %...".
  if ((header.hasTime || header.hostname !== undefined) && (isDigit(first) || first === STAR || first === DOT || monthAt(text, c) !== 0)) {
    const ic = scanBsdHeader(text, c, inner);
    if (inner.found && inner.hostname === undefined && text.charCodeAt(ic) === PERCENT) {
      const m = scanCiscoEventCode(text, ic, code);
      if (m > 0) return applyCisco(text, m, msg, header, inner, options);
    }
  }
  // Sequence numbers, clock markers and uptimes only mean a header before a Cisco code; without
  // one they are the start of the text.
  if (header.sequence !== undefined || header.marker !== undefined || header.uptime !== undefined) {
    header.reset();
    c = pos;
  }
  if (header.hasTime) {
    msg.timestamp = headerTimestamp(header, options);
    if (msg.timestamp === undefined) return 'timestamp names a day that does not exist';
  }
  msg.hostname = header.hostname;

  // Huawei alarms and WLAN logs without "%%": "WLAN/4/STATION_ONLINE_NOTIFY:OID ...".
  if (isUpper(text.charCodeAt(c))) {
    const m = scanHuaweiCode(text, c, huawei);
    if (m > 0) return applyHuawei(text, m, msg, undefined, options);
  }
  if (looksLikeKeyValues(text, c)) {
    parseKeyValues(text, c, msg, options);
    return undefined;
  }

  let m = scanTag(text, c, tag);
  if (m >= 0) {
    msg.appName = text.slice(tag.tagStart, tag.tagEnd);
    if (tag.pidStart >= 0) msg.procId = text.slice(tag.pidStart, tag.pidEnd);
    if (text.charCodeAt(m) === PERCENT) {
      const after = scanCiscoEventCode(text, m, code);
      if (after > 0) {
        // EOS agents (Ebra, Lldp, Stp, Bgp...) put their name where BSD has TAG, then a Cisco-style code.
        msg.format = 'arista';
        msg.vendor = 'arista';
        msg.mnemonic = text.slice(code.start, code.end);
        msg.message = text.slice(after);
        msg.severity ??= code.severity;
        return undefined;
      }
    }
    const junosEnd = scanJunosEventTag(text, m);
    if (junosEnd > 0) {
      msg.format = 'juniper';
      msg.vendor = 'juniper';
      msg.mnemonic = text.slice(m, junosEnd);
      msg.message = text.slice(junosEnd + 1 < text.length ? junosEnd + 2 : junosEnd + 1);
      return undefined;
    }
    if (looksLikeKeyValues(text, m)) {
      parseKeyValues(text, m, msg, options);
      return undefined;
    }
  } else {
    m = c;
  }
  if (msg.priority === undefined && !header.hasTime) return 'neither PRI nor timestamp: not a syslog message';
  msg.format = 'rfc3164';
  msg.message = text.slice(m);
  return undefined;
}

function applyCisco(
  text: string,
  after: number,
  msg: SyslogMessageDraft,
  outer: BsdHeader,
  stamp: BsdHeader,
  options: SyslogParseOptions,
): string | undefined {
  msg.format = 'cisco';
  msg.vendor = 'cisco';
  msg.hostname = outer.hostname;
  // The device's own stamp wins over a relay's: it is when the event happened, often to the ms.
  const timed = stamp.hasTime ? stamp : outer.hasTime ? outer : undefined;
  if (timed !== undefined) {
    msg.timestamp = headerTimestamp(timed, options);
    if (msg.timestamp === undefined) return 'timestamp names a day that does not exist';
  }
  addCiscoHeaderFields(msg, stamp);
  msg.mnemonic = text.slice(code.start, code.end);
  msg.severity ??= code.severity;
  msg.message = text.slice(after);
  return undefined;
}

function applyHuawei(
  text: string,
  after: number,
  msg: SyslogMessageDraft,
  h: BsdHeader | undefined,
  options: SyslogParseOptions,
): string | undefined {
  msg.format = 'huawei';
  msg.vendor = 'huawei';
  if (h !== undefined) {
    msg.hostname = h.hostname;
    if (h.hasTime) {
      msg.timestamp = headerTimestamp(h, options);
      if (msg.timestamp === undefined) return 'timestamp names a day that does not exist';
    }
  }
  msg.mnemonic = text.slice(huawei.start, huawei.end);
  msg.severity ??= huawei.severity;
  if (huawei.version !== undefined) addField(msg, 'format_version', huawei.version);
  if (huawei.type !== undefined) addField(msg, 'info_type', huawei.type);
  if (huawei.count !== undefined) addField(msg, 'sequence', huawei.count);
  msg.message = text.slice(scanHuaweiComponentPrefix(text, after, msg));
  return undefined;
}
