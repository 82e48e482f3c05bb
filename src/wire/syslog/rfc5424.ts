import type { StructuredDataElement, SyslogField, SyslogMessageDraft, SyslogOrigin, SyslogParseOptions } from './syslog-message.js';
import { HASH_SEED, TextCache, hashStep } from './text-cache.js';
import { BACKSLASH, BOM, DQUOTE, EQUALS, LBRACKET, MINUS, RBRACKET, SP, digitsEnd, digitsValue } from './text-scan.js';
import { TimeParts, resolveTimestamp, scanIsoTimestamp } from './timestamps.js';

// RFC 5424: PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG].
// The parser is strict about the header, whose fields are positional and so cannot be guessed,
// and forgiving where real senders stray without making the message ambiguous (see below).

const time = new TimeParts();

// What a sender repeats in every message is taken from caches (text-cache.ts) instead of being
// sliced and parsed again: its HOSTNAME and APP-NAME (the resource of its records), keyed by the
// text "HOSTNAME SP APP-NAME", and its STRUCTURED-DATA when that is the same text as before
// (timeQuality, origin, a fixed SD element per application), keyed by the first SD-ID. Structured
// data from the cache is frozen, as it is shared by every message that carries it. HOSTNAME is at
// most 255 characters and APP-NAME 48 (RFC 5424 section 6).
const origins = new TextCache<SyslogOrigin>(1024, 304);
const structuredData = new TextCache<readonly StructuredDataElement[]>(256, 1024);

/** The hash of the field the last fieldEnd() scanned. */
let fieldHash = HASH_SEED;

/**
 * Index of the next space (or the end of the text) at or after pos. It hashes the characters on
 * the way into fieldHash, starting from `seed`, for the caches.
 */
function fieldEnd(text: string, pos: number, seed: number): number {
  const n = text.length;
  let h = seed;
  for (; pos < n; pos++) {
    const c = text.charCodeAt(pos);
    if (c === SP) break;
    h = hashStep(h, c);
  }
  fieldHash = h;
  return pos;
}

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

  // HOSTNAME, APP-NAME, PROCID, MSGID. HOSTNAME and APP-NAME are set together once both are
  // scanned; the scan of APP-NAME goes on with the hash of HOSTNAME and the space between.
  let hostStart = p;
  for (let field = 0; field < 4; field++) {
    if (p >= n) return `rfc5424: header ends before ${HEADER_FIELDS[field]}`;
    p++;
    const end = fieldEnd(text, p, field === 1 ? hashStep(fieldHash, SP) : HASH_SEED);
    if (end === p) return `rfc5424: empty ${HEADER_FIELDS[field]} at ${column(p)}`;
    if (field === 0) hostStart = p;
    else if (field === 1) setOrigin(text, hostStart, p - 1, end, msg);
    else if (field === 2) msg.procId = headerField(text, p, end);
    else msg.msgId = headerField(text, p, end);
    p = end;
  }
  if (p >= n) return 'rfc5424: header ends before STRUCTURED-DATA';
  p++;

  // STRUCTURED-DATA
  const c = text.charCodeAt(p);
  if (c === MINUS && (p + 1 === n || text.charCodeAt(p + 1) === SP)) {
    p++;
  } else if (c === LBRACKET) {
    const idHash = firstSdIdHash(text, p);
    const held = structuredData.getAt(text, p, idHash);
    const heldEnd = held === undefined ? -1 : p + held.key.length;
    // The same text, followed by what ends STRUCTURED-DATA, parses to the same elements: parsing
    // reads nothing past the element that ends it but the byte after it.
    if (held !== undefined && (heldEnd === n || text.charCodeAt(heldEnd) === SP)) {
      msg.structuredData = held.value;
      p = heldEnd;
    } else {
      const elements: StructuredDataElement[] = [];
      const start = p;
      p = parseStructuredData(text, p, elements);
      if (p < 0) return `rfc5424: invalid STRUCTURED-DATA at ${column(-p - 1)}`;
      msg.structuredData = structuredData.offer(text, start, p, idHash, sdContentHash, () => frozenElements(elements)) ?? elements;
    }
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

/**
 * Sets HOSTNAME (text[hostStart, hostEnd)) and APP-NAME (text[hostEnd + 1, appEnd)), just scanned
 * by fieldEnd(): the strings of the last messages with the same two fields when cached.
 */
function setOrigin(text: string, hostStart: number, hostEnd: number, appEnd: number, msg: SyslogMessageDraft): void {
  const hash = fieldHash;
  const origin =
    origins.get(text, hostStart, appEnd, hash) ??
    origins.offer(text, hostStart, appEnd, hash, hash, (key) => {
      const at = hostEnd - hostStart;
      return Object.freeze({ hostname: headerField(key, 0, at), appName: headerField(key, at + 1, key.length) });
    });
  if (origin !== undefined) {
    msg.hostname = origin.hostname;
    msg.appName = origin.appName;
    msg.origin = origin;
  } else {
    msg.hostname = headerField(text, hostStart, hostEnd);
    msg.appName = headerField(text, hostEnd + 1, appEnd);
  }
}

/**
 * The hash that picks the cache slot of the STRUCTURED-DATA at pos ("["): of its first SD-ID, up
 * to the space or "]" after it, at most 32 characters. Any function of the text would do (a hit is
 * checked on the whole text); this one tells elements apart by what names them.
 */
function firstSdIdHash(text: string, pos: number): number {
  const end = Math.min(text.length, pos + 33);
  let h = HASH_SEED;
  for (let p = pos + 1; p < end; p++) {
    const c = text.charCodeAt(p);
    if (c === SP || c === RBRACKET) break;
    h = hashStep(h, c);
  }
  return h;
}

/** Structured data to share between messages: frozen all the way down. */
function frozenElements(elements: StructuredDataElement[]): readonly StructuredDataElement[] {
  for (const e of elements) {
    for (const param of e.params) Object.freeze(param);
    Object.freeze(e.params);
    Object.freeze(e);
  }
  return Object.freeze(elements);
}

/**
 * A hash of what the last parseStructuredData() read (every SD-ID, name and value): it tells the
 * cache whether the same structured data came twice in a row.
 */
let sdContentHash = HASH_SEED;

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
  let h = HASH_SEED;
  while (p < n && text.charCodeAt(p) === LBRACKET) {
    p++;
    const idStart = p;
    h = hashStep(h, LBRACKET);
    while (p < n) {
      const c = text.charCodeAt(p);
      if (c === SP || c === RBRACKET || c === EQUALS || c === DQUOTE) break;
      h = hashStep(h, c);
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
      h = hashStep(h, SP);
      while (p < n) {
        const d = text.charCodeAt(p);
        if (d === EQUALS || d === SP || d === RBRACKET || d === DQUOTE) break;
        h = hashStep(h, d);
        p++;
      }
      if (p === nameStart || text.charCodeAt(p) !== EQUALS || text.charCodeAt(p + 1) !== DQUOTE) return -(p + 1);
      const name = text.slice(nameStart, p);
      p += 2;
      const valueStart = p;
      let escaped = false;
      h = hashStep(h, EQUALS);
      while (p < n) {
        const d = text.charCodeAt(p);
        if (d === DQUOTE) break;
        h = hashStep(h, d);
        if (d === BACKSLASH) {
          escaped = true;
          p++;
          h = hashStep(h, text.charCodeAt(p));
        }
        p++;
      }
      if (p >= n) return -(valueStart + 1);
      params.push([name, escaped ? unescapeParamValue(text, valueStart, p) : text.slice(valueStart, p)]);
      p++;
    }
    elements.push({ id, params });
  }
  sdContentHash = h;
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
