import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../src/wire/syslog/parse-syslog.js';
import type { SyslogParseOptions } from '../../../src/wire/syslog/syslog-message.js';
import { hasJunosStructuredData, scanJunosEventTag } from '../../../src/wire/syslog/vendor-juniper.js';
import { expectMessage } from './expect-message.js';

const options: SyslogParseOptions = { protocol: 'auto', receivedAtMs: Date.UTC(2024, 2, 5, 12, 0, 0), timeZone: 'UTC' };

// Lines from the Junos System Log Messages Reference and Junos security guides.
describe('Juniper Junos', () => {
  it('structured-data format: MSGID is the event tag, junos@2636 SD kept', () => {
    const m = parseSyslog(
      '<165>1 2007-02-15T09:17:15.719Z router1 mgd 3046 UI_DBASE_LOGOUT_EVENT [junos@2636.1.1.1.2.18 username="regress"] User \'regress\' exiting configuration mode',
      options,
    );
    expectMessage(m, {
      format: 'juniper',
      timestamp: '2007-02-15T09:17:15.719Z',
      hostname: 'router1',
      appName: 'mgd',
      procId: '3046',
      vendor: 'juniper',
      mnemonic: 'UI_DBASE_LOGOUT_EVENT',
      severity: 5,
      message: "User 'regress' exiting configuration mode",
      fields: [],
    });
    expect(m.version).toBe(1);
    expect(m.msgId).toBe('UI_DBASE_LOGOUT_EVENT');
    expect(m.structuredData).toEqual([{ id: 'junos@2636.1.1.1.2.18', params: [['username', 'regress']] }]);
  });

  it('structured-data "brief" format (no English text) and an offset timestamp', () => {
    const m = parseSyslog('<165>1 2007-02-15T01:17:15.719-08:00 router1 mgd 3046 UI_DBASE_LOGOUT_EVENT [junos@2636.1.1.1.2.18 username="regress"]', options);
    expectMessage(m, {
      format: 'juniper',
      timestamp: '2007-02-15T09:17:15.719Z',
      hostname: 'router1',
      appName: 'mgd',
      procId: '3046',
      vendor: 'juniper',
      mnemonic: 'UI_DBASE_LOGOUT_EVENT',
      severity: 5,
      message: '',
    });
  });

  it('standard format from a log file (no PRI): UI_LOGIN_EVENT', () => {
    expectMessage(
      parseSyslog("Feb 27 02:33:04 bm-a mgd[6520]: UI_LOGIN_EVENT: User 'security-officer' login, class 'j-super-user' [6520], ssh-connection '', client-mode 'cli'", options),
      {
        format: 'juniper',
        timestamp: '2024-02-27T02:33:04Z',
        hostname: 'bm-a',
        appName: 'mgd',
        procId: '6520',
        vendor: 'juniper',
        mnemonic: 'UI_LOGIN_EVENT',
        severity: undefined,
        message: "User 'security-officer' login, class 'j-super-user' [6520], ssh-connection '', client-mode 'cli'",
        fields: [],
      },
    );
  });

  it('standard format over syslog: UI_CFG_AUDIT_SET_SECRET', () => {
    expectMessage(parseSyslog("<190>Jul 24 17:43:28 router1 mgd[4163]: UI_CFG_AUDIT_SET_SECRET: User 'admin' set: [system radius-server 1.2.3.4 secret]", options), {
      format: 'juniper',
      timestamp: '2024-07-24T17:43:28Z', // closer to reception (Mar 5 2024) than 2023-07-24
      hostname: 'router1',
      appName: 'mgd',
      procId: '4163',
      vendor: 'juniper',
      mnemonic: 'UI_CFG_AUDIT_SET_SECRET',
      severity: 6,
      message: "User 'admin' set: [system radius-server 1.2.3.4 secret]",
    });
  });

  it('UI_COMMIT and SNMP_TRAP_LINK_DOWN', () => {
    expectMessage(parseSyslog("<189>Mar  5 10:00:00 router1 mgd[1234]: UI_COMMIT: User 'admin' requested 'commit' operation", options), {
      format: 'juniper',
      timestamp: '2024-03-05T10:00:00Z',
      hostname: 'router1',
      appName: 'mgd',
      procId: '1234',
      vendor: 'juniper',
      mnemonic: 'UI_COMMIT',
      severity: 5,
      message: "User 'admin' requested 'commit' operation",
    });
    expectMessage(
      parseSyslog('<28>Mar  5 10:01:00 router1 mib2d[1551]: SNMP_TRAP_LINK_DOWN: ifIndex 539, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/0', options),
      {
        format: 'juniper',
        timestamp: '2024-03-05T10:01:00Z',
        hostname: 'router1',
        appName: 'mib2d',
        procId: '1551',
        vendor: 'juniper',
        mnemonic: 'SNMP_TRAP_LINK_DOWN',
        severity: 4,
        message: 'ifIndex 539, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/0',
      },
    );
  });

  it('time-format year millisecond', () => {
    const m = parseSyslog("<189>Mar  5 2024 10:00:00.123 router1 mgd[1234]: UI_COMMIT: User 'admin' requested 'commit' operation", options);
    expect(m.timestamp).toBe(BigInt(Date.parse('2024-03-05T10:00:00.123Z')) * 1_000_000n);
    expect(m.mnemonic).toBe('UI_COMMIT');
  });

  it('does not take capitalised words without "_" as event tags', () => {
    const m = parseSyslog('<11>Mar  5 10:00:00 host app[1]: ERROR: disk full', options);
    expect(m.format).toBe('rfc3164');
    expect(m.vendor).toBeUndefined();
    expect(m.message).toBe('ERROR: disk full');
    expect(scanJunosEventTag('UI_COMMIT: x', 0)).toBe(9);
    expect(scanJunosEventTag('UI_COMMIT:x', 0)).toBe(-1);
    expect(scanJunosEventTag('UI__X: x', 0)).toBe(-1);
    expect(scanJunosEventTag('UI_: x', 0)).toBe(-1);
    expect(scanJunosEventTag('ui_commit: x', 0)).toBe(-1);
  });

  it('recognises Juniper SD by its enterprise number only', () => {
    expect(hasJunosStructuredData([{ id: 'junos@2636.1.1.1.2.18', params: [] }])).toBe(true);
    expect(hasJunosStructuredData([{ id: 'origin', params: [] }, { id: 'junos@2636', params: [] }])).toBe(true);
    expect(hasJunosStructuredData([{ id: 'meta@26360', params: [] }])).toBe(false);
  });
});
