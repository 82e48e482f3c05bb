import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../src/wire/syslog/parse-syslog.js';
import type { SyslogParseOptions } from '../../../src/wire/syslog/syslog-message.js';
import { expectMessage } from './expect-message.js';

const options: SyslogParseOptions = { protocol: 'auto', receivedAtMs: Date.UTC(2024, 2, 5, 12, 0, 0), timeZone: 'UTC' };

// Arista EOS lines: napalm-logs' EOS documentation (Ebra, Rib) and an LLDP line in EOS's layout.
describe('Arista EOS', () => {
  it('agent name as TAG, then a Cisco-style code: LINEPROTO', () => {
    expectMessage(parseSyslog('<165>Feb  6 09:42:36 veos01 Ebra: %LINEPROTO-5-UPDOWN: Line protocol on Interface Ethernet28, changed state to down', options), {
      format: 'arista',
      timestamp: '2024-02-06T09:42:36Z',
      hostname: 'veos01',
      appName: 'Ebra',
      vendor: 'arista',
      mnemonic: 'LINEPROTO-5-UPDOWN',
      severity: 5,
      message: 'Line protocol on Interface Ethernet28, changed state to down',
      fields: [],
    });
  });

  it('BGP notification from Rib (trailing space kept)', () => {
    expectMessage(
      parseSyslog('<149>Apr 16 11:04:17 edge01 Rib: %BGP-3-NOTIFICATION: received from neighbor (AS 2611) 6/1 (Cease/maximum number of prefixes reached) 0 bytes ', options),
      {
        format: 'arista',
        timestamp: '2024-04-16T11:04:17Z',
        hostname: 'edge01',
        appName: 'Rib',
        vendor: 'arista',
        mnemonic: 'BGP-3-NOTIFICATION',
        severity: 5,
        message: 'received from neighbor (AS 2611) 6/1 (Cease/maximum number of prefixes reached) 0 bytes ',
      },
    );
  });

  it('LLDP neighbour from a log file (no PRI): severity from the code', () => {
    expectMessage(
      parseSyslog('Mar  5 09:30:12 leaf1 Lldp: %LLDP-5-NEIGHBOR_NEW: LLDP neighbor with chassisId 5254.0012.3456 and portId "Ethernet1" added on interface Ethernet1', options),
      {
        format: 'arista',
        timestamp: '2024-03-05T09:30:12Z',
        hostname: 'leaf1',
        appName: 'Lldp',
        vendor: 'arista',
        mnemonic: 'LLDP-5-NEIGHBOR_NEW',
        severity: 5,
        message: 'LLDP neighbor with chassisId 5254.0012.3456 and portId "Ethernet1" added on interface Ethernet1',
      },
    );
  });

  it('agent with a PID', () => {
    const m = parseSyslog('<187>Mar  5 09:30:12 leaf1 Stp[2093]: %SPANTREE-3-ERRDISABLE: x', options);
    expect(m.format).toBe('arista');
    expect(m.appName).toBe('Stp');
    expect(m.procId).toBe('2093');
    expect(m.mnemonic).toBe('SPANTREE-3-ERRDISABLE');
  });
});

describe('parseSyslog', () => {
  it('tells formats apart per message with protocol auto', () => {
    const formats = [
      '<13>1 - h a - - - x',
      '<13>Mar  5 10:00:00 h a: x',
      '<189>1: *Mar  5 10:00:00: %SYS-5-CONFIG_I: x',
      '<188>Mar  5 2024 10:00:00 H %%01A/4/B(l):x',
      '<13>Mar  5 10:00:00 h mgd[1]: UI_COMMIT: x',
      '<13>Mar  5 10:00:00 h Ebra: %LINEPROTO-5-UPDOWN: x',
      '<13>a=1 b=2',
      'nonsense',
    ].map((t) => parseSyslog(t, options).format);
    expect(formats).toEqual(['rfc5424', 'rfc3164', 'cisco', 'huawei', 'juniper', 'arista', 'keyvalue', 'unknown']);
  });

  it('returns a message of the same shape for every input', () => {
    const keys = Object.keys(parseSyslog('<13>1 - h a - - - x', options));
    expect(Object.keys(parseSyslog('garbage', options))).toEqual(keys);
    expect(Object.keys(parseSyslog('<13>a=1 b=2', options))).toEqual(keys);
  });

  it('never throws, whatever the bytes (random and truncated inputs)', () => {
    const seeds = [
      '<13>1 2024-03-05T10:00:00.123456+01:00 host app 12 ID [a@1 b="c\\"d" e="f"][g@2] msg',
      '<189>123: *Mar  1 00:01:02.345 UTC: %LINK-3-UPDOWN: Interface Gi0/1, changed state to down',
      '<188>Mar  5 2024 10:00:00+07:00 HUAWEI %%01CLI/5/LOGIN(l)[3]:VS=A-CID=1;text',
      '<189>date=2024-03-05 time=10:00:00 tz="+0100" devid=FG1 logid=1 msg="x \\" y"',
      '<13>Jan  1 00:00:01 host tag[1]: x',
    ];
    let state = 42;
    const random = (n: number): number => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state % n;
    };
    const alphabet = '<>[]"\\=:%*. -+0123456789TZabcMarJanDec/()\uFEFF\n';
    let parsed = 0;
    for (const seed of seeds) {
      for (let cut = 0; cut <= seed.length; cut++) {
        const m = parseSyslog(seed.slice(0, cut), options);
        expect(m.original.length).toBeLessThanOrEqual(cut);
        parsed++;
      }
      for (let k = 0; k < 400; k++) {
        const chars = seed.split('');
        for (let e = 0; e < 3; e++) chars[random(chars.length)] = alphabet[random(alphabet.length)]!;
        const m = parseSyslog(chars.join(''), options);
        if (m.format === 'unknown') {
          expect(m.parseError).toBeTypeOf('string');
          // A scanner that throws is a bug even though parseSyslog catches it.
          expect(m.parseError).not.toMatch(/^parser failure/);
          expect(m.message).toBe(m.original);
        } else {
          expect(m.parseError).toBeUndefined();
        }
        parsed++;
      }
    }
    expect(parsed).toBeGreaterThan(2000);
  });

  it('reads an unknown time zone name as UTC instead of failing', () => {
    const m = parseSyslog('<13>Mar  5 10:00:00 h a: x', { ...options, timeZone: 'Not/AZone' });
    expect(m.timestamp).toBe(BigInt(Date.parse('2024-03-05T10:00:00Z')) * 1_000_000n);
  });
});
