import { describe, expect, it } from 'vitest';
import { attributesToPlain } from '../../src/model/attributes.js';
import { SeverityNumber } from '../../src/model/log-record.js';
import { syslogToLogRecord } from '../../src/bridge/syslog-mapping.js';
import { parseSyslog } from '../../src/wire/syslog/parse-syslog.js';
import { newSyslogMessage } from '../../src/wire/syslog/syslog-message.js';
import type { SyslogParseOptions } from '../../src/wire/syslog/syslog-message.js';

const options: SyslogParseOptions = { protocol: 'auto', receivedAtMs: Date.UTC(2024, 2, 5, 12, 0, 0), timeZone: 'UTC' };
const observed = 1_709_640_000_123_456_789n;
const ns = (iso: string, extraNanos = 0n): bigint => BigInt(Date.parse(iso)) * 1_000_000n + extraNanos;

describe('syslogToLogRecord', () => {
  it('maps an RFC 5424 message as the OTel syslog appendix says', () => {
    const msg = parseSyslog(
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="Application"][examplePriority@32473 class="high"] An application event',
      options,
    );
    const { resource, record } = syslogToLogRecord(msg, { observedTimeUnixNano: observed, peerAddress: '192.0.2.7', peerPort: 51514, transport: 'udp' });
    expect(resource).toEqual([
      { key: 'host.name', value: { type: 'string', value: 'mymachine.example.com' } },
      { key: 'service.name', value: { type: 'string', value: 'evntslog' } },
    ]);
    expect(record.timeUnixNano).toBe(ns('2003-10-11T22:14:15.003Z'));
    expect(record.observedTimeUnixNano).toBe(observed);
    expect(record.severityNumber).toBe(SeverityNumber.Info2);
    expect(record.severityText).toBe('notice');
    expect(record.body).toEqual({ type: 'string', value: 'An application event' });
    expect(record.attributes).toEqual([
      { key: 'syslog.format', value: { type: 'string', value: 'rfc5424' } },
      { key: 'syslog.facility', value: { type: 'int', value: 20n } },
      { key: 'syslog.version', value: { type: 'int', value: 1n } },
      { key: 'syslog.procid', value: { type: 'string', value: '1234' } },
      { key: 'syslog.msgid', value: { type: 'string', value: 'ID47' } },
      { key: 'syslog.sd.exampleSDID@32473.iut', value: { type: 'string', value: '3' } },
      { key: 'syslog.sd.exampleSDID@32473.eventSource', value: { type: 'string', value: 'Application' } },
      { key: 'syslog.sd.examplePriority@32473.class', value: { type: 'string', value: 'high' } },
      { key: 'network.peer.address', value: { type: 'string', value: '192.0.2.7' } },
      { key: 'network.peer.port', value: { type: 'int', value: 51514n } },
      { key: 'network.transport', value: { type: 'string', value: 'udp' } },
    ]);
    expect(record.droppedAttributesCount).toBe(0);
    expect(record.flags).toBe(0);
    expect(record.traceId.length).toBe(0);
    expect(record.spanId.length).toBe(0);
    expect(record.eventName).toBe('');
  });

  it('maps vendor parts: vendor, mnemonic and fields as syslog.field.<name>', () => {
    const msg = parseSyslog('<187>123: *Mar  1 00:01:02.345 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down', options);
    const { resource, record } = syslogToLogRecord(msg, { observedTimeUnixNano: observed, peerAddress: '10.0.0.1', transport: 'tcp' });
    expect(resource).toEqual([]);
    expect(record.timeUnixNano).toBe(ns('2024-03-01T00:01:02.345Z'));
    expect(record.severityNumber).toBe(SeverityNumber.Error);
    expect(record.severityText).toBe('err');
    expect(record.body).toEqual({ type: 'string', value: 'Interface GigabitEthernet0/1, changed state to down' });
    expect(attributesToPlain(record.attributes)).toEqual({
      'syslog.format': 'cisco',
      'syslog.facility': 23,
      'syslog.vendor': 'cisco',
      'syslog.mnemonic': 'LINK-3-UPDOWN',
      'syslog.field.sequence': '123',
      'syslog.field.clock_status': 'unsynchronized',
      'syslog.field.timezone': 'UTC',
      'network.peer.address': '10.0.0.1',
      'network.transport': 'tcp',
    });
  });

  it('maps FortiGate pairs and keeps the device name as host.name', () => {
    const msg = parseSyslog(
      '<189>date=2024-03-05 time=10:00:00 devname=FGT60E devid=FGT60E4Q16000000 logid=0100032001 type=event subtype=system level=information vd=root msg="Administrator admin logged in"',
      options,
    );
    const { resource, record } = syslogToLogRecord(msg, { observedTimeUnixNano: observed });
    expect(attributesToPlain(resource)).toEqual({ 'host.name': 'FGT60E' });
    expect(record.body).toEqual({ type: 'string', value: 'Administrator admin logged in' });
    expect(attributesToPlain(record.attributes)).toEqual({
      'syslog.format': 'keyvalue',
      'syslog.facility': 23,
      'syslog.vendor': 'fortinet',
      'syslog.mnemonic': '0100032001',
      'syslog.field.date': '2024-03-05',
      'syslog.field.time': '10:00:00',
      'syslog.field.devname': 'FGT60E',
      'syslog.field.devid': 'FGT60E4Q16000000',
      'syslog.field.logid': '0100032001',
      'syslog.field.type': 'event',
      'syslog.field.subtype': 'system',
      'syslog.field.level': 'information',
      'syslog.field.vd': 'root',
      'syslog.field.msg': 'Administrator admin logged in',
    });
  });

  it('maps an unparsed message: body and log.record.original are the original text, parse_error says why', () => {
    const msg = parseSyslog('<13>1 bad header', options);
    const { resource, record } = syslogToLogRecord(msg, { observedTimeUnixNano: observed, peerAddress: '192.0.2.9', peerPort: 514, transport: 'udp' });
    expect(resource).toEqual([]);
    expect(record.timeUnixNano).toBe(0n);
    expect(record.observedTimeUnixNano).toBe(observed);
    // PRI was readable, so the severity still counts.
    expect(record.severityNumber).toBe(SeverityNumber.Info2);
    expect(record.severityText).toBe('notice');
    expect(record.body).toEqual({ type: 'string', value: '<13>1 bad header' });
    expect(attributesToPlain(record.attributes)).toEqual({
      'syslog.format': 'unknown',
      'syslog.facility': 1,
      'network.peer.address': '192.0.2.9',
      'network.peer.port': 514,
      'network.transport': 'udp',
      'syslog.parse_error': 'rfc5424: invalid TIMESTAMP at column 7',
      'log.record.original': '<13>1 bad header',
    });
  });

  it('leaves severity unspecified and time 0 when the message has neither', () => {
    const msg = parseSyslog('Feb 27 02:33:04 bm-a mgd[6520]: UI_COMMIT: x', options);
    const { record } = syslogToLogRecord({ ...msg, timestamp: undefined }, { observedTimeUnixNano: observed });
    expect(record.severityNumber).toBe(SeverityNumber.Unspecified);
    expect(record.severityText).toBe('');
    expect(record.timeUnixNano).toBe(0n);
    expect(attributesToPlain(record.attributes)).toEqual({
      'syslog.format': 'juniper',
      'syslog.procid': '6520',
      'syslog.vendor': 'juniper',
      'syslog.mnemonic': 'UI_COMMIT',
    });
  });

  it('makes repeated names one attribute with an array value, and marks SD elements without params', () => {
    const msg = parseSyslog('<14>1 - h a - - [tag@1 t="x" t="y" t="z"][flag@1] m', options);
    const { record } = syslogToLogRecord(msg, { observedTimeUnixNano: observed });
    expect(record.attributes.slice(3)).toEqual([
      {
        key: 'syslog.sd.tag@1.t',
        value: {
          type: 'array',
          value: [
            { type: 'string', value: 'x' },
            { type: 'string', value: 'y' },
            { type: 'string', value: 'z' },
          ],
        },
      },
      { key: 'syslog.sd.flag@1', value: { type: 'bool', value: true } },
    ]);
    const kv = syslogToLogRecord(parseSyslog('<14>a=1 a=2 b=3', options), { observedTimeUnixNano: observed });
    expect(attributesToPlain(kv.record.attributes)).toMatchObject({ 'syslog.field.a': ['1', '2'], 'syslog.field.b': '3' });
    const many = syslogToLogRecord(parseSyslog('<14>k0=0 k1=1 k2=2 k3=3 k4=4 k5=5 k6=6 k7=7 k8=8 k1=one k9=9 k1=uno', options), { observedTimeUnixNano: observed });
    const plain = attributesToPlain(many.record.attributes);
    expect(plain['syslog.field.k1']).toEqual(['1', 'one', 'uno']);
    expect(plain['syslog.field.k9']).toBe('9');
    expect(many.record.attributes.filter((a) => a.key.startsWith('syslog.field.')).map((a) => a.key)).toEqual(
      ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9'].map((k) => `syslog.field.${k}`),
    );
  });

  it('maps an empty draft without inventing fields', () => {
    const { resource, record } = syslogToLogRecord(newSyslogMessage(''), { observedTimeUnixNano: 5n });
    expect(resource).toEqual([]);
    expect(record.attributes).toEqual([{ key: 'syslog.format', value: { type: 'string', value: 'unknown' } }]);
    expect(record.body).toEqual({ type: 'string', value: '' });
    expect(record.timeUnixNano).toBe(0n);
  });
});
