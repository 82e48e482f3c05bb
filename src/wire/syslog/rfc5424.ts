import type { StructuredDataElement, SyslogField, SyslogMessageDraft, SyslogParseOptions } from './syslog-message.js';
import { BACKSLASH, BOM, DQUOTE, EQUALS, LBRACKET, MINUS, RBRACKET, SP, digitsEnd, digitsValue, spaceOrEnd } from './text-scan.js';
import { TimeParts, resolveTimestamp, scanIsoTimestamp } from './timestamps.js';

// RFC 5424: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG].
// The parser is strict about the header, whose fields are positional and so cannot be guessed,
// and forgiving where real senders stray without making the message ambiguous (see below).

const time = new TimeParts();

/** Whether the text at pos starts like an RFC 5424 header: VERSION (1-3 digits, no leading 0) and a space. */
export function looksLikeRfc5424(text: string, pos: number): boolean {
  const c = text.charCodeAt(pos);
  if (c < 0x31 || c > 0x39) return false;
  const end = digitsEnd(text, pos);
  return end - pos <= 3 && text.charCodeAt(end) === SP;
}

/** A header field: the text up to the next space, undefined for NILVALUE "-". */
function headerField(text: string, start: number, end: number): string | undefined {
  if (end - start === 1 && text.charCodeAt(start) === MINUS) return undefined;
  return text.slice(start, end);
}

function column(pos: number): string {
  return `column ${pos + 1}`;
}

/**
 * Parses the message after PRI (at pos) into msg. Returns undefined on success, else what failed.
 */
export function parseRfc5424(text: string, pos: number, msg: SyslogMessageDraft, options: SyslogParseOptions): string | undefined {
  const n = text.length;
  if (!looksLikeRfc5424(text, pos)) return `rfc5424: VERSION expected at ${column(pos)}`;
  let p = digitsEnd(text, pos);
  msg.version = digitsValue(text, pos, p);
  p++;

  // TIMESTAMP
  if (text.charCodeAt(p) === MINUS && (p + 1 === n || text.charCodeAt(p + 1) === SP)) {
    p += 1;
  } else {
    time.reset();
    const end = scanIsoTimestamp(text, p, time, true);
    if (end < 0 || (end < n && text.charCodeAt(end) !== SP)) return `rfc5424: invalid TIMESTAMP at ${column(p)}`;
    msg.timestamp = resolveTimestamp(time, options.timeZone, options.receivedAtMs);
    if (msg.timestamp === undefined) return `rfc5424: TIMESTAMP names a day that does not exist at ${column(p)}`;
    p = end;
  }

  // HOSTNAME, APP-NAME, PROCID, MSGID
  for (let field = 0; field < 4; field++) {
    if (p >= n) return `rfc5424: header ends before ${HEADER_FIELDS[field]}`;
    p++;
    const end = spaceOrEnd(text, p);
    if (end === p) return `rfc5424: empty ${HEADER_FIELDS[field]} at ${column(p)}`;
    const value = headerField(text, p, end);
    if (field === 0) msg.hostname = value;
    else if (field === 1) msg.appName = value;
    else if (field === 2) msg.procId = value;
    else msg.msgId = value;
    p = end;
  }
  if (p >= n) return 'rfc5424: header ends before STRUCTURED-DATA';
  p++;

  // STRUCTURED-DATA
  const c = text.charCodeAt(p);
  if (c === MINUS && (p + 1 === n || text.charCodeAt(p + 1) === SP)) {
    p++;
  } else if (c === LBRACKET) {
    const elements: StructuredDataElement[] = [];
    p = parseStructuredData(text, p, elements);
    if (p < 0) return `rfc5424: invalid STRUCTURED-DATA at ${column(-p - 1)}`;
    msg.structuredData = elements;
  } else {
    // Senders that leave out the SD field altogether (seen from embedded stacks) write the MSG
    // right after MSGID; nothing else can start there, so the rest is the message.
    msg.message = stripBom(text.slice(p));
    return undefined;
  }

  // MSG
  if (p >= n) {
    msg.message = '';
  } else if (text.charCodeAt(p) === SP) {
    msg.message = stripBom(text.slice(p + 1));
  } else {
    return `rfc5424: space expected after STRUCTURED-DATA at ${column(p)}`;
  }
  return undefined;
}

const HEADER_FIELDS = ['HOSTNAME', 'APP-NAME', 'PROCID', 'MSGID'] as const;

/** MSG may begin with a UTF-8 BOM to say it is UTF-8; the BOM is no part of the message. */
function stripBom(s: string): string {
  return s.charCodeAt(0) === BOM ? s.slice(1) : s;
}

/**
 * Parses one or more SD-ELEMENTs at pos into elements. Returns the end, or -(error position + 1).
 */
function parseStructuredData(text: string, pos: number, elements: StructuredDataElement[]): number {
  const n = text.length;
  let p = pos;
  while (p < n && text.charCodeAt(p) === LBRACKET) {
    p++;
    const idStart = p;
    while (p < n) {
      const c = text.charCodeAt(p);
      if (c === SP || c === RBRACKET || c === EQUALS || c === DQUOTE) break;
      p++;
    }
    if (p === idStart || p >= n) return -(p + 1);
    const id = text.slice(idStart, p);
    const params: SyslogField[] = [];
    for (;;) {
      const c = text.charCodeAt(p);
      if (c === RBRACKET) {
        p++;
        break;
      }
      if (c !== SP) return -(p + 1);
      while (text.charCodeAt(p) === SP) p++;
      if (text.charCodeAt(p) === RBRACKET) continue;
      const nameStart = p;
      while (p < n) {
        const d = text.charCodeAt(p);
        if (d === EQUALS || d === SP || d === RBRACKET || d === DQUOTE) break;
        p++;
      }
      if (p === nameStart || text.charCodeAt(p) !== EQUALS || text.charCodeAt(p + 1) !== DQUOTE) return -(p + 1);
      const name = text.slice(nameStart, p);
      p += 2;
      const valueStart = p;
      let escaped = false;
      while (p < n) {
        const d = text.charCodeAt(p);
        if (d === DQUOTE) break;
        if (d === BACKSLASH) {
          escaped = true;
          p++;
        }
        p++;
      }
      if (p >= n) return -(valueStart + 1);
      params.push([name, escaped ? unescapeParamValue(text, valueStart, p) : text.slice(valueStart, p)]);
      p++;
    }
    elements.push({ id, params });
  }
  return p;
}

/** RFC 5424 section 6.3.3: \" \\ and \] stand for the character; any other backslash is kept. */
function unescapeParamValue(text: string, start: number, end: number): string {
  let out = '';
  let from = start;
  for (let i = start; i < end; i++) {
    if (text.charCodeAt(i) !== BACKSLASH || i + 1 >= end) continue;
    const next = text.charCodeAt(i + 1);
    if (next === DQUOTE || next === BACKSLASH || next === RBRACKET) {
      out += text.slice(from, i);
      from = i + 1;
      i++;
    }
  }
  return out + text.slice(from, end);
}
