import type { StructuredDataElement } from './syslog-message.js';
import { COLON, SP, UNDERSCORE, isDigit, isUpper } from './text-scan.js';

// Junos names every event with a tag such as UI_COMMIT or SNMP_TRAP_LINK_DOWN. In structured-data
// format (RFC 5424) the tag is MSGID and the variables sit in an SD element "junos@2636.<platform>"
// (2636 is Juniper's enterprise number); in the default format the tag opens the text after the
// process name: "mgd[1234]: UI_COMMIT: User 'admin' requested 'commit' operation".

const JUNOS_SD_PREFIX = 'junos@2636';

const LOWER_J = 0x6a;

/** Whether any SD element carries Juniper's enterprise number. */
export function hasJunosStructuredData(elements: readonly StructuredDataElement[]): boolean {
  // Asked of every RFC 5424 message: the first letter turns away almost every SD-ID for less
  // than startsWith costs.
  for (let i = 0; i < elements.length; i++) {
    const id = elements[i]!.id;
    if (id.charCodeAt(0) === LOWER_J && id.startsWith(JUNOS_SD_PREFIX)) return true;
  }
  return false;
}

const MAX_TAG_LENGTH = 64;

/**
 * A Junos event tag at pos: capitals and digits in at least two parts joined by "_", followed by
 * ": " (or the end). Returns the end of the tag, or -1. Requiring the underscore keeps ordinary
 * texts that start with a capitalised word ("ERROR: ...") out.
 */
export function scanJunosEventTag(text: string, pos: number): number {
  if (!isUpper(text.charCodeAt(pos))) return -1;
  const n = text.length;
  let p = pos + 1;
  let underscores = 0;
  while (p < n && p - pos <= MAX_TAG_LENGTH) {
    const c = text.charCodeAt(p);
    if (c === UNDERSCORE) {
      if (text.charCodeAt(p - 1) === UNDERSCORE) return -1;
      underscores++;
    } else if (!isUpper(c) && !isDigit(c)) {
      break;
    }
    p++;
  }
  if (underscores === 0 || text.charCodeAt(p - 1) === UNDERSCORE || text.charCodeAt(p) !== COLON) return -1;
  if (p + 1 < n && text.charCodeAt(p + 1) !== SP) return -1;
  return p;
}
