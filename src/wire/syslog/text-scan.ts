// Character tests and small scanners shared by the syslog parsers. The parsers walk the text by
// index with charCodeAt instead of regular expressions: one pass, no backtracking, and no
// intermediate strings until a field is known to be wanted.

export const SP = 0x20;
export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const NUL = 0x00;
export const DQUOTE = 0x22;
export const PERCENT = 0x25;
export const STAR = 0x2a;
export const PLUS = 0x2b;
export const MINUS = 0x2d;
export const DOT = 0x2e;
export const SLASH = 0x2f;
export const COLON = 0x3a;
export const SEMICOLON = 0x3b;
export const LT = 0x3c;
export const EQUALS = 0x3d;
export const GT = 0x3e;
export const LBRACKET = 0x5b;
export const BACKSLASH = 0x5c;
export const RBRACKET = 0x5d;
export const UNDERSCORE = 0x5f;
export const LPAREN = 0x28;
export const RPAREN = 0x29;
export const BOM = 0xfeff;

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

export function isLetter(c: number): boolean {
  const l = c | 0x20;
  return l >= 0x61 && l <= 0x7a;
}

/** Letters, digits and "_": what vendor codes (mnemonics, module names) are made of. */
export function isWordChar(c: number): boolean {
  return isDigit(c) || isLetter(c) || c === UNDERSCORE;
}

/** Index of the first non-digit at or after pos. */
export function digitsEnd(text: string, pos: number): number {
  const n = text.length;
  while (pos < n && isDigit(text.charCodeAt(pos))) pos++;
  return pos;
}

/** The decimal value of text[start, end) (digits only, checked by the caller). */
export function digitsValue(text: string, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) v = v * 10 + (text.charCodeAt(i) - 0x30);
  return v;
}

/** Exactly `count` digits at pos as a number, or -1. */
export function fixedDigits(text: string, pos: number, count: number): number {
  if (pos + count > text.length) return -1;
  let v = 0;
  for (let i = pos; i < pos + count; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 0x30);
  }
  return v;
}

/** Index of the next space (or the end of the text) at or after pos. */
export function spaceOrEnd(text: string, pos: number): number {
  const n = text.length;
  while (pos < n && text.charCodeAt(pos) !== SP) pos++;
  return pos;
}

/** Index of the first non-space at or after pos. */
export function skipSpaces(text: string, pos: number): number {
  const n = text.length;
  while (pos < n && text.charCodeAt(pos) === SP) pos++;
  return pos;
}

/** Whether pos is the end of the text or a space: the end of a header field. */
export function atFieldEnd(text: string, pos: number): boolean {
  return pos >= text.length || text.charCodeAt(pos) === SP;
}
