import { describe, expect, it } from 'vitest';
import { looksLikeKeyValues } from '../../../src/wire/syslog/key-value.js';
import { parseSyslog } from '../../../src/wire/syslog/parse-syslog.js';
import type { SyslogParseOptions } from '../../../src/wire/syslog/syslog-message.js';
import { expectMessage } from './expect-message.js';

const options: SyslogParseOptions = { protocol: 'auto', receivedAtMs: Date.UTC(2024, 2, 5, 12, 0, 0), timeZone: 'UTC' };

// FortiGate lines as posted in syslog-ng issue #3535 and OpenTelemetry Collector issue #27871
// (both sent with "<189>" and no syslog header), a FortiOS event log sample from a SIEM's
// FortiGate documentation, and a Sophos firewall line from Collector issue #12485.
describe('key=value formats', () => {
  it('FortiGate traffic log: fields unquoted, time from date+time+tz, host from devname', () => {
    const text =
      '<189>date=2021-01-15 time=12:58:59 devname="FORTI_111" devid="FG100D3G12801312" logid="0001000014" type="traffic" subtype="local" level="notice" vd="root" eventtime=1610704739683510055 tz="+0300" srcip=91.234.154.139 srcname="91.234.154.139" srcport=45295 srcintf="wan1" srcintfrole="wan" dstip=213.59.243.9 dstname="213.59.243.9" dstport=46730 dstintf="unknown0" dstintfrole="undefined" sessionid=2364413215 proto=17 action="deny" policyid=0 policytype="local-in-policy" service="udp/46730" dstcountry="Russian Federation" srccountry="Russian Federation" trandisp="noop" app="udp/46730" duration=0 sentbyte=0 rcvdbyte=0 sentpkt=0 appcat="unscanned" crscore=5 craction=262144 crlevel="low"';
    const m = parseSyslog(text, options);
    expectMessage(m, {
      format: 'keyvalue',
      timestamp: '2021-01-15T09:58:59Z',
      hostname: 'FORTI_111',
      vendor: 'fortinet',
      mnemonic: '0001000014',
      severity: 5,
      // No msg= in a traffic log: the pairs themselves are the message.
      message: text.slice('<189>'.length),
    });
    expect(m.facility).toBe(23);
    expect(m.fields.length).toBe(39);
    expect(m.fields.slice(0, 5)).toEqual([
      ['date', '2021-01-15'],
      ['time', '12:58:59'],
      ['devname', 'FORTI_111'],
      ['devid', 'FG100D3G12801312'],
      ['logid', '0001000014'],
    ]);
    expect(m.fields).toContainEqual(['dstcountry', 'Russian Federation']);
    expect(m.fields).toContainEqual(['crlevel', 'low']);
  });

  it('FortiGate forward traffic with a negative tz', () => {
    const m = parseSyslog(
      '<189>date=2023-10-11 time=15:44:14 devname="FG81EPTK00000000" devid="FG81EPTK00000000" logid="0000000013" type="traffic" subtype="forward" level="notice" vd="root" eventtime=1697053455006125684 tz="-0400" srcip=192.168.13.16 srcport=123 srcintf="Kape" srcintfrole="lan" dstport=123 dstintf="wan1" dstintfrole="wan" sessionid=28068198 proto=17 action="accept" policyid=1 policytype="policy" service="NTP"',
      options,
    );
    expectMessage(m, {
      format: 'keyvalue',
      timestamp: '2023-10-11T19:44:14Z',
      hostname: 'FG81EPTK00000000',
      vendor: 'fortinet',
      mnemonic: '0000000013',
      severity: 5,
      message: m.original.slice(5),
    });
    expect(m.fields).toContainEqual(['service', 'NTP']);
  });

  it('FortiOS event log without PRI, devname or devid: severity from level, message from msg', () => {
    const m = parseSyslog(
      'date=2019-05-13 time=11:20:54 logid="0100032001" type="event" subtype="system" level="information" vd="vdom1" eventtime=1557771654587081441 logdesc="Admin login successful" sn="1557771654" user="admin" ui="ssh(172.16.200.254)" method="ssh" srcip=172.16.200.254 dstip=172.16.200.2 action="login" status="success" reason="none" profile="super_admin" msg="Administrator admin logged in successfully from ssh(172.16.200.254)"',
      options,
    );
    expectMessage(m, {
      format: 'keyvalue',
      timestamp: '2019-05-13T11:20:54Z',
      hostname: undefined,
      vendor: 'fortinet',
      mnemonic: '0100032001',
      severity: 6,
      message: 'Administrator admin logged in successfully from ssh(172.16.200.254)',
    });
    expect(m.priority).toBeUndefined();
    expect(m.fields).toContainEqual(['logdesc', 'Admin login successful']);
  });

  it('unquoted FortiGate values and the configured zone when there is no tz', () => {
    const m = parseSyslog(
      '<189>date=2024-03-05 time=10:00:00 devname=FGT60E devid=FGT60E4Q16000000 logid=0100032001 type=event subtype=system level=information vd=root msg="Administrator admin logged in"',
      { ...options, timeZone: 'Asia/Tokyo' },
    );
    expectMessage(m, {
      format: 'keyvalue',
      timestamp: '2024-03-05T01:00:00Z',
      hostname: 'FGT60E',
      vendor: 'fortinet',
      mnemonic: '0100032001',
      severity: 5,
      message: 'Administrator admin logged in',
    });
  });

  it('Sophos: generic key=value, RFC 3339 timestamp=, device_name as host, log_id as code', () => {
    const m = parseSyslog(
      '<30>device_name="SFW" timestamp="2022-07-15T10:03:08+0200" device_model="XG111" device_serial_id="CCCCCCCCCCCC" log_id="010101600001" log_type="Firewall" log_component="Firewall Rule" log_subtype="Allowed" log_version=1 severity="Information" fw_rule_id="56"',
      options,
    );
    expectMessage(m, {
      format: 'keyvalue',
      timestamp: '2022-07-15T08:03:08Z',
      hostname: 'SFW',
      vendor: undefined,
      mnemonic: '010101600001',
      severity: 6,
      message: m.original.slice(4),
    });
    expect(m.fields).toContainEqual(['log_component', 'Firewall Rule']);
  });

  it('key=value after a BSD header keeps the header host and takes the fields', () => {
    const m = parseSyslog('<134>Mar  5 10:00:00 fw01 date=2024-03-05 time=09:59:59 logid=1 action="deny"', options);
    expect(m.format).toBe('keyvalue');
    expect(m.hostname).toBe('fw01');
    expect(m.timestamp).toBe(BigInt(Date.parse('2024-03-05T09:59:59Z')) * 1_000_000n);
    expect(m.fields).toEqual([
      ['date', '2024-03-05'],
      ['time', '09:59:59'],
      ['logid', '1'],
      ['action', 'deny'],
    ]);
  });

  it('key=value after a TAG keeps the program name', () => {
    const m = parseSyslog('<134>Mar  5 10:00:00 fw01 filterlog[42]: rule=5 act=block', options);
    expect(m.format).toBe('keyvalue');
    expect(m.appName).toBe('filterlog');
    expect(m.procId).toBe('42');
    expect(m.fields).toEqual([
      ['rule', '5'],
      ['act', 'block'],
    ]);
    expect(m.message).toBe('rule=5 act=block');
  });

  it('resolves \\" inside quoted values and joins words an unquoted value spills into', () => {
    const m = parseSyslog('<14>a=1 q="say \\"hi\\"" msg=link went down', options);
    expect(m.fields).toEqual([
      ['a', '1'],
      ['q', 'say "hi"'],
      ['msg', 'link went down'],
    ]);
    expect(m.message).toBe('link went down');
  });

  it('needs two pairs', () => {
    expect(looksLikeKeyValues('a=1 b=2', 0)).toBe(true);
    expect(looksLikeKeyValues('a="x y" b=2', 0)).toBe(true);
    expect(looksLikeKeyValues('a=1 then text', 0)).toBe(false);
    expect(looksLikeKeyValues('a=1', 0)).toBe(false);
    expect(looksLikeKeyValues('=1 b=2', 0)).toBe(false);
  });
});
