import snmp from 'net-snmp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { int, str } from '../../../src/model/attributes.js';
import type { AnyValue } from '../../../src/model/attributes.js';
import { SeverityNumber } from '../../../src/model/log-record.js';
import type { LogRecord } from '../../../src/model/log-record.js';
import { nowNanos } from '../../../src/model/time.js';
import { snmptrapReceiverFactory } from '../../../src/receivers/snmptrap/factory.js';
import { freePort, waitFor } from '../../helpers/net.js';
import { startService } from '../../helpers/service-harness.js';
import type { Harness } from '../../helpers/service-harness.js';
import { runTool, TEST_MIB_DIR } from './snmp-tools.js';

// Real senders (Net-SNMP's snmptrap and snmpinform) against a real corrgate with the snmptrap
// receiver feeding a logs pipeline into `capture`; every record is checked attribute by attribute.

const ENGINE_ID = '8000b98380c0ffee0000000000000001';
const SENDER_ENGINE_ID = '0x80001f8880aabbccdd00000001';

interface Arrived {
  readonly resource: Record<string, AnyValue>;
  readonly attributes: Record<string, AnyValue>;
  readonly record: LogRecord;
  readonly scope: string;
}

let h: Harness;
let port: number;
let taken = 0;
const target = () => `127.0.0.1:${port}`;

function arrived(): Arrived[] {
  const out: Arrived[] = [];
  for (const batch of h.capture.logs) {
    for (const rl of batch.resourceLogs) {
      for (const sl of rl.scopeLogs) {
        for (const record of sl.logRecords) {
          out.push({
            resource: Object.fromEntries(rl.resource.attributes.map((kv) => [kv.key, kv.value])),
            attributes: Object.fromEntries(record.attributes.map((kv) => [kv.key, kv.value])),
            record,
            scope: sl.scope.name,
          });
        }
      }
    }
  }
  return out;
}

/** The next `n` records to arrive after those already taken by earlier tests. */
async function next(n = 1): Promise<Arrived[]> {
  await waitFor(`${n} more SNMP record(s)`, () => h.capture.logCount() >= taken + n);
  const all = arrived();
  const got = all.slice(taken, taken + n);
  taken += n;
  return got;
}

/** Nothing arrived since the last record taken: proven by a good trap arriving next, alone. */
async function expectNothingArrivedBefore(marker: string): Promise<void> {
  const sent = await runTool('snmptrap', ['-v', '2c', '-c', 'public', target(), '', '1.3.6.1.4.1.64999.9.9', '1.3.6.1.4.1.64999.9.1.0', 's', marker]);
  expect(sent.code).toBe(0);
  const [only] = await next();
  expect(only!.attributes['snmp.varbind.1.3.6.1.4.1.64999.9.1.0']).toEqual(str(marker));
}

function expectTimes(record: LogRecord, before: bigint): void {
  expect(record.timeUnixNano).toBeGreaterThanOrEqual(before);
  expect(record.timeUnixNano).toBeLessThanOrEqual(nowNanos());
  expect(record.observedTimeUnixNano).toBe(record.timeUnixNano);
}

function expectNoTraceContext(record: LogRecord): void {
  expect(record.traceId.length).toBe(0);
  expect(record.spanId.length).toBe(0);
  expect(record.eventName).toBe('');
  expect(record.flags).toBe(0);
  expect(record.droppedAttributesCount).toBe(0);
}

const refused = (reason: string) => h.metric('corrgate_receiver_refused_traps_total', { receiver: 'snmptrap', reason });

beforeAll(async () => {
  port = await freePort();
  h = await startService(
    `
receivers:
  snmptrap:
    listen_address: 127.0.0.1:${port}
    communities: [public]
    engine_id: "${ENGINE_ID}"
    mib_dirs: [${JSON.stringify(TEST_MIB_DIR)}]
    users:
      - { name: alice, auth_protocol: sha, auth_key: alicesauth, priv_protocol: aes, priv_key: alicespriv }
      - { name: bob, auth_protocol: sha256, auth_key: bobsauthkey }
      - { name: carol, auth_protocol: sha, auth_key: carolsauth, priv_protocol: aes256, priv_key: carolspriv }
      - { name: dave, auth_protocol: sha, auth_key: davesauthk, priv_protocol: aes256r, priv_key: davespriv }
      - { name: erin, auth_protocol: sha512, auth_key: erinsauthk }
exporters:
  capture:
service:
  pipelines:
    logs:
      receivers: [snmptrap]
      exporters: [capture]
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`,
    [snmptrapReceiverFactory],
  );
});

afterAll(async () => {
  await h?.service.shutdown();
});

describe('snmptrap receiver with Net-SNMP senders', () => {
  it('maps a v1 linkDown trap per RFC 3584 with IF-MIB varbind names', async () => {
    const before = nowNanos();
    const sent = await runTool('snmptrap', [
      '-v', '1', '-c', 'public', target(),
      '1.3.6.1.4.1.9.1.1', '10.0.0.1', '2', '0', '12345',
      'IF-MIB::ifIndex.3', 'i', '3',
      'IF-MIB::ifDescr.3', 's', 'Gi0/1',
      'IF-MIB::ifName.3', 's', 'Gi0/1',
      'IF-MIB::ifAdminStatus.3', 'i', 'up',
      'IF-MIB::ifOperStatus.3', 'i', 'down',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const [got] = await next();
    const { resource, attributes, record, scope } = got!;
    expect(resource).toEqual({ 'host.name': str('10.0.0.1') });
    expect(attributes).toEqual({
      'snmp.version': str('v1'),
      'snmp.pdu.type': str('trap'),
      'snmp.trap.oid': str('1.3.6.1.6.3.1.1.5.3'),
      'snmp.trap.name': str('linkDown'),
      'snmp.v1.enterprise': str('1.3.6.1.4.1.9.1.1'),
      'snmp.v1.generic_trap': int(2),
      'snmp.v1.specific_trap': int(0),
      'snmp.v1.agent_address': str('10.0.0.1'),
      'snmp.varbind.sysUpTime': int(12345),
      'snmp.varbind.ifIndex': int(3),
      'snmp.varbind.ifIndex.instance': str('3'),
      'snmp.varbind.ifDescr': str('Gi0/1'),
      'snmp.varbind.ifDescr.instance': str('3'),
      'snmp.varbind.ifName': str('Gi0/1'),
      'snmp.varbind.ifName.instance': str('3'),
      'snmp.varbind.ifAdminStatus': int(1),
      'snmp.varbind.ifAdminStatus.instance': str('3'),
      'snmp.varbind.ifOperStatus': int(2),
      'snmp.varbind.ifOperStatus.instance': str('3'),
      'network.peer.address': str('127.0.0.1'),
      'network.peer.port': attributes['network.peer.port'],
    });
    expect(attributes['network.peer.port']?.type).toBe('int');
    expect(Object.keys(attributes)).not.toContain('snmp.community');
    expect(record.body).toEqual(str('linkDown from 10.0.0.1: ifIndex=3 ifDescr=Gi0/1 ifName=Gi0/1 ifAdminStatus=up(1) ifOperStatus=down(2)'));
    expect(record.severityNumber).toBe(SeverityNumber.Warn);
    expect(record.severityText).toBe('WARN');
    expect(scope).toBe('corrgate/receiver/snmptrap');
    expectTimes(record, before);
    expectNoTraceContext(record);
  });

  it('maps a v2c linkUp trap, keeping sysUpTime and taking host.name from sysName', async () => {
    const before = nowNanos();
    const sent = await runTool('snmptrap', [
      '-v', '2c', '-c', 'public', target(), '4242', 'IF-MIB::linkUp',
      'IF-MIB::ifIndex.7', 'i', '7',
      'IF-MIB::ifAdminStatus.7', 'i', 'up',
      'IF-MIB::ifOperStatus.7', 'i', 'up',
      '1.3.6.1.2.1.1.5.0', 's', 'edge-sw-01',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const [{ resource, attributes, record }] = (await next()) as [Arrived];
    expect(resource).toEqual({ 'host.name': str('edge-sw-01') });
    expect(attributes).toEqual({
      'snmp.version': str('v2c'),
      'snmp.pdu.type': str('trap'),
      'snmp.trap.oid': str('1.3.6.1.6.3.1.1.5.4'),
      'snmp.trap.name': str('linkUp'),
      'snmp.varbind.sysUpTime': int(4242),
      'snmp.varbind.ifIndex': int(7),
      'snmp.varbind.ifIndex.instance': str('7'),
      'snmp.varbind.ifAdminStatus': int(1),
      'snmp.varbind.ifAdminStatus.instance': str('7'),
      'snmp.varbind.ifOperStatus': int(1),
      'snmp.varbind.ifOperStatus.instance': str('7'),
      'snmp.varbind.sysName': str('edge-sw-01'),
      'network.peer.address': str('127.0.0.1'),
      'network.peer.port': attributes['network.peer.port'],
    });
    expect(record.body).toEqual(str('linkUp from edge-sw-01: ifIndex=7 ifAdminStatus=up(1) ifOperStatus=up(1) sysName=edge-sw-01'));
    expect(record.severityNumber).toBe(SeverityNumber.Info);
    expect(record.severityText).toBe('INFO');
    expectTimes(record, before);
    expectNoTraceContext(record);
  });

  it('maps a v2c coldStart without varbinds', async () => {
    const sent = await runTool('snmptrap', ['-v', '2c', '-c', 'public', target(), '100', '1.3.6.1.6.3.1.1.5.1']);
    expect(sent.code, sent.stderr).toBe(0);
    const [{ resource, attributes, record }] = (await next()) as [Arrived];
    expect(resource).toEqual({ 'host.name': str('127.0.0.1') });
    expect(attributes).toEqual({
      'snmp.version': str('v2c'),
      'snmp.pdu.type': str('trap'),
      'snmp.trap.oid': str('1.3.6.1.6.3.1.1.5.1'),
      'snmp.trap.name': str('coldStart'),
      'snmp.varbind.sysUpTime': int(100),
      'network.peer.address': str('127.0.0.1'),
      'network.peer.port': attributes['network.peer.port'],
    });
    expect(record.body).toEqual(str('coldStart from 127.0.0.1'));
    expect(record.severityNumber).toBe(SeverityNumber.Info);
  });

  it('keeps raw OIDs for an enterprise trap no MIB knows, with each value type converted', async () => {
    const sent = await runTool('snmptrap', [
      '-v', '2c', '-c', 'public', target(), '1', '1.3.6.1.4.1.55555.0.17',
      '1.3.6.1.4.1.55555.1.1.0', 's', 'fan 2 failed',
      '1.3.6.1.4.1.55555.1.2.0', 'x', '001A2B3C4D5E',
      '1.3.6.1.4.1.55555.1.3.0', 'c', '77',
      '1.3.6.1.4.1.55555.1.4.0', 'C', '12345678901',
      '1.3.6.1.4.1.55555.1.5.0', 'a', '10.1.1.1',
      '1.3.6.1.4.1.55555.1.6.0', 'o', '1.3.6.1.2.1',
      '1.3.6.1.4.1.55555.1.7.0', 't', '100',
      '1.3.6.1.4.1.55555.1.8.0', 'u', '4000000000',
      '1.3.6.1.4.1.55555.1.9.0', 'i', '-5',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const [{ attributes, record }] = (await next()) as [Arrived];
    expect(attributes).toEqual({
      'snmp.version': str('v2c'),
      'snmp.pdu.type': str('trap'),
      'snmp.trap.oid': str('1.3.6.1.4.1.55555.0.17'),
      'snmp.varbind.sysUpTime': int(1),
      'snmp.varbind.1.3.6.1.4.1.55555.1.1.0': str('fan 2 failed'),
      'snmp.varbind.1.3.6.1.4.1.55555.1.2.0': str('001a2b3c4d5e'),
      'snmp.varbind.1.3.6.1.4.1.55555.1.3.0': int(77),
      'snmp.varbind.1.3.6.1.4.1.55555.1.4.0': int(12345678901n),
      'snmp.varbind.1.3.6.1.4.1.55555.1.5.0': str('10.1.1.1'),
      'snmp.varbind.1.3.6.1.4.1.55555.1.6.0': str('1.3.6.1.2.1'),
      'snmp.varbind.1.3.6.1.4.1.55555.1.7.0': int(100),
      'snmp.varbind.1.3.6.1.4.1.55555.1.8.0': int(4000000000),
      'snmp.varbind.1.3.6.1.4.1.55555.1.9.0': int(-5),
      'network.peer.address': str('127.0.0.1'),
      'network.peer.port': attributes['network.peer.port'],
    });
    expect(record.body).toEqual(
      str(
        '1.3.6.1.4.1.55555.0.17 from 127.0.0.1: 1.3.6.1.4.1.55555.1.1.0="fan 2 failed" 1.3.6.1.4.1.55555.1.2.0=001a2b3c4d5e ' +
          '1.3.6.1.4.1.55555.1.3.0=77 1.3.6.1.4.1.55555.1.4.0=12345678901 1.3.6.1.4.1.55555.1.5.0=10.1.1.1 ' +
          '1.3.6.1.4.1.55555.1.6.0=1.3.6.1.2.1 1.3.6.1.4.1.55555.1.7.0=100 1.3.6.1.4.1.55555.1.8.0=4000000000 1.3.6.1.4.1.55555.1.9.0=-5',
      ),
    );
  });

  it('names an enterprise trap and its objects from a MIB in mib_dirs', async () => {
    const sent = await runTool('snmptrap', [
      '-v', '2c', '-c', 'public', target(), '5', '1.3.6.1.4.1.64999.2.1',
      '1.3.6.1.4.1.64999.1.1.0', 's', 'PSU 1 lost power',
      '1.3.6.1.4.1.64999.1.2.0', 'i', '3',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const [{ attributes, record }] = (await next()) as [Arrived];
    expect(attributes).toEqual({
      'snmp.version': str('v2c'),
      'snmp.pdu.type': str('trap'),
      'snmp.trap.oid': str('1.3.6.1.4.1.64999.2.1'),
      'snmp.trap.name': str('cgtAlarmRaised'),
      'snmp.varbind.sysUpTime': int(5),
      'snmp.varbind.cgtAlarmText': str('PSU 1 lost power'),
      'snmp.varbind.cgtAlarmLevel': int(3),
      'network.peer.address': str('127.0.0.1'),
      'network.peer.port': attributes['network.peer.port'],
    });
    expect(record.body).toEqual(str('cgtAlarmRaised from 127.0.0.1: cgtAlarmText="PSU 1 lost power" cgtAlarmLevel=critical(3)'));
  });

  it('takes a v3 authPriv trap (SHA + AES) with the sender\'s own engine ID', async () => {
    const sent = await runTool('snmptrap', [
      '-v', '3', '-u', 'alice', '-l', 'authPriv', '-a', 'SHA', '-A', 'alicesauth', '-x', 'AES', '-X', 'alicespriv',
      '-e', SENDER_ENGINE_ID, target(), '77', 'IF-MIB::linkDown',
      'IF-MIB::ifIndex.2', 'i', '2',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const [{ resource, attributes, record }] = (await next()) as [Arrived];
    expect(resource).toEqual({ 'host.name': str('127.0.0.1') });
    expect(attributes).toEqual({
      'snmp.version': str('v3'),
      'snmp.pdu.type': str('trap'),
      'snmp.trap.oid': str('1.3.6.1.6.3.1.1.5.3'),
      'snmp.trap.name': str('linkDown'),
      'snmp.user': str('alice'),
      'snmp.varbind.sysUpTime': int(77),
      'snmp.varbind.ifIndex': int(2),
      'snmp.varbind.ifIndex.instance': str('2'),
      'network.peer.address': str('127.0.0.1'),
      'network.peer.port': attributes['network.peer.port'],
    });
    expect(record.body).toEqual(str('linkDown from 127.0.0.1: ifIndex=2'));
    expect(record.severityNumber).toBe(SeverityNumber.Warn);
  });

  it('takes a v3 authNoPriv trap with SHA-256', async () => {
    const sent = await runTool('snmptrap', [
      '-v', '3', '-u', 'bob', '-l', 'authNoPriv', '-a', 'SHA-256', '-A', 'bobsauthkey',
      '-e', SENDER_ENGINE_ID, target(), '78', '1.3.6.1.6.3.1.1.5.2',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    const [{ attributes, record }] = (await next()) as [Arrived];
    expect(attributes).toEqual({
      'snmp.version': str('v3'),
      'snmp.pdu.type': str('trap'),
      'snmp.trap.oid': str('1.3.6.1.6.3.1.1.5.2'),
      'snmp.trap.name': str('warmStart'),
      'snmp.user': str('bob'),
      'snmp.varbind.sysUpTime': int(78),
      'network.peer.address': str('127.0.0.1'),
      'network.peer.port': attributes['network.peer.port'],
    });
    expect(record.body).toEqual(str('warmStart from 127.0.0.1'));
  });

  it('takes AES-256 with Blumenthal keys (Net-SNMP -x AES256), with Reeder keys (-x AES256C) and SHA-512', async () => {
    const cases = [
      { user: 'carol', args: ['-l', 'authPriv', '-a', 'SHA', '-A', 'carolsauth', '-x', 'AES256', '-X', 'carolspriv'] },
      { user: 'dave', args: ['-l', 'authPriv', '-a', 'SHA', '-A', 'davesauthk', '-x', 'AES256C', '-X', 'davespriv'] },
      { user: 'erin', args: ['-l', 'authNoPriv', '-a', 'SHA-512', '-A', 'erinsauthk'] },
    ];
    for (const c of cases) {
      const sent = await runTool('snmptrap', ['-v', '3', '-u', c.user, ...c.args, '-e', SENDER_ENGINE_ID, target(), '9', '1.3.6.1.6.3.1.1.5.1']);
      expect(sent.code, sent.stderr).toBe(0);
      const [{ attributes }] = (await next()) as [Arrived];
      expect(attributes).toEqual({
        'snmp.version': str('v3'),
        'snmp.pdu.type': str('trap'),
        'snmp.trap.oid': str('1.3.6.1.6.3.1.1.5.1'),
        'snmp.trap.name': str('coldStart'),
        'snmp.user': str(c.user),
        'snmp.varbind.sysUpTime': int(9),
        'network.peer.address': str('127.0.0.1'),
        'network.peer.port': attributes['network.peer.port'],
      });
    }
  });

  it('acknowledges a v2c inform (snmpinform exits 0) and hands it on', async () => {
    const sent = await runTool('snmpinform', ['-v', '2c', '-c', 'public', target(), '300', '1.3.6.1.6.3.1.1.5.5']);
    expect(sent.code, sent.stderr).toBe(0);
    const [{ attributes, record }] = (await next()) as [Arrived];
    expect(attributes).toEqual({
      'snmp.version': str('v2c'),
      'snmp.pdu.type': str('inform'),
      'snmp.trap.oid': str('1.3.6.1.6.3.1.1.5.5'),
      'snmp.trap.name': str('authenticationFailure'),
      'snmp.varbind.sysUpTime': int(300),
      'network.peer.address': str('127.0.0.1'),
      'network.peer.port': attributes['network.peer.port'],
    });
    expect(record.severityNumber).toBe(SeverityNumber.Warn);
    expect(record.severityText).toBe('WARN');
  });

  it('acknowledges a v3 authPriv inform after engine ID discovery, and one sent to the configured engine ID', async () => {
    for (const engine of [[], ['-e', `0x${ENGINE_ID}`]]) {
      const sent = await runTool('snmpinform', [
        '-v', '3', '-u', 'alice', '-l', 'authPriv', '-a', 'SHA', '-A', 'alicesauth', '-x', 'AES', '-X', 'alicespriv',
        ...engine, target(), '301', '1.3.6.1.6.3.1.1.5.1',
      ]);
      expect(sent.code, sent.stderr).toBe(0);
      const [{ attributes }] = (await next()) as [Arrived];
      expect(attributes).toEqual({
        'snmp.version': str('v3'),
        'snmp.pdu.type': str('inform'),
        'snmp.trap.oid': str('1.3.6.1.6.3.1.1.5.1'),
        'snmp.trap.name': str('coldStart'),
        'snmp.user': str('alice'),
        'snmp.varbind.sysUpTime': int(301),
        'network.peer.address': str('127.0.0.1'),
        'network.peer.port': attributes['network.peer.port'],
      });
    }
  });

  it('refuses a trap with an unknown community and counts it', async () => {
    const before = await refused('unknown_community');
    const sent = await runTool('snmptrap', ['-v', '2c', '-c', 'not-public', target(), '1', '1.3.6.1.6.3.1.1.5.1']);
    expect(sent.code).toBe(0); // a trap is fire-and-forget: the sender cannot tell
    await waitFor('the unknown_community count', async () => (await refused('unknown_community')) === before + 1);
    await expectNothingArrivedBefore('after-bad-community');
  });

  it('refuses v3 traps with a wrong auth key, a wrong privacy key and an unknown user, by reason', async () => {
    const v3 = (user: string, auth: string, priv: string) => [
      '-v', '3', '-u', user, '-l', 'authPriv', '-a', 'SHA', '-A', auth, '-x', 'AES', '-X', priv,
      '-e', SENDER_ENGINE_ID, target(), '1', '1.3.6.1.6.3.1.1.5.1',
    ];
    const cases = [
      { reason: 'bad_auth', args: v3('alice', 'wrongauthkey', 'alicespriv') },
      { reason: 'bad_privacy', args: v3('alice', 'alicesauth', 'wrongprivkey') },
      { reason: 'unknown_user', args: v3('mallory', 'alicesauth', 'alicespriv') },
      // bob is authNoPriv; a message without authentication is below his level.
      { reason: 'bad_auth', args: ['-v', '3', '-u', 'bob', '-l', 'noAuthNoPriv', '-e', SENDER_ENGINE_ID, target(), '1', '1.3.6.1.6.3.1.1.5.1'] },
    ];
    for (const c of cases) {
      const before = await refused(c.reason);
      const sent = await runTool('snmptrap', c.args);
      expect(sent.code, sent.stderr).toBe(0);
      await waitFor(`the ${c.reason} count`, async () => (await refused(c.reason)) === before + 1);
    }
    await expectNothingArrivedBefore('after-bad-v3');
  });

  it('refuses an unauthenticated v3 trap with an empty user name, which net-snmp alone would take', async () => {
    // Net-SNMP's snmptrap will not send an empty user name; net-snmp's own sender will.
    const before = await refused('unknown_user');
    const session = snmp.createV3Session('127.0.0.1', { name: '', level: snmp.SecurityLevel.noAuthNoPriv }, { trapPort: port, version: snmp.Version3 });
    await new Promise<void>((resolve, reject) => session.trap(snmp.TrapType.ColdStart, (err: Error | null) => (err ? reject(err) : resolve())));
    session.close();
    await waitFor('the unknown_user count', async () => (await refused('unknown_user')) === before + 1);
    await expectNothingArrivedBefore('after-empty-user');
  });

  it('refuses an undecodable datagram as malformed', async () => {
    const { createSocket } = await import('node:dgram');
    const before = await refused('malformed');
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => sock.send(Buffer.from('definitely not BER'), port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    sock.close();
    await waitFor('the malformed count', async () => (await refused('malformed')) === before + 1);
    await expectNothingArrivedBefore('after-garbage');
  });

  it('counts every record it handed on as accepted on the udp transport', async () => {
    const accepted = await h.metric('corrgate_receiver_accepted_log_records_total', { receiver: 'snmptrap', transport: 'udp' });
    expect(accepted).toBe(taken);
  });
});
