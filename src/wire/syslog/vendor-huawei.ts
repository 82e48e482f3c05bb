import { addField } from './syslog-message.js';
import type { SyslogMessageDraft } from './syslog-message.js';
import { COLON, LBRACKET, LPAREN, PERCENT, SLASH, SP, isDigit, isUpper, isWordChar } from './text-scan.js';

// Huawei VRP's information center: "%%01IFNET/4/LINK_STATE(l)[0]:text". "%%" marks Huawei, "01"
// is the format version, then MODULE/SEVERITY/BRIEF, the information type in parentheses ("l" log,
// "s" security log, "d" diagnostic...), an optional counter in brackets, and the text, which VRP8
// may open with "CID=...;" or "VS=...-CID=...;". Alarms and some WLAN logs come without "%%"
// ("WLAN/4/STATION_ONLINE_NOTIFY:OID ..."); they are taken only in that exact shape.

/** What scanHuaweiCode found. Reused between messages. */
export class HuaweiCode {
  /** "01" or undefined without "%%". */
  version: string | undefined = undefined;
  /** MODULE/SEVERITY/BRIEF as text[start, end). */
  start = 0;
  end = 0;
  severity = 0;
  type: string | undefined = undefined;
  count: string | undefined = undefined;
}

/** Returns where the text after the code starts, or -1 when pos holds no Huawei code. */
export function scanHuaweiCode(text: string, pos: number, out: HuaweiCode): number {
  const n = text.length;
  let p = pos;
  let version: string | undefined;
  if (text.charCodeAt(p) === PERCENT) {
    if (text.charCodeAt(p + 1) !== PERCENT) return -1;
    p += 2;
    // Some manuals print "%% 01 HWCM/5/EXIT"; devices write "%%01HWCM/5/EXIT".
    if (text.charCodeAt(p) === SP) p++;
    const vStart = p;
    while (p < n && isDigit(text.charCodeAt(p))) p++;
    if (p - vStart !== 2) return -1;
    version = text.slice(vStart, p);
    if (text.charCodeAt(p) === SP) p++;
  } else if (!isUpper(text.charCodeAt(p))) {
    return -1;
  }
  const start = p;
  while (p < n && isWordChar(text.charCodeAt(p))) p++;
  if (p === start || text.charCodeAt(p) !== SLASH) return -1;
  const sev = text.charCodeAt(p + 1);
  if (sev < 0x30 || sev > 0x37 || text.charCodeAt(p + 2) !== SLASH) return -1;
  p += 3;
  const briefStart = p;
  while (p < n && isWordChar(text.charCodeAt(p))) p++;
  if (p === briefStart) return -1;
  const end = p;
  let type: string | undefined;
  let count: string | undefined;
  if (text.charCodeAt(p) === LPAREN) {
    const close = text.indexOf(')', p + 1);
    if (close < 0 || close - p > 16) return -1;
    type = text.slice(p + 1, close);
    p = close + 1;
  }
  if (text.charCodeAt(p) === LBRACKET) {
    const close = text.indexOf(']', p + 1);
    if (close < 0 || close - p > 24) return -1;
    count = text.slice(p + 1, close);
    p = close + 1;
  }
  if (text.charCodeAt(p) === SP && text.charCodeAt(p + 1) === COLON) p++;
  if (text.charCodeAt(p) !== COLON) return -1;
  p++;
  if (text.charCodeAt(p) === SP) p++;
  out.version = version;
  out.start = start;
  out.end = end;
  out.severity = sev - 0x30;
  out.type = type;
  out.count = count;
  return p;
}

/**
 * The "CID=0x80ca2714;" or "VS=Admin-VS-CID=0x81d80404;" prefix of VRP8 texts: each KEY=VALUE
 * becomes a field (cid, vs, vr) and the returned index is where the text proper starts.
 */
export function scanHuaweiComponentPrefix(text: string, pos: number, msg: SyslogMessageDraft): number {
  const c0 = text.charCodeAt(pos);
  if (c0 !== 0x43 && c0 !== 0x56) return pos; // "C" or "V"
  const semicolon = text.indexOf(';', pos);
  if (semicolon < 0 || semicolon - pos > 96) return pos;
  const prefix = text.slice(pos, semicolon);
  if (prefix.indexOf(' ') >= 0 || !(prefix.startsWith('CID=') || prefix.startsWith('VS=') || prefix.startsWith('VR='))) return pos;
  // Values can hold "-" ("Admin-VS"), so split on the "-" that precedes a known key.
  let from = 0;
  while (from < prefix.length) {
    const eq = prefix.indexOf('=', from);
    if (eq < 0) return pos;
    let next = prefix.length;
    for (const key of ['-CID=', '-VS=', '-VR=']) {
      const at = prefix.indexOf(key, eq + 1);
      if (at >= 0 && at < next) next = at;
    }
    addField(msg, prefix.slice(from, eq).toLowerCase(), prefix.slice(eq + 1, next));
    from = next + 1;
  }
  let p = semicolon + 1;
  if (text.charCodeAt(p) === SP) p++;
  return p;
}
