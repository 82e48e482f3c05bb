import {
  COLON,
  DOT,
  EQUALS,
  LBRACKET,
  PERCENT,
  RBRACKET,
  SP,
  STAR,
  digitsEnd,
  isDigit,
  isLetter,
  spaceOrEnd,
} from './text-scan.js';
import {
  TimeParts,
  monthAt,
  scanBsdTimestamp,
  scanIsoTimestamp,
  scanUptime,
  scanYearFirstTimestamp,
  scanZoneName,
} from './timestamps.js';

// The BSD header as devices really send it. RFC 3164 says "TIMESTAMP SP HOSTNAME SP TAG: MSG";
// what arrives adds Cisco sequence numbers and clock markers ("123: *Mar  1 ..."), years and
// fractions in the timestamp, zone names, ISO timestamps in BSD layout (syslog-ng loggen,
// rsyslog's forward format), NX-OS's year-first stamp and ": " quirk, and uptime stamps. One
// scanner reads all of them; what follows the header (the content) is classified elsewhere.

/** What scanBsdHeader found. Reused between messages: read it before the next scan. */
export class BsdHeader {
  readonly time = new TimeParts();
  /** A date and time was found (in `time`). */
  hasTime = false;
  /** Cisco uptime stamp ("00:00:46", "1d02h") when the device has no date. */
  uptime: string | undefined = undefined;
  /** Cisco `service sequence-numbers` counter. */
  sequence: string | undefined = undefined;
  /** Cisco clock marker: "*" clock not authoritative, "." clock lost its synchronisation. */
  marker: string | undefined = undefined;
  /** Zone name written after the time (Cisco `show-timezone`). */
  zoneName: string | undefined = undefined;
  hostname: string | undefined = undefined;
  /** The stamp ended with ":" as in Cisco's "seq: timestamp: %..." layout (there is no hostname). */
  colon = false;

  reset(): void {
    this.time.reset();
    this.hasTime = false;
    this.uptime = undefined;
    this.sequence = undefined;
    this.marker = undefined;
    this.zoneName = undefined;
    this.hostname = undefined;
    this.colon = false;
  }

  /** Whether the header held anything Cisco-specific or a time: used to accept a relayed Cisco header. */
  get found(): boolean {
    return this.hasTime || this.uptime !== undefined || this.sequence !== undefined || this.marker !== undefined;
  }
}

/** Characters of a host name, an IPv4 or IPv6 address. */
function isHostChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === DOT || c === 0x2d || c === 0x5f || c === COLON;
}

/** A sequence number "digits: " at pos: returns the end of the digits, or -1. */
function sequenceEnd(text: string, pos: number): number {
  const end = digitsEnd(text, pos);
  if (end === pos || end - pos > 10 || text.charCodeAt(end) !== COLON || text.charCodeAt(end + 1) !== SP) return -1;
  return end;
}

/** Whether a Cisco stamp or event code can start at pos (after a sequence number or origin host). */
function ciscoStampStart(text: string, pos: number): boolean {
  const c = text.charCodeAt(pos);
  return c === STAR || c === DOT || c === PERCENT || isDigit(c) || monthAt(text, pos) !== 0;
}

/**
 * A host name followed by ": " or " " and then by what must come next (a sequence number when
 * `beforeSequence`, else a Cisco stamp): `logging origin-id` and relays put the device's name
 * there. Returns the index after the name's separator, or -1.
 */
function originHostEnd(text: string, pos: number, h: BsdHeader, beforeSequence: boolean): number {
  let p = pos;
  const n = text.length;
  while (p < n && isHostChar(text.charCodeAt(p))) p++;
  let end = p;
  if (end === pos) return -1;
  // "name:" keeps its colon out of the name; a colon inside (IPv6) belongs to it.
  if (text.charCodeAt(end - 1) === COLON) end--;
  if (end === pos || text.charCodeAt(p) !== SP) return -1;
  const next = p + 1;
  if (beforeSequence ? sequenceEnd(text, next) < 0 : !ciscoStampStart(text, next)) return -1;
  if (!beforeSequence && end === p) return -1; // after a sequence number the name ends with ":"
  h.hostname = text.slice(pos, end);
  return next;
}

/**
 * Reads the header at pos (just after PRI) into h and returns where the content starts. Nothing
 * found leaves h empty and returns pos.
 */
export function scanBsdHeader(text: string, pos: number, h: BsdHeader): number {
  h.reset();
  const n = text.length;
  let p = pos;
  // NX-OS sends "<187>: 2016 Jan 27 ...".
  if (text.charCodeAt(p) === COLON && text.charCodeAt(p + 1) === SP) p += 2;

  let c = text.charCodeAt(p);
  if ((isLetter(c) || isDigit(c)) && monthAt(text, p) === 0) {
    const after = originHostEnd(text, p, h, true);
    if (after > 0) p = after;
  }
  const seqEnd = sequenceEnd(text, p);
  if (seqEnd > 0) {
    h.sequence = text.slice(p, seqEnd);
    p = seqEnd + 2;
    if (h.hostname === undefined && isLetter(text.charCodeAt(p)) && monthAt(text, p) === 0) {
      const after = originHostEnd(text, p, h, false);
      if (after > 0) p = after;
    }
  }
  c = text.charCodeAt(p);
  if (c === STAR || c === DOT) {
    h.marker = c === STAR ? '*' : '.';
    p++;
    c = text.charCodeAt(p);
  }

  let end = -1;
  if (isLetter(c)) {
    end = scanBsdTimestamp(text, p, h.time);
  } else if (isDigit(c)) {
    const fifth = text.charCodeAt(p + 4);
    if (fifth === 0x2d) end = scanIsoTimestamp(text, p, h.time, true);
    else if (fifth === SP && isLetter(text.charCodeAt(p + 5))) end = scanYearFirstTimestamp(text, p, h.time);
    if (end < 0) {
      const uptimeEnd = scanUptime(text, p);
      if (uptimeEnd > 0 && text.charCodeAt(uptimeEnd) === COLON) {
        h.uptime = text.slice(p, uptimeEnd);
        h.colon = true;
        return skipColonSpace(text, uptimeEnd);
      }
    }
  }
  if (end < 0) {
    // No usable stamp: the content starts after whatever was read (": ", sequence, marker).
    return p;
  }
  // Zone name, only in Cisco's "hh:mm:ss.mmm UTC: %..." where a colon closes the stamp.
  if (text.charCodeAt(end) === SP) {
    const zoneEnd = scanZoneName(text, end + 1);
    if (zoneEnd > 0 && text.charCodeAt(zoneEnd) === COLON) {
      h.zoneName = text.slice(end + 1, zoneEnd);
      end = zoneEnd;
    }
  }
  const next = text.charCodeAt(end);
  if (next === COLON) {
    h.hasTime = true;
    h.colon = true;
    return skipColonSpace(text, end);
  }
  if (end < n && next !== SP) {
    // "Mar  5 10:00:00x": no stamp after all; the text is content.
    h.time.reset();
    return h.sequence !== undefined || h.marker !== undefined ? p : pos;
  }
  h.hasTime = true;
  p = end;
  while (p < n && text.charCodeAt(p) === SP) p++;
  if (p >= n) return p;
  return scanHostname(text, p, h);
}

function skipColonSpace(text: string, colonAt: number): number {
  return text.charCodeAt(colonAt + 1) === SP ? colonAt + 2 : colonAt + 1;
}

/**
 * HOSTNAME after a timestamp, unless the next word is something else: a TAG (local senders leave
 * the host out: "tag[12]: msg", "tag: msg"), a vendor code ("%..."), or a key=value pair.
 */
function scanHostname(text: string, pos: number, h: BsdHeader): number {
  const n = text.length;
  const end = spaceOrEnd(text, pos);
  const first = text.charCodeAt(pos);
  if (first === PERCENT) return pos;
  const last = text.charCodeAt(end - 1);
  if (last === COLON) return pos;
  for (let i = pos; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === EQUALS) return pos;
    if (c === LBRACKET) {
      const close = text.indexOf(']', i);
      if (close > 0 && close < end) return pos;
    }
    if (c === RBRACKET) return pos;
  }
  h.hostname = text.slice(pos, end);
  let p = end;
  while (p < n && text.charCodeAt(p) === SP) p++;
  // Cisco ASA with `logging device-id`: "host : %ASA-..."; NX-OS relays: "host : 2024 ...".
  if (text.charCodeAt(p) === COLON && (p + 1 === n || text.charCodeAt(p + 1) === SP)) p = skipColonSpace(text, p);
  return p;
}

/** Where scanTag found TAG and PID (indexes into the text; pidStart < 0 when there is no PID). */
export class TagScan {
  tagStart = 0;
  tagEnd = 0;
  pidStart = -1;
  pidEnd = -1;
}

const MAX_TAG_LENGTH = 128;

/**
 * TAG[PID]: or TAG: at pos (RFC 3164 section 4.1.3, with the characters programs really use in
 * their names: "-", ".", "_", "/"). Returns where MSG starts, or -1 when there is no tag.
 */
export function scanTag(text: string, pos: number, out: TagScan): number {
  const n = text.length;
  let p = pos;
  while (p < n && p - pos <= MAX_TAG_LENGTH) {
    const c = text.charCodeAt(p);
    if (c === SP || c === LBRACKET || c === COLON || c === RBRACKET || c === EQUALS) break;
    p++;
  }
  if (p === pos || p >= n) return -1;
  const tagEnd = p;
  let c = text.charCodeAt(p);
  let pidStart = -1;
  let pidEnd = -1;
  if (c === LBRACKET) {
    pidStart = p + 1;
    p = pidStart;
    while (p < n && text.charCodeAt(p) !== RBRACKET && text.charCodeAt(p) !== SP) p++;
    if (p >= n || text.charCodeAt(p) !== RBRACKET || p === pidStart) return -1;
    pidEnd = p;
    p++;
    c = text.charCodeAt(p);
    if (c === COLON) p++;
    else if (c !== SP && p < n) return -1;
  } else if (c === COLON) {
    p++;
  } else {
    return -1;
  }
  if (p < n && text.charCodeAt(p) !== SP) return -1;
  out.tagStart = pos;
  out.tagEnd = tagEnd;
  out.pidStart = pidStart;
  out.pidEnd = pidEnd;
  return p < n ? p + 1 : p;
}
