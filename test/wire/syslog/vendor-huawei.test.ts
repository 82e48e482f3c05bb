import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../src/wire/syslog/parse-syslog.js';
import type { SyslogParseOptions } from '../../../src/wire/syslog/syslog-message.js';
import { HuaweiCode, scanHuaweiCode } from '../../../src/wire/syslog/vendor-huawei.js';
import { expectMessage } from './expect-message.js';

const options: SyslogParseOptions = { protocol: 'auto', receivedAtMs: Date.UTC(2024, 2, 5, 12, 0, 0), timeZone: 'UTC' };

// Lines from Huawei's log references and configuration guides (VRP5 "date" format, VRP8 ISO
// format with CID, the "+hh:mm" zone format), the WLAN line of OpenTelemetry Collector issue
// #33344 and an old Quidway line.
describe('Huawei VRP', () => {
  it('"%%01" code with year after the day', () => {
    expectMessage(
      parseSyslog(
        '<188>Mar  5 2024 10:00:00 HUAWEI %%01IFNET/4/LINK_STATE(l)[0]:The line protocol IP on the interface GigabitEthernet0/0/1 has entered the DOWN state.',
        options,
      ),
      {
        format: 'huawei',
        timestamp: '2024-03-05T10:00:00Z',
        hostname: 'HUAWEI',
        vendor: 'huawei',
        mnemonic: 'IFNET/4/LINK_STATE',
        severity: 4,
        message: 'The line protocol IP on the interface GigabitEthernet0/0/1 has entered the DOWN state.',
        fields: [
          ['format_version', '01'],
          ['info_type', 'l'],
          ['sequence', '0'],
        ],
      },
    );
  });

  it('zone offset after the time', () => {
    expectMessage(parseSyslog('<189>Jan 8 2013 03:58:15+07:00 HUAWEI %%01HWCM/5/EXIT(l)[1]:exit from configure mode', options), {
      format: 'huawei',
      timestamp: '2013-01-07T20:58:15Z',
      hostname: 'HUAWEI',
      vendor: 'huawei',
      mnemonic: 'HWCM/5/EXIT',
      severity: 5,
      message: 'exit from configure mode',
      fields: [
        ['format_version', '01'],
        ['info_type', 'l'],
        ['sequence', '1'],
      ],
    });
  });

  it('VRP8 ISO timestamp and the CID prefix', () => {
    expectMessage(parseSyslog('<189>2011-08-18 18:08:56 HUAWEI %%01CLI/5/LOGIN(l):CID=2160731923;VTY0 login from 192.168.0.1 succeed.', options), {
      format: 'huawei',
      timestamp: '2011-08-18T18:08:56Z',
      hostname: 'HUAWEI',
      vendor: 'huawei',
      mnemonic: 'CLI/5/LOGIN',
      severity: 5,
      message: 'VTY0 login from 192.168.0.1 succeed.',
      fields: [
        ['format_version', '01'],
        ['info_type', 'l'],
        ['cid', '2160731923'],
      ],
    });
  });

  it('the VS-CID prefix of virtual systems', () => {
    const m = parseSyslog('<189>2024-03-05 10:00:00 NE40E %%01SHELL/5/CMDRECORD(s):VS=Admin-VS-CID=0x81d80404;Recorded command information.', options);
    expect(m.mnemonic).toBe('SHELL/5/CMDRECORD');
    expect(m.fields).toEqual([
      ['format_version', '01'],
      ['info_type', 's'],
      ['vs', 'Admin-VS'],
      ['cid', '0x81d80404'],
    ]);
    expect(m.message).toBe('Recorded command information.');
  });

  it('WLAN alarm without "%%" (collector issue #33344)', () => {
    expectMessage(
      parseSyslog(
        '<188>Oct  3 2024 13:19:33 Huawei WLAN/4/STATION_ONLINE_NOTIFY:OID 1.3.6.1.4.1.2011.6.139.2.1.1.46 The Station go online. (APID=0,Station  MAC=[7a.48.0d.83.2f.66 (hex)], AP Mac=[7c.d9.a0.10.e9.9e (hex)], Radio ID=1, Station Access Channel=149)',
        options,
      ),
      {
        format: 'huawei',
        timestamp: '2024-10-03T13:19:33Z',
        hostname: 'Huawei',
        vendor: 'huawei',
        mnemonic: 'WLAN/4/STATION_ONLINE_NOTIFY',
        severity: 4,
        message:
          'OID 1.3.6.1.4.1.2011.6.139.2.1.1.46 The Station go online. (APID=0,Station  MAC=[7a.48.0d.83.2f.66 (hex)], AP Mac=[7c.d9.a0.10.e9.9e (hex)], Radio ID=1, Station Access Channel=149)',
        fields: [],
      },
    );
  });

  it('old Quidway "hh:mm:ss:mmm yyyy" stamp', () => {
    expectMessage(parseSyslog('<188>Apr 9 17:28:50:524 2004 Quidway IFNET/5/UPDOWN:Line protocol on the interface Vlan-interface 2 is UP (SIP=10.5.1.5 ,SP=1080)', options), {
      format: 'huawei',
      timestamp: '2004-04-09T17:28:50.524Z',
      hostname: 'Quidway',
      vendor: 'huawei',
      mnemonic: 'IFNET/5/UPDOWN',
      severity: 4,
      message: 'Line protocol on the interface Vlan-interface 2 is UP (SIP=10.5.1.5 ,SP=1080)',
    });
  });

  it('spaces around the version, as manuals print it, and the code severity without PRI', () => {
    expectMessage(parseSyslog('Aug 6 2011 20:34:46 HUAWEI %% 01 HWCM/5/EXIT(l)[1]: exit from configure mode', options), {
      format: 'huawei',
      timestamp: '2011-08-06T20:34:46Z',
      hostname: 'HUAWEI',
      vendor: 'huawei',
      mnemonic: 'HWCM/5/EXIT',
      severity: 5,
      message: 'exit from configure mode',
    });
  });

  it('the information counter of a line from napalm-logs', () => {
    const m = parseSyslog('<188>Mar  5 10:00:00 sw1 %%01IFNET/4/IF_STATE(l)[8211]:Interface Ethernet0/0/48 has turned into UP state.', options);
    expect(m.mnemonic).toBe('IFNET/4/IF_STATE');
    expect(m.fields).toContainEqual(['sequence', '8211']);
    expect(m.message).toBe('Interface Ethernet0/0/48 has turned into UP state.');
  });

  it.each(['%%1IFNET/4/X:y', '%%01IFNET/9/X:y', '%%01IFNET/4/X y', '%%01/4/X:y', 'ifnet/4/X:y'])('does not take %j as a Huawei code', (text) => {
    expect(scanHuaweiCode(text, 0, new HuaweiCode())).toBe(-1);
  });
});
