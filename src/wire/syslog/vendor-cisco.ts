import { COLON, MINUS, PERCENT, SP, isDigit, isLetter, isWordChar } from './text-scan.js';

// Cisco's event code, "%FACILITY-SEVERITY-MNEMONIC: text" (IOS, IOS-XE, NX-OS, ASA/FTD as
// "%ASA-4-106023"), with an optional sub-facility ("%PKT_INFRA-LINK-3-UPDOWN", IOS-XR). Arista EOS
// writes the same codes after its agent's name ("Ebra: %LINEPROTO-5-UPDOWN: ...").

/** Where scanCiscoEventCode found the code. Reused between messages. */
export class EventCode {
  /** The code without "%", as text[start, end). */
  start = 0;
  end = 0;
  /** The severity digit inside the code (0-7). */
  severity = 0;
  /** The facility, text[start, facilityEnd): "ASA" tells a Cisco ASA or FTD firewall. */
  facilityEnd = 0;
}

const MAX_CODE_LENGTH = 120;

/**
 * A "%FACILITY[-SUB]-SEVERITY-MNEMONIC:" at pos. Returns where the text after it starts, or -1.
 * The severity is the first one-digit part after the facility, so that mnemonics with digits
 * ("106023") and facilities with digits ("C4K_EBM") are told apart from it.
 */
export function scanCiscoEventCode(text: string, pos: number, out: EventCode): number {
  if (text.charCodeAt(pos) !== PERCENT || !isLetter(text.charCodeAt(pos + 1))) return -1;
  const n = text.length;
  const start = pos + 1;
  let p = start;
  let parts = 0;
  let severity = -1;
  let facilityEnd = -1;
  let partStart = p;
  for (;;) {
    if (p >= n || p - start > MAX_CODE_LENGTH) return -1;
    const c = text.charCodeAt(p);
    if (isWordChar(c)) {
      p++;
      continue;
    }
    if (p === partStart) return -1;
    parts++;
    if (parts === 1) facilityEnd = p;
    else if (severity < 0 && p - partStart === 1 && isDigit(text.charCodeAt(partStart)) && c === MINUS) {
      const digit = text.charCodeAt(partStart) - 0x30;
      if (digit <= 7) severity = digit;
    }
    if (c === MINUS) {
      p++;
      partStart = p;
      continue;
    }
    break;
  }
  if (parts < 3 || severity < 0) return -1;
  const end = p;
  // IOS-XR writes "%PKT_INFRA-LINK-3-UPDOWN : Interface ...".
  if (text.charCodeAt(p) === SP && text.charCodeAt(p + 1) === COLON) p++;
  if (text.charCodeAt(p) !== COLON) return -1;
  p++;
  if (text.charCodeAt(p) === SP) p++;
  out.start = start;
  out.end = end;
  out.severity = severity;
  out.facilityEnd = facilityEnd;
  return p;
}
