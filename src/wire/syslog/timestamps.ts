import type { UnixNanos } from '../../model/time.js';
import {
  COLON,
  DOT,
  MINUS,
  PLUS,
  SP,
  digitsEnd,
  digitsValue,
  fixedDigits,
  isDigit,
  isLetter,
  isUpper,
} from './text-scan.js';
import { wallTimeToUtcMs } from './zone-offset.js';

// The timestamp layouts syslog senders use, scanned into one set of parts, and the rules that
// turn the parts into Unix nanoseconds: the zone for times without an offset, and the year for
// BSD timestamps, which have none.

/** Parts of one timestamp as scanned. `year` is 0 when the text had none. */
export class TimeParts {
  year = 0;
  month = 0;
  day = 0;
  hour = 0;
  minute = 0;
  second = 0;
  nanos = 0;
  hasOffset = false;
  offsetMinutes = 0;

  reset(): void {
    this.year = 0;
    this.month = 0;
    this.day = 0;
    this.hour = 0;
    this.minute = 0;
    this.second = 0;
    this.nanos = 0;
    this.hasOffset = false;
    this.offsetMinutes = 0;
  }

  copyFrom(other: TimeParts): void {
    this.copyClockFrom(other);
    this.nanos = other.nanos;
    this.hasOffset = other.hasOffset;
    this.offsetMinutes = other.offsetMinutes;
  }

  /** The date and the time to the second, without fraction or offset. */
  copyClockFrom(other: TimeParts): void {
    this.year = other.year;
    this.month = other.month;
    this.day = other.day;
    this.hour = other.hour;
    this.minute = other.minute;
    this.second = other.second;
  }
}

const NANOS_PER_MS = 1_000_000;
const MS_PER_DAY = 86_400_000;
const FRACTION_SCALE = [0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];

/** The month (1-12) named by the three letters at pos ("Jan", "jan", "JAN"), or 0. */
export function monthAt(text: string, pos: number): number {
  if (pos + 3 > text.length) return 0;
  const a = text.charCodeAt(pos) | 0x20;
  const b = text.charCodeAt(pos + 1) | 0x20;
  const c = text.charCodeAt(pos + 2) | 0x20;
  switch (a) {
    case 0x6a: // j
      if (b === 0x61 && c === 0x6e) return 1; // jan
      if (b === 0x75 && c === 0x6e) return 6; // jun
      if (b === 0x75 && c === 0x6c) return 7; // jul
      return 0;
    case 0x66: // f
      return b === 0x65 && c === 0x62 ? 2 : 0;
    case 0x6d: // m
      if (b !== 0x61) return 0;
      if (c === 0x72) return 3; // mar
      if (c === 0x79) return 5; // may
      return 0;
    case 0x61: // a
      if (b === 0x70 && c === 0x72) return 4; // apr
      if (b === 0x75 && c === 0x67) return 8; // aug
      return 0;
    case 0x73: // s
      return b === 0x65 && c === 0x70 ? 9 : 0;
    case 0x6f: // o
      return b === 0x63 && c === 0x74 ? 10 : 0;
    case 0x6e: // n
      return b === 0x6f && c === 0x76 ? 11 : 0;
    case 0x64: // d
      return b === 0x65 && c === 0x63 ? 12 : 0;
    default:
      return 0;
  }
}

/** "." or "," followed by 1-9 digits: sets t.nanos and returns the end, or pos when there is none. */
function scanFraction(text: string, pos: number, t: TimeParts): number {
  const c = text.charCodeAt(pos);
  if (c !== DOT && c !== 0x2c) return pos;
  const end = digitsEnd(text, pos + 1);
  const count = end - pos - 1;
  if (count === 0) return pos;
  // More than nine digits cannot be represented in nanoseconds; the excess is cut, not rounded.
  const used = count > 9 ? 9 : count;
  t.nanos = digitsValue(text, pos + 1, pos + 1 + used) * FRACTION_SCALE[used]!;
  return end;
}

/** "hh:mm:ss" with an optional fraction; the hour may have one digit. Returns the end or -1. */
export function scanClock(text: string, pos: number, t: TimeParts): number {
  let p = pos;
  const hourEnd = digitsEnd(text, p);
  if (hourEnd - p < 1 || hourEnd - p > 2 || text.charCodeAt(hourEnd) !== COLON) return -1;
  const hour = digitsValue(text, p, hourEnd);
  p = hourEnd + 1;
  const minute = fixedDigits(text, p, 2);
  if (minute < 0 || text.charCodeAt(p + 2) !== COLON) return -1;
  p += 3;
  const second = fixedDigits(text, p, 2);
  if (second < 0) return -1;
  p += 2;
  if (hour > 23 || minute > 59 || second > 60) return -1;
  t.hour = hour;
  t.minute = minute;
  t.second = second;
  t.nanos = 0;
  return scanFraction(text, p, t);
}

/**
 * A numeric UTC offset at pos: "Z", "+hh:mm", "+hhmm" or "+hh". Sets t.hasOffset and returns the
 * end; returns pos unchanged when there is no offset.
 */
export function scanOffset(text: string, pos: number, t: TimeParts): number {
  const c = text.charCodeAt(pos);
  if (c === 0x5a || c === 0x7a) {
    // "Z" only when it ends the token, so that a following word is not eaten.
    const next = text.charCodeAt(pos + 1);
    if (pos + 1 < text.length && next !== SP && next !== COLON) return pos;
    t.hasOffset = true;
    t.offsetMinutes = 0;
    return pos + 1;
  }
  if (c !== PLUS && c !== MINUS) return pos;
  const hours = fixedDigits(text, pos + 1, 2);
  if (hours < 0 || hours > 18) return pos;
  let end = pos + 3;
  let minutes = 0;
  if (text.charCodeAt(end) === COLON) {
    minutes = fixedDigits(text, end + 1, 2);
    if (minutes < 0) return pos;
    end += 3;
  } else if (isDigit(text.charCodeAt(end))) {
    minutes = fixedDigits(text, end, 2);
    if (minutes < 0) return pos;
    end += 2;
  }
  if (minutes > 59) return pos;
  t.hasOffset = true;
  t.offsetMinutes = (c === MINUS ? -1 : 1) * (hours * 60 + minutes);
  return end;
}

/**
 * RFC 3339 "yyyy-mm-ddThh:mm:ss[.frac](Z|+hh:mm)". With `lenient`, the date and time may also be
 * separated by a space and the offset may be missing or written "+hhmm" (as Huawei, FortiAnalyzer
 * and many BSD-layout senders do). Returns the end or -1.
 */
export function scanIsoTimestamp(text: string, pos: number, t: TimeParts, lenient: boolean): number {
  let p: number;
  if (sameClockAsLast(text, pos)) {
    // The same date and time to the second as the last timestamp read: only the fraction and the
    // offset are left to read.
    t.copyClockFrom(lastClock);
    t.nanos = 0;
    p = scanFraction(text, pos + CLOCK_LENGTH, t);
  } else {
    const year = fixedDigits(text, pos, 4);
    if (year < 0 || text.charCodeAt(pos + 4) !== MINUS) return -1;
    const month = fixedDigits(text, pos + 5, 2);
    if (month < 1 || month > 12 || text.charCodeAt(pos + 7) !== MINUS) return -1;
    const day = fixedDigits(text, pos + 8, 2);
    if (day < 1 || day > 31) return -1;
    const sep = text.charCodeAt(pos + 10);
    if (sep !== 0x54 && sep !== 0x74 && !(lenient && sep === SP)) return -1;
    p = scanClock(text, pos + 11, t);
    if (p < 0 || p - (pos + 11) < 8) return -1;
    t.year = year;
    t.month = month;
    t.day = day;
    rememberClock(text, pos, t);
  }
  t.hasOffset = false;
  const afterOffset = scanOffset(text, p, t);
  if (afterOffset === p && !lenient) return -1;
  p = afterOffset;
  return p;
}

// A stream's RFC 3339 timestamps share their first 19 characters, "yyyy-mm-ddThh:mm:ss", for a
// whole second: comparing them with the last ones read costs less than reading the six numbers
// and checking their ranges again. Only that full form is kept (a "T" or "t", two-digit hour):
// those characters alone decide the parts and that they are valid, whether lenient or not and
// whatever follows. The text kept is a slice of the last message with such a timestamp: one
// message at most kept alive, and nothing copied when every message has a new second.
const CLOCK_LENGTH = 19;
let lastClockText = '';
const lastClock = new TimeParts();

function sameClockAsLast(text: string, pos: number): boolean {
  const last = lastClockText;
  if (last.length === 0 || pos + CLOCK_LENGTH > text.length) return false;
  // The last digit of the seconds turns most other seconds away at once; then a slice and ===
  // (V8 compares the two as memory) costs less than comparing character by character.
  if (text.charCodeAt(pos + CLOCK_LENGTH - 1) !== last.charCodeAt(CLOCK_LENGTH - 1)) return false;
  return text.slice(pos, pos + CLOCK_LENGTH) === last;
}

function rememberClock(text: string, pos: number, t: TimeParts): void {
  const sep = text.charCodeAt(pos + 10);
  if ((sep !== 0x54 && sep !== 0x74) || text.charCodeAt(pos + 13) !== COLON || pos + CLOCK_LENGTH > text.length) return;
  lastClockText = text.slice(pos, pos + CLOCK_LENGTH);
  lastClock.copyFrom(t);
}

/**
 * BSD "Mmm dd hh:mm:ss" as RFC 3164 has it, with the variants devices send: the day padded with a
 * space or a zero, a year after the day ("Mar  5 2024 10:00:00", Huawei, Cisco ASA, Junos), a
 * fraction (".345", Cisco msec), a numeric offset right after the time (Huawei "+07:00"), and the
 * old Huawei "hh:mm:ss:mmm yyyy". Returns the end or -1.
 */
export function scanBsdTimestamp(text: string, pos: number, t: TimeParts): number {
  const month = monthAt(text, pos);
  if (month === 0 || text.charCodeAt(pos + 3) !== SP) return -1;
  let p = pos + 4;
  if (text.charCodeAt(p) === SP) p++;
  const dayEnd = digitsEnd(text, p);
  if (dayEnd - p < 1 || dayEnd - p > 2 || text.charCodeAt(dayEnd) !== SP) return -1;
  const day = digitsValue(text, p, dayEnd);
  if (day < 1 || day > 31) return -1;
  p = dayEnd + 1;
  let year = 0;
  const maybeYear = fixedDigits(text, p, 4);
  if (maybeYear >= 0 && text.charCodeAt(p + 4) === SP) {
    year = maybeYear;
    p += 5;
  }
  const clockEnd = scanClock(text, p, t);
  if (clockEnd < 0) return -1;
  p = clockEnd;
  if (year === 0 && text.charCodeAt(p) === COLON && t.nanos === 0) {
    // Old VRP: "17:28:50:524 2004".
    const ms = fixedDigits(text, p + 1, 3);
    const trailingYear = fixedDigits(text, p + 5, 4);
    if (ms >= 0 && text.charCodeAt(p + 4) === SP && trailingYear >= 0 && (p + 9 >= text.length || text.charCodeAt(p + 9) === SP)) {
      t.nanos = ms * NANOS_PER_MS;
      year = trailingYear;
      p += 9;
    }
  }
  t.year = year;
  t.month = month;
  t.day = day;
  t.hasOffset = false;
  return scanOffset(text, p, t);
}

/** NX-OS "yyyy Mmm dd hh:mm:ss[.frac]". Returns the end or -1. */
export function scanYearFirstTimestamp(text: string, pos: number, t: TimeParts): number {
  const year = fixedDigits(text, pos, 4);
  if (year < 0 || text.charCodeAt(pos + 4) !== SP) return -1;
  const end = scanBsdTimestamp(text, pos + 5, t);
  if (end < 0 || t.year !== 0) return -1;
  t.year = year;
  return end;
}

/**
 * A Cisco uptime stamp ("00:00:46", "1d02h", "2w3d", "1y2w"): time since boot, not a date. Returns
 * the end or -1. Only taken when followed by ":", which the caller checks.
 */
export function scanUptime(text: string, pos: number): number {
  const firstEnd = digitsEnd(text, pos);
  if (firstEnd === pos) return -1;
  const c = text.charCodeAt(firstEnd);
  if (c === COLON) {
    // hh:mm:ss (short uptime); the caller requires ": " after it, which tells it from a BSD clock.
    const m = fixedDigits(text, firstEnd + 1, 2);
    if (m < 0 || text.charCodeAt(firstEnd + 3) !== COLON) return -1;
    const s = fixedDigits(text, firstEnd + 4, 2);
    if (s < 0) return -1;
    let end = firstEnd + 6;
    if (text.charCodeAt(end) === DOT) end = digitsEnd(text, end + 1);
    return end;
  }
  // Long uptime: two number-unit pairs, units from y w d h m.
  if (!isUptimeUnit(c)) return -1;
  const secondEnd = digitsEnd(text, firstEnd + 1);
  if (secondEnd === firstEnd + 1 || !isUptimeUnit(text.charCodeAt(secondEnd))) return -1;
  return secondEnd + 1;
}

function isUptimeUnit(c: number): boolean {
  return c === 0x79 || c === 0x77 || c === 0x64 || c === 0x68 || c === 0x6d;
}

/**
 * A time zone name after a Cisco timestamp ("UTC", "PST", "CEST"): 2-5 capital letters. Returns
 * the end or -1.
 */
export function scanZoneName(text: string, pos: number): number {
  let p = pos;
  const n = text.length;
  while (p < n && p - pos < 6 && isUpper(text.charCodeAt(p))) p++;
  const len = p - pos;
  if (len < 2 || len > 5) return -1;
  if (p < n && isLetter(text.charCodeAt(p))) return -1;
  return p;
}

// Abbreviations whose offset is unambiguous enough to trust. Cisco lets operators name the zone
// freely (`clock timezone NAME HOURS`), so a name not listed here is kept as a field and the
// configured zone is used instead.
const ZONE_ABBREVIATIONS: ReadonlyMap<string, number> = new Map([
  ['UTC', 0],
  ['GMT', 0],
  ['UT', 0],
  ['Z', 0],
  ['WET', 0],
  ['WEST', 60],
  ['CET', 60],
  ['MET', 60],
  ['CEST', 120],
  ['MEST', 120],
  ['EET', 120],
  ['EEST', 180],
  ['MSK', 180],
  ['JST', 540],
  ['KST', 540],
  ['HKT', 480],
  ['SGT', 480],
  ['AWST', 480],
  ['ACST', 570],
  ['AEST', 600],
  ['AEDT', 660],
  ['NZST', 720],
  ['NZDT', 780],
  ['ADT', -180],
  ['EST', -300],
  ['EDT', -240],
  ['CDT', -300],
  ['MST', -420],
  ['MDT', -360],
  ['PST', -480],
  ['PDT', -420],
  ['AKST', -540],
  ['AKDT', -480],
  ['HST', -600],
]);

/** Offset in minutes of a well-known zone abbreviation, or undefined. */
export function zoneAbbreviationOffset(name: string): number | undefined {
  return ZONE_ABBREVIATIONS.get(name);
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeapYear(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

// The year of the last reception time asked about, with its bounds: messages arrive in bursts
// with nearly equal reception times, so a Date per message is saved.
let cachedYear = 1970;
let cachedYearStart = 0;
let cachedYearEnd = Date.UTC(1971, 0, 1);

function utcYearOf(ms: number): number {
  if (ms >= cachedYearStart && ms < cachedYearEnd) return cachedYear;
  const year = new Date(ms).getUTCFullYear();
  cachedYear = year;
  cachedYearStart = Date.UTC(year, 0, 1);
  cachedYearEnd = Date.UTC(year + 1, 0, 1);
  return year;
}

// The start of the last day asked about: a sender's messages carry the same date for a whole day,
// so Date.UTC runs once a day per sender instead of once per message. One entry, checked on all
// three parts, so it can never answer for another day.
let cachedDayYear = -1;
let cachedDayMonth = -1;
let cachedDayDay = -1;
let cachedDayStartMs = 0;

/** Date.UTC(year, month - 1, day), years 0-99 meaning 1900-1999 as there. */
function utcDayStartMs(year: number, month: number, day: number): number {
  if (day !== cachedDayDay || month !== cachedDayMonth || year !== cachedDayYear) {
    cachedDayStartMs = Date.UTC(year, month - 1, day);
    cachedDayYear = year;
    cachedDayMonth = month;
    cachedDayDay = day;
  }
  return cachedDayStartMs;
}

/** UTC ms of the parts (year given), or NaN when the date does not exist. */
function partsToUtcMs(t: TimeParts, year: number, timeZone: string): number {
  if (t.day > daysInMonth(year, t.month)) return Number.NaN;
  // What Date.UTC(year, month - 1, day, hour, minute, second) computes (the day's start plus the
  // time of day, a second 60 included), without its per-call date arithmetic.
  const wall = utcDayStartMs(year, t.month, t.day) + ((t.hour * 60 + t.minute) * 60 + t.second) * 1000;
  if (t.hasOffset) return wall - t.offsetMinutes * 60_000;
  return wallTimeToUtcMs(timeZone, wall);
}

/**
 * The timestamp in Unix nanoseconds. Times without an offset are read in `timeZone`. Without a
 * year, the year is the one (of the years before, of and after reception) that puts the time
 * closest to `receivedAtMs`: "Dec 31 23:59:59" received on Jan 1 belongs to the year before, and
 * "Jan  1 00:00:01" received on Dec 31 (a sender's clock slightly ahead) to the year after.
 * Returns undefined when the date does not exist (Feb 30, Feb 29 in no nearby leap year).
 */
export function resolveTimestamp(t: TimeParts, timeZone: string, receivedAtMs: number): UnixNanos | undefined {
  let ms: number;
  if (t.year !== 0) {
    ms = partsToUtcMs(t, t.year, timeZone);
  } else {
    const received = utcYearOf(receivedAtMs);
    ms = partsToUtcMs(t, received, timeZone);
    // Half a year either way decides; only then are the neighbouring years worth computing.
    if (!(Math.abs(ms - receivedAtMs) < 182 * MS_PER_DAY)) {
      let best = ms;
      let bestDistance = Number.isNaN(ms) ? Number.POSITIVE_INFINITY : Math.abs(ms - receivedAtMs);
      for (const year of [received - 1, received + 1]) {
        const candidate = partsToUtcMs(t, year, timeZone);
        const distance = Math.abs(candidate - receivedAtMs);
        if (distance < bestDistance) {
          best = candidate;
          bestDistance = distance;
        }
      }
      ms = best;
    }
  }
  if (Number.isNaN(ms)) return undefined;
  const whole = msToNanos(ms);
  return t.nanos === 0 ? whole : whole + BigInt(t.nanos);
}

// The last whole millisecond converted: a stream's messages mostly share their second (the
// fraction is added apart), and each conversion costs two BigInt allocations.
let cachedNanosMs = 0;
let cachedNanos = 0n;

function msToNanos(ms: number): UnixNanos {
  if (ms !== cachedNanosMs) {
    cachedNanos = BigInt(ms) * 1_000_000n;
    cachedNanosMs = ms;
  }
  return cachedNanos;
}
