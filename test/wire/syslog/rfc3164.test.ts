import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../src/wire/syslog/parse-syslog.js';
import type { SyslogParseOptions } from '../../../src/wire/syslog/syslog-message.js';

const options: SyslogParseOptions = { protocol: 'auto', receivedAtMs: Date.UTC(2024, 2, 5, 12, 0, 0), timeZone: 'UTC' };
const ns = (iso: string, extraNanos = 0n): bigint => BigInt(Date.parse(iso)) * 1_000_000n + extraNanos;

describe('RFC 3164', () => {
  it('reads util-linux logger --rfc3164 output: PRI, TIMESTAMP, HOSTNAME, TAG[PID], MSG', () => {
    const text = '<13>Nov 25 05:31:38 vm mytag[29227]: hello 3164';
    const m = parseSyslog(text, { ...options, receivedAtMs: Date.UTC(2026, 10, 25, 5, 31, 40) });
    expect(m.format).toBe('rfc3164');
    expect(m.priority).toBe(13);
    expect(m.facility).toBe(1);
    expect(m.severity).toBe(5);
    expect(m.version).toBeUndefined();
    expect(m.timestamp).toBe(ns('2026-11-25T05:31:38Z'));
    expect(m.hostname).toBe('vm');
    expect(m.appName).toBe('mytag');
    expect(m.procId).toBe('29227');
    expect(m.msgId).toBeUndefined();
    expect(m.structuredData).toEqual([]);
    expect(m.message).toBe('hello 3164');
    expect(m.vendor).toBeUndefined();
    expect(m.mnemonic).toBeUndefined();
    expect(m.fields).toEqual([]);
    expect(m.parseError).toBeUndefined();
  });

  it('reads a day padded with a space and a TAG without PID', () => {
    const m = parseSyslog('<86>Feb  5 17:32:18 mymachine su: \'su root\' failed for lonvick on /dev/pts/8', options);
    expect(m.facility).toBe(10);
    expect(m.severity).toBe(6);
    expect(m.timestamp).toBe(ns('2024-02-05T17:32:18Z'));
    expect(m.hostname).toBe('mymachine');
    expect(m.appName).toBe('su');
    expect(m.procId).toBeUndefined();
    expect(m.message).toBe("'su root' failed for lonvick on /dev/pts/8");
  });

  it('accepts program names with "-", ".", "/" and a day padded with a zero', () => {
    const m = parseSyslog('<38>Mar 05 09:15:00 web-1 postfix/smtpd[2211]: connect from unknown[192.0.2.7]', options);
    expect(m.timestamp).toBe(ns('2024-03-05T09:15:00Z'));
    expect(m.hostname).toBe('web-1');
    expect(m.appName).toBe('postfix/smtpd');
    expect(m.procId).toBe('2211');
    expect(m.message).toBe('connect from unknown[192.0.2.7]');
  });

  it('takes the word after the timestamp as TAG, not HOSTNAME, when it ends in ":" or "[pid]:"', () => {
    const a = parseSyslog('<13>Mar  5 10:00:00 sshd[42]: Accepted publickey', options);
    expect(a.hostname).toBeUndefined();
    expect(a.appName).toBe('sshd');
    expect(a.procId).toBe('42');
    expect(a.message).toBe('Accepted publickey');
    const b = parseSyslog('<13>Mar  5 10:00:00 kernel: eth0: link up', options);
    expect(b.hostname).toBeUndefined();
    expect(b.appName).toBe('kernel');
    expect(b.message).toBe('eth0: link up');
  });

  it('keeps a message without TAG as MSG', () => {
    const m = parseSyslog('<13>Mar  5 10:00:00 host just some text', options);
    expect(m.format).toBe('rfc3164');
    expect(m.hostname).toBe('host');
    expect(m.appName).toBeUndefined();
    expect(m.message).toBe('just some text');
  });

  it('reads an IPv6 address as HOSTNAME', () => {
    const m = parseSyslog('<13>Mar  5 10:00:00 2001:db8::1 app: up', options);
    expect(m.hostname).toBe('2001:db8::1');
    expect(m.appName).toBe('app');
    expect(m.message).toBe('up');
  });

  it('reads a line without PRI (a file rsyslog wrote): no priority, severity or facility', () => {
    const m = parseSyslog('Mar  5 10:00:00 host cron[7]: job done', options);
    expect(m.format).toBe('rfc3164');
    expect(m.priority).toBeUndefined();
    expect(m.facility).toBeUndefined();
    expect(m.severity).toBeUndefined();
    expect(m.hostname).toBe('host');
    expect(m.appName).toBe('cron');
    expect(m.message).toBe('job done');
  });

  it('reads a message with PRI but no timestamp as MSG (RFC 3164 section 4.3.3)', () => {
    const m = parseSyslog('<13>sshd[5]: hello', options);
    expect(m.format).toBe('rfc3164');
    expect(m.timestamp).toBeUndefined();
    expect(m.hostname).toBeUndefined();
    expect(m.appName).toBe('sshd');
    expect(m.procId).toBe('5');
    expect(m.message).toBe('hello');
  });

  it('reads an RFC 3339 timestamp in BSD layout (rsyslog forward format, syslog-ng loggen)', () => {
    const m = parseSyslog('<38>2024-01-02T03:04:05.123+01:00 host tag: msg', options);
    expect(m.format).toBe('rfc3164');
    expect(m.timestamp).toBe(ns('2024-01-02T02:04:05.123Z'));
    expect(m.hostname).toBe('host');
    expect(m.appName).toBe('tag');
    expect(m.message).toBe('msg');
    const loggen = parseSyslog(
      '<38>2024-03-05T10:00:00+00:00 localhost prg00000[1234]: seq: 0000000001, thread: 0000, runid: 1709632800, stamp: 2024-03-05T10:00:00 PADDPADDPADD',
      options,
    );
    expect(loggen.timestamp).toBe(ns('2024-03-05T10:00:00Z'));
    expect(loggen.hostname).toBe('localhost');
    expect(loggen.appName).toBe('prg00000');
    expect(loggen.procId).toBe('1234');
    expect(loggen.message).toBe('seq: 0000000001, thread: 0000, runid: 1709632800, stamp: 2024-03-05T10:00:00 PADDPADDPADD');
  });

  it('reads fractional seconds in a BSD timestamp', () => {
    const m = parseSyslog('<13>Mar  5 10:00:00.250 host app: x', options);
    expect(m.timestamp).toBe(ns('2024-03-05T10:00:00.250Z'));
  });

  it('reads timestamps without offset in options.timeZone, through DST changes', () => {
    const winter = parseSyslog('<13>Jan 15 12:00:00 host app: x', { ...options, timeZone: 'Europe/Berlin' });
    expect(winter.timestamp).toBe(ns('2024-01-15T11:00:00Z'));
    const summer = parseSyslog('<13>Jul 15 12:00:00 host app: x', { ...options, timeZone: 'Europe/Berlin', receivedAtMs: Date.UTC(2024, 6, 15) });
    expect(summer.timestamp).toBe(ns('2024-07-15T10:00:00Z'));
    const newYork = parseSyslog('<13>Mar  5 07:00:00 host app: x', { ...options, timeZone: 'America/New_York' });
    expect(newYork.timestamp).toBe(ns('2024-03-05T12:00:00Z'));
  });

  it('infers the year closest to reception: Dec 31 received on Jan 1 is last year', () => {
    const m = parseSyslog('<13>Dec 31 23:59:59 host app: x', { ...options, receivedAtMs: Date.UTC(2025, 0, 1, 0, 0, 5) });
    expect(m.timestamp).toBe(ns('2024-12-31T23:59:59Z'));
  });

  it('infers the year closest to reception: Jan 1 received on Dec 31 (sender clock ahead) is next year', () => {
    const m = parseSyslog('<13>Jan  1 00:00:01 host app: x', { ...options, receivedAtMs: Date.UTC(2024, 11, 31, 23, 59, 59) });
    expect(m.timestamp).toBe(ns('2025-01-01T00:00:01Z'));
  });

  it('infers the year in the configured zone, not in UTC', () => {
    // 00:30 on Jan 1 in Berlin is still Dec 31 in UTC; received seconds later it is this year.
    const m = parseSyslog('<13>Jan  1 00:30:00 host app: x', { ...options, timeZone: 'Europe/Berlin', receivedAtMs: Date.UTC(2024, 11, 31, 23, 30, 10) });
    expect(m.timestamp).toBe(ns('2024-12-31T23:30:00Z'));
  });

  it('puts Feb 29 in the nearest leap year', () => {
    const m = parseSyslog('<13>Feb 29 12:00:00 host app: x', { ...options, receivedAtMs: Date.UTC(2025, 0, 10) });
    expect(m.timestamp).toBe(ns('2024-02-29T12:00:00Z'));
  });

  it('with protocol rfc3164, reads "<13>1 ..." as BSD content rather than RFC 5424', () => {
    const m = parseSyslog('<13>1 2024-03-05T10:00:00Z h a - - - x', { ...options, protocol: 'rfc3164' });
    expect(m.format).toBe('rfc3164');
    expect(m.version).toBeUndefined();
    expect(m.message).toBe('1 2024-03-05T10:00:00Z h a - - - x');
  });

  it.each([
    ['', 'empty message'],
    ['\n', 'empty message'],
    ['just text', 'neither PRI nor timestamp: not a syslog message'],
    ['<192>Mar  5 10:00:00 host app: x', 'invalid PRI: "<" must be followed by 1-3 digits (0-191) and ">"'],
    ['<1x>hello', 'invalid PRI: "<" must be followed by 1-3 digits (0-191) and ">"'],
    ['<>hello', 'invalid PRI: "<" must be followed by 1-3 digits (0-191) and ">"'],
    ['<1234>hello', 'invalid PRI: "<" must be followed by 1-3 digits (0-191) and ">"'],
    ['<13>Feb 30 10:00:00 host app: x', 'timestamp names a day that does not exist'],
  ])('reports %j as unparsed: %s', (text, error) => {
    const m = parseSyslog(text, options);
    expect(m.format).toBe('unknown');
    expect(m.parseError).toBe(error);
    expect(m.message).toBe(m.original);
    expect(m.timestamp).toBeUndefined();
  });

  it('reads "Mar  5 10:00:00x" as no timestamp: the text is MSG', () => {
    const m = parseSyslog('<13>Mar  5 10:00:00x y', options);
    expect(m.format).toBe('rfc3164');
    expect(m.timestamp).toBeUndefined();
    expect(m.message).toBe('Mar  5 10:00:00x y');
  });

  it('keeps a sequence-number-like start as text when no Cisco code follows', () => {
    const m = parseSyslog('<13>123: hello', options);
    expect(m.format).toBe('rfc3164');
    expect(m.fields).toEqual([]);
    expect(m.appName).toBe('123');
    expect(m.message).toBe('hello');
  });
});
