import type { SyslogMessageDraft } from './syslog-message.js';
import { GT, LT, isDigit } from './text-scan.js';

// PRI, "<" 1-3 digits ">", the same in every syslog format: facility * 8 + severity.

/** Facility 23 (local7) with severity 7 is the largest PRI there is. */
const MAX_PRIORITY = 191;

/**
 * Reads a PRI at the start of the text into msg. Returns where the rest begins: 0 when the text
 * has no PRI (it does not start with "<"), -1 when it starts with "<" but is no valid PRI.
 */
export function scanPriority(text: string, msg: SyslogMessageDraft): number {
  if (text.charCodeAt(0) !== LT) return 0;
  let value = 0;
  let i = 1;
  // Leading zeros ("<013>") break RFC 5424 but old senders use them; the value is still clear.
  while (i < text.length && i <= 4 && isDigit(text.charCodeAt(i))) {
    value = value * 10 + (text.charCodeAt(i) - 0x30);
    i++;
  }
  if (i === 1 || i > 4 || text.charCodeAt(i) !== GT || value > MAX_PRIORITY) return -1;
  msg.priority = value;
  msg.facility = value >> 3;
  msg.severity = value & 7;
  return i + 1;
}
