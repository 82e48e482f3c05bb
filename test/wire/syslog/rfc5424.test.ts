import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../src/wire/syslog/parse-syslog.js';
import type { SyslogParseOptions } from '../../../src/wire/syslog/syslog-message.js';

const options: SyslogParseOptions = { protocol: 'auto', receivedAtMs: Date.UTC(2024, 2, 5, 12, 0, 0), timeZone: 'UTC' };
const ns = (iso: string, extraNanos = 0n): bigint => BigInt(Date.parse(iso)) * 1_000_000n + extraNanos;

describe('RFC 5424', () => {
  it('reads every header field, structured data and MSG (util-linux logger --rfc5424 output)', () => {
    const text =
      '<13>1 2026-11-25T05:31:38.593539+00:00 vm app - MID [timeQuality tzKnown="1" isSynced="0"][zoo@123 tiger="hungry"] hello 5424';
    const m = parseSyslog(text, options);
    expect(m.format).toBe('rfc5424');
    expect(m.priority).toBe(13);
    expect(m.facility).toBe(1);
    expect(m.severity).toBe(5);
    expect(m.version).toBe(1);
    expect(m.timestamp).toBe(ns('2026-11-25T05:31:38.593Z', 539_000n));
    expect(m.hostname).toBe('vm');
    expect(m.appName).toBe('app');
    expect(m.procId).toBeUndefined();
    expect(m.msgId).toBe('MID');
    expect(m.structuredData).toEqual([
      { id: 'timeQuality', params: [['tzKnown', '1'], ['isSynced', '0']] },
      { id: 'zoo@123', params: [['tiger', 'hungry']] },
    ]);
    expect(m.message).toBe('hello 5424');
    expect(m.vendor).toBeUndefined();
    expect(m.mnemonic).toBeUndefined();
    expect(m.fields).toEqual([]);
    expect(m.parseError).toBeUndefined();
    expect(m.original).toBe(text);
  });

  it('parses the RFC 5424 examples: BOM removed from MSG, NILVALUE PROCID and SD', () => {
    const m = parseSyslog("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8", options);
    expect(m.format).toBe('rfc5424');
    expect(m.facility).toBe(4);
    expect(m.severity).toBe(2);
    expect(m.timestamp).toBe(ns('2003-10-11T22:14:15.003Z'));
    expect(m.hostname).toBe('mymachine.example.com');
    expect(m.appName).toBe('su');
    expect(m.procId).toBeUndefined();
    expect(m.msgId).toBe('ID47');
    expect(m.structuredData).toEqual([]);
    expect(m.message).toBe("'su root' failed for lonvick on /dev/pts/8");
  });

  it('reads a negative offset and 6-digit fraction into exact nanoseconds', () => {
    const m = parseSyslog('<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It\'s time to make the do-nuts.', options);
    expect(m.timestamp).toBe(ns('2003-08-24T12:14:15.000Z', 3000n));
    expect(m.hostname).toBe('192.0.2.1');
    expect(m.appName).toBe('myproc');
    expect(m.procId).toBe('8710');
    expect(m.msgId).toBeUndefined();
    expect(m.message).toBe("%% It's time to make the do-nuts.");
  });

  it('keeps several SD elements with several params and an empty MSG', () => {
    const m = parseSyslog(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
      options,
    );
    expect(m.structuredData).toEqual([
      { id: 'exampleSDID@32473', params: [['iut', '3'], ['eventSource', 'Application'], ['eventID', '1011']] },
      { id: 'examplePriority@32473', params: [['class', 'high']] },
    ]);
    expect(m.message).toBe('');
    expect(m.parseError).toBeUndefined();
  });

  it('resolves \\" \\\\ and \\] in param values and keeps other backslashes', () => {
    const m = parseSyslog('<14>1 2024-03-05T10:00:00Z h a p m [x@1 q="say \\"hi\\"" b="c:\\\\dir" r="a\\]b" o="\\n"] msg', options);
    expect(m.structuredData).toEqual([{ id: 'x@1', params: [['q', 'say "hi"'], ['b', 'c:\\dir'], ['r', 'a]b'], ['o', '\\n']] }]);
    expect(m.message).toBe('msg');
  });

  it('keeps "]" and spaces inside a quoted value', () => {
    const m = parseSyslog('<14>1 2024-03-05T10:00:00Z h a p m [x@1 v="a ] b"] rest', options);
    expect(m.structuredData).toEqual([{ id: 'x@1', params: [['v', 'a ] b']] }]);
    expect(m.message).toBe('rest');
  });

  it('accepts NILVALUE for every header field', () => {
    const m = parseSyslog('<13>1 - - - - - - x', options);
    expect(m.format).toBe('rfc5424');
    expect(m.timestamp).toBeUndefined();
    expect(m.hostname).toBeUndefined();
    expect(m.appName).toBeUndefined();
    expect(m.procId).toBeUndefined();
    expect(m.msgId).toBeUndefined();
    expect(m.structuredData).toEqual([]);
    expect(m.message).toBe('x');
  });

  it('reads logger --rfc5424=notq,nohost output (hostname NILVALUE)', () => {
    const m = parseSyslog('<13>1 2026-11-25T05:31:38.598348+00:00 - root - - - x', options);
    expect(m.hostname).toBeUndefined();
    expect(m.appName).toBe('root');
    expect(m.message).toBe('x');
  });

  it('removes a trailing LF, CR LF or NUL left by framing', () => {
    expect(parseSyslog('<13>1 - h a - - - line\n', options).message).toBe('line');
    expect(parseSyslog('<13>1 - h a - - - line\r\n', options).message).toBe('line');
    expect(parseSyslog('<13>1 - h a - - - line\0', options).original).toBe('<13>1 - h a - - - line');
    // A trailing space belongs to MSG (collector issue #31477 lost it).
    expect(parseSyslog('<13>1 - h a - - - line ', options).message).toBe('line ');
  });

  it('reads a timestamp without offset in the configured zone', () => {
    const m = parseSyslog('<13>1 2024-07-01T12:00:00 h a - - - x', { ...options, timeZone: 'Europe/Berlin' });
    expect(m.timestamp).toBe(ns('2024-07-01T10:00:00Z'));
  });

  it('takes the MSG after MSGID when a sender leaves the SD field out', () => {
    const m = parseSyslog('<13>1 2024-03-05T10:00:00Z h a 1 ID hello world', options);
    expect(m.format).toBe('rfc5424');
    expect(m.structuredData).toEqual([]);
    expect(m.message).toBe('hello world');
  });

  it.each([
    ['<13>1 bad', 'rfc5424: invalid TIMESTAMP at column 7'],
    ['<13>1 2024-13-05T10:00:00Z h a - - - x', 'rfc5424: invalid TIMESTAMP at column 7'],
    ['<13>1 2024-02-30T10:00:00Z h a - - - x', 'rfc5424: TIMESTAMP names a day that does not exist at column 7'],
    ['<13>1 2024-03-05T10:00:00Z host app', 'rfc5424: header ends before PROCID'],
    ['<13>1 2024-03-05T10:00:00Z host app - -', 'rfc5424: header ends before STRUCTURED-DATA'],
    ['<13>1 - h a - - [x@1 a="1"', 'rfc5424: invalid STRUCTURED-DATA at column 27'],
    ['<13>1 - h a - - [x@1 a=1] m', 'rfc5424: invalid STRUCTURED-DATA at column 23'],
    ['<13>1 - h a - - [x@1 a="1"]m', 'rfc5424: space expected after STRUCTURED-DATA at column 28'],
  ])('reports %j as unparsed: %s', (text, error) => {
    const m = parseSyslog(text, options);
    expect(m.format).toBe('unknown');
    expect(m.parseError).toBe(error);
    expect(m.message).toBe(text);
    expect(m.original).toBe(text);
    // PRI was valid, so its severity is kept for the record.
    expect(m.priority).toBe(13);
    expect(m.severity).toBe(5);
    expect(m.hostname).toBeUndefined();
    expect(m.structuredData).toEqual([]);
  });

  it('with protocol rfc5424, refuses BSD messages instead of guessing', () => {
    const m = parseSyslog('<13>Mar  5 10:00:00 host tag: hi', { ...options, protocol: 'rfc5424' });
    expect(m.format).toBe('unknown');
    expect(m.parseError).toBe('rfc5424: VERSION expected at column 5');
  });
});
