import type { Notification, Varbind } from 'net-snmp';
import { describe, expect, it } from 'vitest';
import { EMPTY_VALUE, int, str } from '../../../src/model/attributes.js';
import type { AnyValue } from '../../../src/model/attributes.js';
import { SeverityNumber } from '../../../src/model/log-record.js';
import { loadMibNames } from '../../../src/receivers/snmptrap/mib-names.js';
import { mapNotification, v1TrapOid } from '../../../src/receivers/snmptrap/trap-mapping.js';
import { octetsToText, SMI, varbindValue } from '../../../src/receivers/snmptrap/varbind-value.js';

const mib = loadMibNames([]);
const AT = 1_700_000_000_123_000_000n;
const rinfo = { address: '192.0.2.10', family: 'IPv4' as const, port: 40000, size: 100 };
const trapOid = (oid: string): Varbind => ({ oid: '1.3.6.1.6.3.1.1.4.1.0', type: SMI.OID, value: oid });
const v2 = (varbinds: Varbind[]): Notification => ({ pdu: { type: 167, varbinds, scoped: false, community: 'public' }, rinfo });
const attrs = (n: Notification) => {
  const m = mapNotification(n, AT, mib)!;
  return { resource: Object.fromEntries(m.resource.map((kv) => [kv.key, kv.value])), attributes: Object.fromEntries(m.record.attributes.map((kv) => [kv.key, kv.value])) as Record<string, AnyValue>, record: m.record };
};

describe('v1 to v2 trap OID (RFC 3584 3.1)', () => {
  it('maps the generic traps to snmpTraps and enterprise-specific ones to enterprise.0.specific', () => {
    expect([0, 1, 2, 3, 4, 5].map((g) => v1TrapOid('1.3.6.1.4.1.9', g, 0))).toEqual([
      '1.3.6.1.6.3.1.1.5.1',
      '1.3.6.1.6.3.1.1.5.2',
      '1.3.6.1.6.3.1.1.5.3',
      '1.3.6.1.6.3.1.1.5.4',
      '1.3.6.1.6.3.1.1.5.5',
      '1.3.6.1.6.3.1.1.5.6',
    ]);
    expect(v1TrapOid('1.3.6.1.4.1.9.9.41.2', 6, 1)).toBe('1.3.6.1.4.1.9.9.41.2.0.1');
  });
});

describe('varbind values', () => {
  it('converts each SMI type', () => {
    expect(varbindValue(SMI.Integer, -3)).toEqual(int(-3));
    expect(varbindValue(SMI.Gauge, 4_000_000_000)).toEqual(int(4_000_000_000));
    expect(varbindValue(SMI.TimeTicks, 12)).toEqual(int(12));
    expect(varbindValue(SMI.Counter64, Buffer.from('00ffffffffffffffff', 'hex'))).toEqual(int(18446744073709551615n));
    expect(varbindValue(SMI.OctetString, Buffer.from('Gi0/1'))).toEqual(str('Gi0/1'));
    expect(varbindValue(SMI.OctetString, Buffer.from([0x00, 0x1a, 0x2b]))).toEqual(str('001a2b'));
    expect(varbindValue(SMI.Opaque, Buffer.from([0x9f, 0x78]))).toEqual(str('9f78'));
    expect(varbindValue(SMI.IpAddress, '10.0.0.1')).toEqual(str('10.0.0.1'));
    expect(varbindValue(SMI.OID, '1.3.6.1')).toEqual(str('1.3.6.1'));
    expect(varbindValue(SMI.Null, null)).toEqual(EMPTY_VALUE);
    expect(varbindValue(SMI.NoSuchInstance, null)).toEqual(EMPTY_VALUE);
  });

  it('keeps printable UTF-8 as text and anything else as hex', () => {
    expect(octetsToText(Buffer.from('Zürich uplink\tport 1\r\n'))).toBe('Zürich uplink\tport 1\r\n');
    expect(octetsToText(Buffer.from([0xc3, 0x28]))).toBe('c328'); // invalid UTF-8
    expect(octetsToText(Buffer.from('abc\u0000'))).toBe('61626300'); // a NUL is not text
    expect(octetsToText(Buffer.alloc(0))).toBe('');
  });
});

describe('notification mapping', () => {
  it('maps a v1 enterprise-specific trap, falling back to the peer when agent-addr is 0.0.0.0', () => {
    const n: Notification = {
      pdu: { type: 164, enterprise: '1.3.6.1.4.1.9.9.41.2', agentAddr: '0.0.0.0', generic: 6, specific: 1, upTime: 99, varbinds: [], scoped: false },
      rinfo,
    };
    const { resource, attributes, record } = attrs(n);
    expect(resource).toEqual({ 'host.name': str('192.0.2.10') });
    expect(attributes).toEqual({
      'snmp.version': str('v1'),
      'snmp.pdu.type': str('trap'),
      'snmp.trap.oid': str('1.3.6.1.4.1.9.9.41.2.0.1'),
      'snmp.v1.enterprise': str('1.3.6.1.4.1.9.9.41.2'),
      'snmp.v1.generic_trap': int(6),
      'snmp.v1.specific_trap': int(1),
      'snmp.v1.agent_address': str('0.0.0.0'),
      'snmp.varbind.sysUpTime': int(99),
      'network.peer.address': str('192.0.2.10'),
      'network.peer.port': int(40000),
    });
    expect(record).toEqual({
      timeUnixNano: AT,
      observedTimeUnixNano: AT,
      severityNumber: SeverityNumber.Info,
      severityText: 'INFO',
      body: str('1.3.6.1.4.1.9.9.41.2.0.1 from 192.0.2.10'),
      attributes: record.attributes,
      droppedAttributesCount: 0,
      flags: 0,
      traceId: new Uint8Array(0),
      spanId: new Uint8Array(0),
      eventName: '',
    });
  });

  it('takes host.name from a proxy\'s snmpTrapAddress.0 when there is no sysName.0', () => {
    const { resource } = attrs(v2([trapOid('1.3.6.1.6.3.1.1.5.1'), { oid: '1.3.6.1.6.3.18.1.3.0', type: SMI.IpAddress, value: '198.51.100.7' }]));
    expect(resource).toEqual({ 'host.name': str('198.51.100.7') });
  });

  it('keeps two instances of one object apart: the second under its full OID', () => {
    const { attributes, record } = attrs(
      v2([
        trapOid('1.3.6.1.6.3.1.1.5.3'),
        { oid: '1.3.6.1.2.1.2.2.1.8.3', type: SMI.Integer, value: 2 },
        { oid: '1.3.6.1.2.1.2.2.1.8.4', type: SMI.Integer, value: 1 },
      ]),
    );
    expect(attributes['snmp.varbind.ifOperStatus']).toEqual(int(2));
    expect(attributes['snmp.varbind.ifOperStatus.instance']).toEqual(str('3'));
    expect(attributes['snmp.varbind.1.3.6.1.2.1.2.2.1.8.4']).toEqual(int(1));
    expect(record.body).toEqual(str('linkDown from 192.0.2.10: ifOperStatus=down(2) ifOperStatus=up(1)'));
  });

  it('quotes body values with spaces and shortens long ones; attributes keep the whole value', () => {
    const long = 'x'.repeat(300);
    const { attributes, record } = attrs(
      v2([
        trapOid('1.3.6.1.4.1.1.0.1'),
        { oid: '1.3.6.1.2.1.1.1.0', type: SMI.OctetString, value: Buffer.from('Cisco IOS\nSoftware') },
        { oid: '1.3.6.1.4.1.1.1.0', type: SMI.OctetString, value: Buffer.from(long) },
        { oid: '1.3.6.1.4.1.1.2.0', type: SMI.OctetString, value: Buffer.alloc(0) },
      ]),
    );
    expect(attributes['snmp.varbind.sysDescr']).toEqual(str('Cisco IOS\nSoftware'));
    expect(attributes['snmp.varbind.1.3.6.1.4.1.1.1.0']).toEqual(str(long));
    expect(record.body).toEqual(str(`1.3.6.1.4.1.1.0.1 from 192.0.2.10: sysDescr="Cisco IOS Software" 1.3.6.1.4.1.1.1.0=${'x'.repeat(120)}… 1.3.6.1.4.1.1.2.0=""`));
  });

  it('takes nothing from a v2 notification without snmpTrapOID.0', () => {
    expect(mapNotification(v2([{ oid: '1.3.6.1.2.1.1.3.0', type: SMI.TimeTicks, value: 5 }]), AT, mib)).toBeUndefined();
  });

  it('never carries the community', () => {
    const { attributes } = attrs(v2([trapOid('1.3.6.1.6.3.1.1.5.1')]));
    expect(JSON.stringify(Object.keys(attributes))).not.toContain('community');
    expect(JSON.stringify(attributes, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('public');
  });
});
