import { describe, expect, it } from 'vitest';
import {
  TimeParts,
  monthAt,
  resolveTimestamp,
  scanBsdTimestamp,
  scanIsoTimestamp,
  scanOffset,
  scanUptime,
  scanYearFirstTimestamp,
  scanZoneName,
  zoneAbbreviationOffset,
} from '../../../src/wire/syslog/timestamps.js';

const ns = (iso: string, extraNanos = 0n): bigint => BigInt(Date.parse(iso)) * 1_000_000n + extraNanos;

function parts(scan: (text: string, pos: number, t: TimeParts) => number, text: string): { end: number; t: TimeParts } {
  const t = new TimeParts();
  return { end: scan(text, 0, t), t };
}

describe('timestamp scanners', () => {
  it('names months in any case and nothing else', () => {
    const names = ['Jan', 'feb', 'MAR', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    expect(names.map((n) => monthAt(n, 0))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(['Jax', 'Ma', 'Foo', 'Sept'.slice(1)].map((n) => monthAt(n, 0))).toEqual([0, 0, 0, 0]);
  });

  it('reads RFC 3339 with fraction and offset', () => {
    const { end, t } = parts((x, p, tt) => scanIsoTimestamp(x, p, tt, false), '2024-03-05T10:20:30.123456789-05:30 rest');
    expect(end).toBe(35);
    expect([t.year, t.month, t.day, t.hour, t.minute, t.second, t.nanos]).toEqual([2024, 3, 5, 10, 20, 30, 123_456_789]);
    expect(t.hasOffset).toBe(true);
    expect(t.offsetMinutes).toBe(-330);
  });

  it('cuts fractions past nanoseconds instead of rounding', () => {
    const { t } = parts((x, p, tt) => scanIsoTimestamp(x, p, tt, false), '2024-03-05T10:20:30.1234567899Z');
    expect(t.nanos).toBe(123_456_789);
  });

  it('needs an offset unless lenient, and a "T" unless lenient', () => {
    expect(parts((x, p, tt) => scanIsoTimestamp(x, p, tt, false), '2024-03-05T10:20:30 x').end).toBe(-1);
    expect(parts((x, p, tt) => scanIsoTimestamp(x, p, tt, true), '2024-03-05T10:20:30 x').end).toBe(19);
    expect(parts((x, p, tt) => scanIsoTimestamp(x, p, tt, false), '2024-03-05 10:20:30Z').end).toBe(-1);
    expect(parts((x, p, tt) => scanIsoTimestamp(x, p, tt, true), '2024-03-05 10:20:30Z').end).toBe(20);
  });

  it('reads numeric offsets in three spellings and rejects impossible ones', () => {
    const read = (text: string): number | undefined => {
      const t = new TimeParts();
      return scanOffset(text, 0, t) === text.length && t.hasOffset ? t.offsetMinutes : undefined;
    };
    expect(read('+07:00')).toBe(420);
    expect(read('-0430')).toBe(-270);
    expect(read('+01')).toBe(60);
    expect(read('Z')).toBe(0);
    expect(read('+25:00')).toBeUndefined();
    expect(read('+01:60')).toBeUndefined();
  });

  it('reads BSD stamps with space- or zero-padded days, years, fractions and offsets', () => {
    const a = parts(scanBsdTimestamp, 'Feb  5 17:32:18 host');
    expect(a.end).toBe(15);
    expect([a.t.year, a.t.month, a.t.day, a.t.hour, a.t.minute, a.t.second]).toEqual([0, 2, 5, 17, 32, 18]);
    const b = parts(scanBsdTimestamp, 'Mar 05 2024 10:00:00.5+07:00 x');
    expect([b.t.year, b.t.month, b.t.day, b.t.nanos, b.t.offsetMinutes]).toEqual([2024, 3, 5, 500_000_000, 420]);
    expect(b.end).toBe(28);
    expect(parts(scanBsdTimestamp, 'Mar 32 10:00:00').end).toBe(-1);
    expect(parts(scanBsdTimestamp, 'Mar  5 24:00:00').end).toBe(-1);
    expect(parts(scanBsdTimestamp, 'Mar  5 10:60:00').end).toBe(-1);
    expect(parts(scanBsdTimestamp, 'Mar   5 10:00:00').end).toBe(-1);
  });

  it('reads the NX-OS year-first stamp', () => {
    const { end, t } = parts(scanYearFirstTimestamp, '2024 Mar  5 10:00:00 switch');
    expect(end).toBe(20);
    expect([t.year, t.month, t.day]).toEqual([2024, 3, 5]);
  });

  it('reads Cisco uptimes', () => {
    expect(scanUptime('00:00:46: %X', 0)).toBe(8);
    expect(scanUptime('1d02h: %X', 0)).toBe(5);
    expect(scanUptime('2w3d: %X', 0)).toBe(4);
    expect(scanUptime('12 x', 0)).toBe(-1);
  });

  it('reads zone names of 2-5 capitals only', () => {
    expect(scanZoneName('UTC: x', 0)).toBe(3);
    expect(scanZoneName('AEST:', 0)).toBe(4);
    expect(scanZoneName('U: x', 0)).toBe(-1);
    expect(scanZoneName('Utc: x', 0)).toBe(-1);
    expect(scanZoneName('TOOLONG:', 0)).toBe(-1);
    expect(zoneAbbreviationOffset('CEST')).toBe(120);
    expect(zoneAbbreviationOffset('PDT')).toBe(-420);
    expect(zoneAbbreviationOffset('IST')).toBeUndefined();
  });
});

describe('resolveTimestamp', () => {
  const resolve = (text: string, timeZone: string, receivedAtMs: number): bigint | undefined => {
    const t = new TimeParts();
    if (scanBsdTimestamp(text, 0, t) < 0) throw new Error(`bad fixture ${text}`);
    return resolveTimestamp(t, timeZone, receivedAtMs);
  };

  it('keeps fractions to the nanosecond', () => {
    const t = new TimeParts();
    scanIsoTimestamp('2024-03-05T10:00:00.000000001Z', 0, t, false);
    expect(resolveTimestamp(t, 'UTC', 0)).toBe(ns('2024-03-05T10:00:00Z', 1n));
  });

  it('picks the year closest to reception, across the turn of the year both ways', () => {
    expect(resolve('Dec 31 23:59:59', 'UTC', Date.UTC(2025, 0, 1, 0, 0, 5))).toBe(ns('2024-12-31T23:59:59Z'));
    expect(resolve('Jan  1 00:00:01', 'UTC', Date.UTC(2024, 11, 31, 23, 59, 59))).toBe(ns('2025-01-01T00:00:01Z'));
    expect(resolve('Jun 30 12:00:00', 'UTC', Date.UTC(2024, 0, 1))).toBe(ns('2024-06-30T12:00:00Z'));
    expect(resolve('Jul  3 12:00:00', 'UTC', Date.UTC(2024, 0, 1))).toBe(ns('2023-07-03T12:00:00Z'));
  });

  it('returns undefined for a day no nearby year has', () => {
    expect(resolve('Feb 29 12:00:00', 'UTC', Date.UTC(2022, 5, 1))).toBeUndefined();
    expect(resolve('Feb 29 12:00:00', 'UTC', Date.UTC(2023, 5, 1))).toBe(ns('2024-02-29T12:00:00Z'));
  });

  it('reads wall times in the zone, with DST', () => {
    expect(resolve('Mar  5 10:00:00', 'Europe/Berlin', Date.UTC(2024, 2, 5))).toBe(ns('2024-03-05T09:00:00Z'));
    expect(resolve('Aug  5 10:00:00', 'Europe/Berlin', Date.UTC(2024, 7, 5))).toBe(ns('2024-08-05T08:00:00Z'));
    expect(resolve('Aug  5 10:00:00', 'Australia/Adelaide', Date.UTC(2024, 7, 5))).toBe(ns('2024-08-05T00:30:00Z'));
  });

  it('moves a time in the spring-forward gap past the gap, and takes the earlier of an autumn overlap', () => {
    // Berlin 2024-03-31: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist and reads as 03:30 CEST.
    expect(resolve('Mar 31 02:30:00', 'Europe/Berlin', Date.UTC(2024, 2, 31))).toBe(ns('2024-03-31T01:30:00Z'));
    // Berlin 2024-10-27: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice, the first in CEST.
    expect(resolve('Oct 27 02:30:00', 'Europe/Berlin', Date.UTC(2024, 9, 27))).toBe(ns('2024-10-27T00:30:00Z'));
    expect(resolve('Oct 27 03:30:00', 'Europe/Berlin', Date.UTC(2024, 9, 27))).toBe(ns('2024-10-27T02:30:00Z'));
  });
});
