import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../src/wire/syslog/parse-syslog.js';
import type { SyslogParseOptions } from '../../../src/wire/syslog/syslog-message.js';
import { EventCode, scanCiscoEventCode } from '../../../src/wire/syslog/vendor-cisco.js';
import { expectMessage } from './expect-message.js';

const options: SyslogParseOptions = { protocol: 'auto', receivedAtMs: Date.UTC(2024, 2, 5, 12, 0, 0), timeZone: 'UTC' };

// Lines from Cisco's configuration guides and system message references (Catalyst "Configuring
// System Message Logging", NX-OS System Messages Reference, ASA CLI guide), with the PRI a device
// puts in front when it sends them to a syslog server.
describe('Cisco IOS / IOS-XE', () => {
  it('sequence number, "*" (clock not authoritative), msec and zone name', () => {
    expectMessage(parseSyslog('<189>123: *Mar  1 00:01:02.345 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down', options), {
      format: 'cisco',
      timestamp: '2024-03-01T00:01:02.345Z',
      hostname: undefined,
      vendor: 'cisco',
      mnemonic: 'LINK-3-UPDOWN',
      severity: 5, // PRI's severity wins over the code's (documented)
      message: 'Interface GigabitEthernet0/1, changed state to down',
      fields: [
        ['sequence', '123'],
        ['clock_status', 'unsynchronized'],
        ['timezone', 'UTC'],
      ],
    });
  });

  it('datetime with msec and zone (Catalyst guide)', () => {
    expectMessage(parseSyslog('<189>*Mar 1 18:48:50.483 UTC: %SYS-5-CONFIG_I: Configured from console by vty2 (10.34.195.36)', options), {
      format: 'cisco',
      timestamp: '2024-03-01T18:48:50.483Z',
      hostname: undefined,
      vendor: 'cisco',
      mnemonic: 'SYS-5-CONFIG_I',
      severity: 5,
      message: 'Configured from console by vty2 (10.34.195.36)',
      fields: [
        ['clock_status', 'unsynchronized'],
        ['timezone', 'UTC'],
      ],
    });
  });

  it('datetime without msec or zone: read in the configured zone', () => {
    expectMessage(parseSyslog('<189>*Mar 1 18:46:11: %SYS-5-CONFIG_I: Configured from console by vty2 (10.34.195.36)', { ...options, timeZone: 'America/Los_Angeles' }), {
      format: 'cisco',
      timestamp: '2024-03-02T02:46:11Z',
      hostname: undefined,
      vendor: 'cisco',
      mnemonic: 'SYS-5-CONFIG_I',
      severity: 5,
      message: 'Configured from console by vty2 (10.34.195.36)',
      fields: [['clock_status', 'unsynchronized']],
    });
  });

  it('uptime stamp: no event time, the uptime kept as a field', () => {
    expectMessage(parseSyslog('<187>00:00:46: %LINK-3-UPDOWN: Interface Port-channel1, changed state to up', options), {
      format: 'cisco',
      timestamp: undefined,
      hostname: undefined,
      vendor: 'cisco',
      mnemonic: 'LINK-3-UPDOWN',
      severity: 3,
      message: 'Interface Port-channel1, changed state to up',
      fields: [['uptime', '00:00:46']],
    });
    const long = parseSyslog('<189>1d02h: %SYS-5-CONFIG_I: Configured from console by console', options);
    expect(long.fields).toEqual([['uptime', '1d02h']]);
    expect(long.mnemonic).toBe('SYS-5-CONFIG_I');
  });

  it('"." marker (clock lost sync), PST with its offset, and a line without PRI', () => {
    expectMessage(parseSyslog('42: .Mar  5 02:00:00.007 PST: %LINEPROTO-5-UPDOWN: Line protocol on Interface Vlan1, changed state to down', options), {
      format: 'cisco',
      timestamp: '2024-03-05T10:00:00.007Z',
      hostname: undefined,
      vendor: 'cisco',
      mnemonic: 'LINEPROTO-5-UPDOWN',
      severity: 5,
      message: 'Line protocol on Interface Vlan1, changed state to down',
      fields: [
        ['sequence', '42'],
        ['clock_status', 'sync_lost'],
        ['timezone', 'PST'],
      ],
    });
  });

  it('an unknown zone name is kept as a field and the configured zone is used', () => {
    const m = parseSyslog('<189>7: Mar  5 11:00:00.000 MYTZ: %SYS-5-CONFIG_I: Configured from console', { ...options, timeZone: 'Europe/Paris' });
    expect(m.timestamp).toBe(BigInt(Date.parse('2024-03-05T10:00:00Z')) * 1_000_000n);
    expect(m.fields).toEqual([
      ['sequence', '7'],
      ['timezone', 'MYTZ'],
    ]);
  });

  it('host name before the sequence number (a relay or origin-id)', () => {
    expectMessage(parseSyslog('<189>router1: 123: *Mar  1 00:01:02.345 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down', options), {
      format: 'cisco',
      timestamp: '2024-03-01T00:01:02.345Z',
      hostname: 'router1',
      vendor: 'cisco',
      mnemonic: 'LINK-3-UPDOWN',
      severity: 5,
      message: 'Interface GigabitEthernet0/1, changed state to down',
    });
    const afterSequence = parseSyslog('<189>123: router1: *Mar  1 00:01:02.345 UTC: %LINK-3-UPDOWN: x', options);
    expect(afterSequence.hostname).toBe('router1');
    expect(afterSequence.fields[0]).toEqual(['sequence', '123']);
  });

  it('a relay BSD header in front: the device stamp wins over the relay stamp', () => {
    expectMessage(parseSyslog('<189>Mar  1 00:01:09 10.0.0.1 123: *Mar  1 00:01:02.345 UTC: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down', options), {
      format: 'cisco',
      timestamp: '2024-03-01T00:01:02.345Z',
      hostname: '10.0.0.1',
      vendor: 'cisco',
      mnemonic: 'LINK-3-UPDOWN',
      severity: 5,
      message: 'Interface Gi0/1, changed state to down',
      fields: [
        ['sequence', '123'],
        ['clock_status', 'unsynchronized'],
        ['timezone', 'UTC'],
      ],
    });
  });

  it('IOS-XR code with a sub-facility and " : "', () => {
    const code = new EventCode();
    const text = '%PKT_INFRA-LINK-3-UPDOWN : Interface TenGigE0/2/0/4, changed state to Up';
    const after = scanCiscoEventCode(text, 0, code);
    expect(text.slice(code.start, code.end)).toBe('PKT_INFRA-LINK-3-UPDOWN');
    expect(code.severity).toBe(3);
    expect(text.slice(after)).toBe('Interface TenGigE0/2/0/4, changed state to Up');
  });

  it.each(['%LINK-UPDOWN: x', '%LINK-9-UPDOWN: x', '%LINK-3-UPDOWN x', '% LINK-3-UPDOWN: x', '%-3-UPDOWN: x', '%LINK-3-: x'])(
    'does not take %j as an event code',
    (text) => {
      expect(scanCiscoEventCode(text, 0, new EventCode())).toBe(-1);
    },
  );
});

describe('Cisco NX-OS', () => {
  it('year-first timestamp and host (resident format)', () => {
    expectMessage(parseSyslog('<189>2024 Mar  5 10:00:00 switch %ETHPORT-5-IF_DOWN_LINK_FAILURE: Interface Ethernet1/1 is down (Link failure)', options), {
      format: 'cisco',
      timestamp: '2024-03-05T10:00:00Z',
      hostname: 'switch',
      vendor: 'cisco',
      mnemonic: 'ETHPORT-5-IF_DOWN_LINK_FAILURE',
      severity: 5,
      message: 'Interface Ethernet1/1 is down (Link failure)',
      fields: [],
    });
  });

  it('remote-logging format: the server stamp and switch address, then the switch stamp with zone', () => {
    expectMessage(
      parseSyslog('<187>sep 21 11:09:50 172.22.22.45 : 2005 Sep 04 18:18:22 UTC: %AUTHPRIV-3-SYSTEM_MSG: ttyS1: togetattr: Input/output error - getty[28224]', options),
      {
        format: 'cisco',
        timestamp: '2005-09-04T18:18:22Z',
        hostname: '172.22.22.45',
        vendor: 'cisco',
        mnemonic: 'AUTHPRIV-3-SYSTEM_MSG',
        severity: 3,
        message: 'ttyS1: togetattr: Input/output error - getty[28224]',
        fields: [['timezone', 'UTC']],
      },
    );
  });

  it('BSD timestamp and switch name (System Messages Reference example)', () => {
    expectMessage(parseSyslog('<189>Nov 1 14:07:58 excal-113 %MODULE-5-MOD_OK: Module 1 is online', options), {
      format: 'cisco',
      timestamp: '2023-11-01T14:07:58Z',
      hostname: 'excal-113',
      vendor: 'cisco',
      mnemonic: 'MODULE-5-MOD_OK',
      severity: 5,
      message: 'Module 1 is online',
    });
  });

  it('the ": " NX-OS puts after PRI', () => {
    expectMessage(parseSyslog('<187>: 2016 Jan 27 18:37:51 UTC: %ETHPORT-5-IF_DOWN_ADMIN_DOWN: Interface Ethernet1/1 is down (Administratively down)', options), {
      format: 'cisco',
      timestamp: '2016-01-27T18:37:51Z',
      hostname: undefined,
      vendor: 'cisco',
      mnemonic: 'ETHPORT-5-IF_DOWN_ADMIN_DOWN',
      severity: 3,
      message: 'Interface Ethernet1/1 is down (Administratively down)',
    });
  });
});

describe('Cisco ASA', () => {
  it('106023 without timestamp (logging timestamp off)', () => {
    expectMessage(
      parseSyslog('<164>%ASA-4-106023: Deny tcp src outside:192.0.2.10/51234 dst inside:10.1.1.5/443 by access-group "outside_access_in" [0x0, 0x0]', options),
      {
        format: 'cisco',
        timestamp: undefined,
        hostname: undefined,
        vendor: 'cisco',
        mnemonic: 'ASA-4-106023',
        severity: 4,
        message: 'Deny tcp src outside:192.0.2.10/51234 dst inside:10.1.1.5/443 by access-group "outside_access_in" [0x0, 0x0]',
        fields: [],
      },
    );
  });

  it('106100 with the ASA timestamp (year after day) ending in ":"', () => {
    expectMessage(
      parseSyslog('<167>Mar 05 2024 10:00:00: %ASA-7-106100: access-list outside-acl permitted tcp outside/1.1.1.1(12345) -> inside/192.168.1.1(1357) hit-cnt 1 (first hit)', options),
      {
        format: 'cisco',
        timestamp: '2024-03-05T10:00:00Z',
        hostname: undefined,
        vendor: 'cisco',
        mnemonic: 'ASA-7-106100',
        severity: 7,
        message: 'access-list outside-acl permitted tcp outside/1.1.1.1(12345) -> inside/192.168.1.1(1357) hit-cnt 1 (first hit)',
      },
    );
  });

  it('logging device-id hostname: "host : %ASA-..."', () => {
    expectMessage(
      parseSyslog('<162>Mar 05 2024 10:05:00 fw01 : %ASA-2-106100: access-list outside-acl denied ip outside/3.3.3.3(12345) -> inside/192.168.1.1(1357) hit-cnt 21 (300-second interval)', options),
      {
        format: 'cisco',
        timestamp: '2024-03-05T10:05:00Z',
        hostname: 'fw01',
        vendor: 'cisco',
        mnemonic: 'ASA-2-106100',
        severity: 2,
        message: 'access-list outside-acl denied ip outside/3.3.3.3(12345) -> inside/192.168.1.1(1357) hit-cnt 21 (300-second interval)',
      },
    );
  });

  it('takes the severity from the code when the line has no PRI', () => {
    const m = parseSyslog('%ASA-6-302013: Built inbound TCP connection 1 for outside:192.0.2.1/5000 (192.0.2.1/5000) to inside:10.0.0.1/80 (10.0.0.1/80)', options);
    expect(m.priority).toBeUndefined();
    expect(m.severity).toBe(6);
    expect(m.mnemonic).toBe('ASA-6-302013');
  });
});
