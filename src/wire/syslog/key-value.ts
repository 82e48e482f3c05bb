import type { UnixNanos } from '../../model/time.js';
import { addField } from './syslog-message.js';
import type { SyslogField, SyslogMessageDraft, SyslogParseOptions } from './syslog-message.js';
import { severityFromName } from './syslog-severity.js';
import { BACKSLASH, DQUOTE, EQUALS, SP, isDigit, isLetter, spaceOrEnd } from './text-scan.js';
import { TimeParts, resolveTimestamp, scanIsoTimestamp, scanOffset, zoneAbbreviationOffset } from './timestamps.js';

// Messages that are a list of key=value pairs: FortiGate/FortiOS ("<189>date=2024-03-05
// time=10:00:00 devname=FGT60E devid=FGT60E... logid=0100032001 ... msg=\"...\""), Sophos,
// and other firewalls. Every pair becomes a field; a few known keys also fill the header parts
// that the message lacks (time, host, severity, event code).

const time = new TimeParts();

function isKeyChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 0x5f || c === 0x2e || c === 0x2d;
}

/** Index of the "=" ending a key at pos, or -1. */
function keyEnd(text: string, pos: number): number {
  let p = pos;
  const n = text.length;
  while (p < n && isKeyChar(text.charCodeAt(p))) p++;
  return p > pos && text.charCodeAt(p) === EQUALS ? p : -1;
}

/** End of the value starting at pos (after a closing quote when quoted). */
function valueEnd(text: string, pos: number): number {
  const n = text.length;
  if (text.charCodeAt(pos) !== DQUOTE) return spaceOrEnd(text, pos);
  let p = pos + 1;
  while (p < n) {
    const c = text.charCodeAt(p);
    if (c === BACKSLASH) p += 2;
    else if (c === DQUOTE) return p + 1;
    else p++;
  }
  return n;
}

/** Whether the text at pos is at least two key=value pairs. */
export function looksLikeKeyValues(text: string, pos: number): boolean {
  const firstKeyEnd = keyEnd(text, pos);
  if (firstKeyEnd < 0) return false;
  const firstValueEnd = valueEnd(text, firstKeyEnd + 1);
  return text.charCodeAt(firstValueEnd) === SP && keyEnd(text, firstValueEnd + 1) > 0;
}

function unquote(text: string, start: number, end: number): string {
  if (text.charCodeAt(start) !== DQUOTE) return text.slice(start, end);
  const closed = end - start >= 2 && text.charCodeAt(end - 1) === DQUOTE;
  const inner = text.slice(start + 1, closed ? end - 1 : end);
  return inner.indexOf('\\') < 0 ? inner : inner.replace(/\\(["\\])/g, '$1');
}

/** Values of the keys that fill header parts, collected in the one pass over the pairs. */
class KnownKeys {
  date: string | undefined = undefined;
  time: string | undefined = undefined;
  tz: string | undefined = undefined;
  timestamp: string | undefined = undefined;
  devname: string | undefined = undefined;
  deviceName: string | undefined = undefined;
  devid: string | undefined = undefined;
  logid: string | undefined = undefined;
  logId: string | undefined = undefined;
  msg: string | undefined = undefined;
  message: string | undefined = undefined;
  level: string | undefined = undefined;
  pri: string | undefined = undefined;
  type: string | undefined = undefined;
  subtype: string | undefined = undefined;

  reset(): void {
    this.date = this.time = this.tz = this.timestamp = undefined;
    this.devname = this.deviceName = this.devid = this.logid = this.logId = undefined;
    this.msg = this.message = this.level = this.pri = this.type = this.subtype = undefined;
  }

  /** Keeps the first value of a known key (FortiOS never repeats them; the first is the header's). */
  take(key: string, value: string): void {
    // Most keys of a firewall log are none of these; the first letter rules them out cheaply.
    const c = key.charCodeAt(0);
    if (c !== 0x64 && c !== 0x74 && c !== 0x6c && c !== 0x6d && c !== 0x70 && c !== 0x73) return; // d t l m p s
    switch (key) {
      case 'date':
        this.date ??= value;
        break;
      case 'time':
        this.time ??= value;
        break;
      case 'tz':
        this.tz ??= value;
        break;
      case 'timestamp':
        this.timestamp ??= value;
        break;
      case 'devname':
        this.devname ??= value;
        break;
      case 'device_name':
        this.deviceName ??= value;
        break;
      case 'devid':
        this.devid ??= value;
        break;
      case 'logid':
        this.logid ??= value;
        break;
      case 'log_id':
        this.logId ??= value;
        break;
      case 'msg':
        this.msg ??= value;
        break;
      case 'message':
        this.message ??= value;
        break;
      case 'level':
        this.level ??= value;
        break;
      case 'pri':
        this.pri ??= value;
        break;
      case 'type':
        this.type ??= value;
        break;
      case 'subtype':
        this.subtype ??= value;
        break;
      default:
        break;
    }
  }
}

const known = new KnownKeys();

/**
 * Parses the pairs at pos into msg.fields and derives the header parts. The caller has checked
 * looksLikeKeyValues.
 */
export function parseKeyValues(text: string, pos: number, msg: SyslogMessageDraft, options: SyslogParseOptions): void {
  const n = text.length;
  let p = pos;
  known.reset();
  while (p < n) {
    while (p < n && text.charCodeAt(p) === SP) p++;
    if (p >= n) break;
    const eq = keyEnd(text, p);
    if (eq > 0) {
      const end = valueEnd(text, eq + 1);
      const key = text.slice(p, eq);
      const value = unquote(text, eq + 1, end);
      addField(msg, key, value);
      known.take(key, value);
      p = end;
    } else {
      // A word without "=" continues the previous unquoted value ("msg=link down" sent unquoted).
      const end = spaceOrEnd(text, p);
      const fields = msg.fields as SyslogField[];
      const last = fields[fields.length - 1];
      if (last !== undefined) {
        const joined = `${last[1]} ${text.slice(p, end)}`;
        fields[fields.length - 1] = [last[0], joined];
        // The joined value replaces the one a known key took.
        known.reset();
        for (const [k, v] of fields) known.take(k, v);
      }
      p = end;
    }
  }
  msg.format = 'keyvalue';
  const timestamp = keyValueTimestamp(options);
  if (timestamp !== undefined) msg.timestamp = timestamp;
  msg.hostname ??= known.devname ?? known.deviceName;
  msg.mnemonic = known.logid ?? known.logId;
  msg.message = known.msg ?? known.message ?? text.slice(pos);
  if (msg.severity === undefined) {
    const level = known.level ?? known.pri;
    if (level !== undefined) msg.severity = severityFromName(level);
  }
  if (isFortinet()) msg.vendor = 'fortinet';
}

/**
 * FortiOS: a serial number as devid (FortiGate "FG...", "FGT...", "FGVM...", FortiWiFi "FW..."),
 * a FortiGate devname, or, when a relay stripped both, the FortiOS header itself: a ten-digit
 * logid with type and subtype.
 */
function isFortinet(): boolean {
  const devid = known.devid;
  if (devid !== undefined && (devid.startsWith('FG') || devid.startsWith('FW'))) return true;
  const devname = known.devname;
  if (devname !== undefined && (devname.startsWith('FGT') || devname.startsWith('FortiGate'))) return true;
  const logid = known.logid;
  return logid !== undefined && logid.length === 10 && isDigit(logid.charCodeAt(0)) && known.type !== undefined && known.subtype !== undefined;
}

/** date=yyyy-mm-dd time=hh:mm:ss [tz=+hhmm], or an RFC 3339 timestamp=. */
function keyValueTimestamp(options: SyslogParseOptions): UnixNanos | undefined {
  const date = known.date;
  const clock = known.time;
  time.reset();
  if (date !== undefined && clock !== undefined) {
    if (scanIsoTimestamp(`${date}T${clock}`, 0, time, true) < 0) return undefined;
    const tz = known.tz;
    if (tz !== undefined && !time.hasOffset) {
      if (scanOffset(tz, 0, time) !== tz.length) {
        time.hasOffset = false;
        const abbreviation = zoneAbbreviationOffset(tz);
        if (abbreviation !== undefined) {
          time.hasOffset = true;
          time.offsetMinutes = abbreviation;
        }
      }
    }
    return resolveTimestamp(time, options.timeZone, options.receivedAtMs);
  }
  const iso = known.timestamp;
  if (iso !== undefined && scanIsoTimestamp(iso, 0, time, true) === iso.length) {
    return resolveTimestamp(time, options.timeZone, options.receivedAtMs);
  }
  return undefined;
}
