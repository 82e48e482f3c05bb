import { int, str } from '../../../src/model/attributes.js';
import type { AnyValue, Attributes, KeyValue } from '../../../src/model/attributes.js';
import { EMPTY_ID } from '../../../src/model/ids.js';
import { SeverityNumber } from '../../../src/model/log-record.js';
import type { LogRecord } from '../../../src/model/log-record.js';

// Records shaped as the syslog and snmptrap receivers produce them, for rule tests.

const value = (v: string | number | bigint): AnyValue => (typeof v === 'string' ? str(v) : int(v));

export function attrs(map: Readonly<Record<string, string | number | bigint>>): KeyValue[] {
  return Object.entries(map).map(([key, v]) => ({ key, value: value(v) }));
}

export function logRecord(body: string, attributes: Attributes): LogRecord {
  return {
    timeUnixNano: 1_700_000_000_000_000_000n,
    observedTimeUnixNano: 1_700_000_000_000_000_001n,
    severityNumber: SeverityNumber.Info2,
    severityText: 'notice',
    body: str(body),
    attributes,
    droppedAttributesCount: 0,
    flags: 0,
    traceId: EMPTY_ID,
    spanId: EMPTY_ID,
    eventName: '',
  };
}

/** A vendor syslog line as the parser hands it on: the MSG text as body, vendor and mnemonic as attributes. */
export function syslogRecord(
  vendor: string,
  format: string,
  mnemonic: string | undefined,
  body: string,
  fields: Readonly<Record<string, string>> = {},
): LogRecord {
  const a: Record<string, string | number> = { 'syslog.format': format, 'syslog.facility': 23, 'syslog.vendor': vendor };
  if (mnemonic !== undefined) a['syslog.mnemonic'] = mnemonic;
  for (const [k, v] of Object.entries(fields)) a[`syslog.field.${k}`] = v;
  return logRecord(body, attrs(a));
}

/** A trap as the snmptrap receiver maps it: snmp.trap.oid, named varbinds and a one-line body. */
export function trapRecord(oid: string, name: string | undefined, varbinds: Readonly<Record<string, string | number>>, body: string): LogRecord {
  const a: Record<string, string | number> = { 'snmp.version': 'v2c', 'snmp.pdu.type': 'trap', 'snmp.trap.oid': oid };
  if (name !== undefined) a['snmp.trap.name'] = name;
  for (const [k, v] of Object.entries(varbinds)) a[`snmp.varbind.${k}`] = v;
  a['network.peer.address'] = '192.0.2.10';
  return logRecord(body, attrs(a));
}

export const RESOURCE: Attributes = attrs({ 'host.name': 'edge-1' });
