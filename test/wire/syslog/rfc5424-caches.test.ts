import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../src/wire/syslog/parse-syslog.js';
import type { SyslogParseOptions } from '../../../src/wire/syslog/syslog-message.js';
import { TimeParts, resolveTimestamp, scanIsoTimestamp } from '../../../src/wire/syslog/timestamps.js';

// The RFC 5424 parser takes what repeats from message to message (HOSTNAME and APP-NAME, the
// structured data, the date and time to the second) from caches. These tests send the same parts
// again and again, interleaved with others that differ in one character, and check that every
// message still reads as its own text says.

const options: SyslogParseOptions = { protocol: 'auto', receivedAtMs: Date.UTC(2024, 2, 5, 12, 0, 0), timeZone: 'UTC' };
const ns = (iso: string, extraNanos = 0n): bigint => BigInt(Date.parse(iso)) * 1_000_000n + extraNanos;

describe('RFC 5424 parser caches', () => {
  it('hands out one origin and the same strings for a repeated HOSTNAME and APP-NAME, never another pair', () => {
    const line = (host: string, app: string) => `<13>1 2024-03-05T10:00:00Z ${host} ${app} 42 ID - hello`;
    const seen = new Map<string, unknown>();
    for (let round = 0; round < 4; round++) {
      for (let h = 0; h < 12; h++) {
        for (const app of ['app', 'apq', '-']) {
          const host = h === 11 ? '-' : `host-${String(h).padStart(2, '0')}.example.net`;
          const m = parseSyslog(line(host, app), options);
          expect(m.parseError).toBeUndefined();
          expect(m.hostname).toBe(host === '-' ? undefined : host);
          expect(m.appName).toBe(app === '-' ? undefined : app);
          expect(m.procId).toBe('42');
          if (round >= 2) {
            expect(m.origin).toBeDefined();
            expect(m.origin?.hostname).toBe(m.hostname);
            expect(m.origin?.appName).toBe(m.appName);
            const key = `${host} ${app}`;
            if (round === 2) seen.set(key, m.origin);
            else expect(m.origin).toBe(seen.get(key));
          }
        }
      }
    }
  });

  it('splits the cached pair where the text does: a name ends at its space', () => {
    for (let i = 0; i < 3; i++) {
      const a = parseSyslog('<13>1 - ab c - - - x', options);
      const b = parseSyslog('<13>1 - a bc - - - x', options);
      expect([a.hostname, a.appName, b.hostname, b.appName]).toEqual(['ab', 'c', 'a', 'bc']);
    }
  });

  it('shares frozen structured data for a repeated SD text, and reads any other SD afresh', () => {
    const sd = '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]';
    const first = parseSyslog(`<13>1 - h a - - ${sd} one`, options);
    const again = [2, 3, 4].map((i) => parseSyslog(`<13>1 - h a - - ${sd} msg ${i}`, options));
    const expected = [{ id: 'exampleSDID@32473', params: [['iut', '3'], ['eventSource', 'Application'], ['eventID', '1011']] }];
    for (const m of [first, ...again]) expect(m.structuredData).toEqual(expected);
    expect(again[1]!.structuredData).toBe(again[2]!.structuredData);
    expect(Object.isFrozen(again[2]!.structuredData)).toBe(true);
    expect(Object.isFrozen(again[2]!.structuredData[0]!.params[0])).toBe(true);
    expect(again.map((m) => m.message)).toEqual(['msg 2', 'msg 3', 'msg 4']);

    // The same beginning, then more: not the cached text.
    const more = parseSyslog(`<13>1 - h a - - ${sd}[meta seq="1"] tail`, options);
    expect(more.structuredData).toEqual([...expected, { id: 'meta', params: [['seq', '1']] }]);
    expect(more.message).toBe('tail');
    // One value differs, same SD-ID and length.
    const other = parseSyslog(`<13>1 - h a - - ${sd.replace('1011', '1012')} x`, options);
    expect(other.structuredData).toEqual([{ id: 'exampleSDID@32473', params: [['iut', '3'], ['eventSource', 'Application'], ['eventID', '1012']] }]);
    // The cached text followed by something other than a space is still an error, and at the end it is all there is.
    expect(parseSyslog(`<13>1 - h a - - ${sd}x`, options).parseError).toMatch(/space expected after STRUCTURED-DATA/);
    const bare = parseSyslog(`<13>1 - h a - - ${sd}`, options);
    expect(bare.structuredData).toEqual(expected);
    expect(bare.message).toBe('');
  });

  it('keeps escapes and repeated names in cached structured data as parsed', () => {
    const sd = '[x@1 a="q\\"uote" a="b\\]r" c="back\\\\slash"]';
    for (let i = 0; i < 4; i++) {
      const m = parseSyslog(`<13>1 - h a - - ${sd} m${i}`, options);
      expect(m.structuredData).toEqual([{ id: 'x@1', params: [['a', 'q"uote'], ['a', 'b]r'], ['c', 'back\\slash']] }]);
      expect(m.message).toBe(`m${i}`);
    }
  });

  it('alternating structured data under one SD-ID is read right every time', () => {
    for (let i = 0; i < 40; i++) {
      const v = i % 3;
      const m = parseSyslog(`<13>1 - h a - - [meta seq="${v}"] m`, options);
      expect(m.structuredData).toEqual([{ id: 'meta', params: [['seq', String(v)]] }]);
    }
  });
});

describe('RFC 3339 timestamps read after one like them', () => {
  const read = (text: string, lenient = false): { end: number; t: TimeParts } => {
    const t = new TimeParts();
    return { end: scanIsoTimestamp(text, 0, t, lenient), t };
  };

  it('reads the fraction and offset of each, and the next second as the next second', () => {
    expect(read('2024-03-05T10:20:30.1Z').t.nanos).toBe(100_000_000);
    const b = read('2024-03-05T10:20:30.25+01:00 x');
    expect([b.end, b.t.second, b.t.nanos, b.t.hasOffset, b.t.offsetMinutes]).toEqual([28, 30, 250_000_000, true, 60]);
    const c = read('2024-03-05T10:20:30Z');
    expect([c.end, c.t.nanos, c.t.offsetMinutes]).toEqual([20, 0, 0]);
    const d = read('2024-03-05T10:20:31Z');
    expect([d.t.hour, d.t.minute, d.t.second]).toEqual([10, 20, 31]);
    const e = read('2025-03-05T10:20:31Z');
    expect([e.t.year, e.t.month, e.t.day]).toEqual([2025, 3, 5]);
  });

  it('still needs an offset unless lenient, and a "T" unless lenient, right after the same clock', () => {
    expect(read('2024-03-05T10:20:30Z').end).toBe(20);
    expect(read('2024-03-05T10:20:30 x').end).toBe(-1);
    expect(read('2024-03-05T10:20:30 x', true).end).toBe(19);
    expect(read('2024-03-05 10:20:30Z').end).toBe(-1);
    expect(read('2024-03-05 10:20:30Z', true).end).toBe(20);
    expect(read('2024-03-05T10:20:30Z').end).toBe(20);
    expect(read('2024-03-05T1:20:30Z').end).toBe(-1);
    expect(read('2024-03-05T1:20:30.5Z').t.hour).toBe(1);
  });

  it('resolves days and seconds as Date.UTC does, also right after another day', () => {
    const stamp = (text: string) => {
      const { t } = read(text);
      return resolveTimestamp(t, 'UTC', options.receivedAtMs);
    };
    for (const iso of ['2024-02-29T23:59:59Z', '2024-03-01T00:00:00Z', '2024-02-29T00:00:00Z', '1999-12-31T23:59:59Z', '2024-03-01T00:00:00.5Z']) {
      expect(stamp(iso)).toBe(ns(iso.replace('.5Z', 'Z'), iso.endsWith('.5Z') ? 500_000_000n : 0n));
    }
    // A leap second counts as the next one, as Date.UTC has it; a day that does not exist is refused.
    expect(stamp('2016-12-31T23:59:60Z')).toBe(ns('2017-01-01T00:00:00Z'));
    expect(stamp('2023-02-29T10:00:00Z')).toBeUndefined();
    expect(stamp('2023-02-28T10:00:00Z')).toBe(ns('2023-02-28T10:00:00Z'));
  });
});
