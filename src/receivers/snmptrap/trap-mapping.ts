import type { Notification, Varbind } from 'net-snmp';
import { int, str } from '../../model/attributes.js';
import type { AnyValue, KeyValue } from '../../model/attributes.js';
import { EMPTY_ID } from '../../model/ids.js';
import { SeverityNumber } from '../../model/log-record.js';
import type { LogRecord } from '../../model/log-record.js';
import type { UnixNanos } from '../../model/time.js';
import type { MibNames } from './mib-names.js';
import { SMI, varbindValue } from './varbind-value.js';

export const PDU_TRAP_V1 = 164;
export const PDU_INFORM = 166;
export const PDU_TRAP_V2 = 167;

const SYS_UPTIME_0 = '1.3.6.1.2.1.1.3.0';
const SYS_NAME_0 = '1.3.6.1.2.1.1.5.0';
const SNMP_TRAP_OID_0 = '1.3.6.1.6.3.1.1.4.1.0';
const SNMP_TRAP_ADDRESS_0 = '1.3.6.1.6.3.18.1.3.0';
/** snmpTraps: the standard notifications coldStart (.1) ... egpNeighborLoss (.6). */
const SNMP_TRAPS = '1.3.6.1.6.3.1.1.5';
const LINK_DOWN = `${SNMP_TRAPS}.3`;
const AUTHENTICATION_FAILURE = `${SNMP_TRAPS}.5`;

const VARBIND_PREFIX = 'snmp.varbind.';
/** Longest value text shown in the body; attributes keep the whole value. */
const BODY_VALUE_CHARS = 120;

/**
 * RFC 3584 section 3.1: the snmpTrapOID a v1 trap stands for. Generic traps 0-5 are the standard
 * snmpTraps notifications; enterprise-specific (6), and any out-of-range generic value, become
 * enterprise.0.specific.
 */
export function v1TrapOid(enterprise: string, generic: number, specific: number): string {
  if (generic >= 0 && generic <= 5) return `${SNMP_TRAPS}.${generic + 1}`;
  return `${enterprise}.0.${specific}`;
}

/** WARN for the standard notifications that report a fault; everything else is INFO. */
export function trapSeverity(trapOid: string): SeverityNumber {
  return trapOid === LINK_DOWN || trapOid === AUTHENTICATION_FAILURE ? SeverityNumber.Warn : SeverityNumber.Info;
}

export interface MappedTrap {
  readonly resource: KeyValue[];
  readonly record: LogRecord;
}

function stringOf(vb: Varbind | undefined): string | undefined {
  if (!vb) return undefined;
  const v = varbindValue(vb.type, vb.value);
  return v.type === 'string' && v.value !== '' ? v.value : undefined;
}

function bodyText(value: AnyValue, enumLabel: string | undefined): string {
  let text: string;
  switch (value.type) {
    case 'string':
      text = value.value.replace(/\s+/g, ' ');
      break;
    case 'int':
    case 'bool':
    case 'double':
      text = String(value.value);
      break;
    default:
      text = '';
  }
  if (enumLabel !== undefined) text = `${enumLabel}(${text})`;
  if (text.length > BODY_VALUE_CHARS) text = `${text.slice(0, BODY_VALUE_CHARS)}…`;
  return text === '' || /[\s="]/.test(text) ? JSON.stringify(text) : text;
}

/**
 * Maps a notification net-snmp decoded (v1 Trap-PDU, SNMPv2-Trap or InformRequest, any version)
 * into a resource and a log record; undefined for a v2 PDU without snmpTrapOID.0, which RFC 3416
 * 4.2.6 requires as the second varbind and without which the notification means nothing.
 */
export function mapNotification(n: Notification, receivedAt: UnixNanos, mib: MibNames): MappedTrap | undefined {
  const { pdu, rinfo } = n;
  const isV1 = pdu.type === PDU_TRAP_V1;
  const version = isV1 ? 'v1' : pdu.scoped ? 'v3' : 'v2c';
  const varbinds = pdu.varbinds ?? [];

  let trapOid: string;
  if (isV1) {
    trapOid = v1TrapOid(pdu.enterprise ?? '', pdu.generic ?? 6, pdu.specific ?? 0);
  } else {
    const v = varbinds.find((vb) => vb.oid === SNMP_TRAP_OID_0);
    if (!v || v.type !== SMI.OID || typeof v.value !== 'string') return undefined;
    trapOid = v.value;
  }
  const trapName = mib.nameOf(trapOid);

  // The device's own name is the best identity; a v1 agent-addr or a proxy's snmpTrapAddress.0 names
  // the originating agent when the packet was relayed; the UDP source is the last resort.
  const v1Agent = isV1 && pdu.agentAddr && pdu.agentAddr !== '0.0.0.0' ? pdu.agentAddr : undefined;
  const host =
    stringOf(varbinds.find((vb) => vb.oid === SYS_NAME_0)) ??
    v1Agent ??
    stringOf(varbinds.find((vb) => vb.oid === SNMP_TRAP_ADDRESS_0)) ??
    rinfo.address;

  const attributes: KeyValue[] = [
    { key: 'snmp.version', value: str(version) },
    { key: 'snmp.pdu.type', value: str(pdu.type === PDU_INFORM ? 'inform' : 'trap') },
    { key: 'snmp.trap.oid', value: str(trapOid) },
  ];
  if (trapName !== undefined) attributes.push({ key: 'snmp.trap.name', value: str(trapName) });
  const seen = new Set<string>();
  if (version === 'v3' && pdu.user !== undefined) attributes.push({ key: 'snmp.user', value: str(pdu.user) });
  if (isV1) {
    attributes.push(
      { key: 'snmp.v1.enterprise', value: str(pdu.enterprise ?? '') },
      { key: 'snmp.v1.generic_trap', value: int(pdu.generic ?? 0) },
      { key: 'snmp.v1.specific_trap', value: int(pdu.specific ?? 0) },
      { key: 'snmp.v1.agent_address', value: str(pdu.agentAddr ?? '') },
    );
    // A v1 trap carries the agent's uptime in the PDU; RFC 3584 makes it the sysUpTime.0 varbind.
    if (typeof pdu.upTime === 'number') {
      attributes.push({ key: `${VARBIND_PREFIX}sysUpTime`, value: int(pdu.upTime) });
      seen.add(`${VARBIND_PREFIX}sysUpTime`);
    }
  }

  const summary: string[] = [];
  for (const vb of varbinds) {
    if (vb.oid === SNMP_TRAP_OID_0) continue;
    const value = varbindValue(vb.type, vb.value);
    const resolved = mib.resolve(vb.oid);
    let key = resolved ? VARBIND_PREFIX + resolved.name : VARBIND_PREFIX + vb.oid;
    // Two instances of one object (ifOperStatus.3 and .4) cannot share a key; the later keeps its OID.
    const keepInstance = resolved !== undefined && !seen.has(key);
    if (!keepInstance) key = VARBIND_PREFIX + vb.oid;
    seen.add(key);
    attributes.push({ key, value });
    if (keepInstance && resolved.instance !== '' && resolved.instance !== '0') {
      attributes.push({ key: `${key}.instance`, value: str(resolved.instance) });
    }
    if (vb.oid === SYS_UPTIME_0) continue; // uptime says nothing about the event; it stays an attribute
    const label = resolved?.name ?? vb.oid;
    const enumLabel = value.type === 'int' && resolved ? mib.enumerationOf(resolved.objectOid)?.get(Number(value.value)) : undefined;
    summary.push(`${label}=${bodyText(value, enumLabel)}`);
  }
  attributes.push({ key: 'network.peer.address', value: str(rinfo.address) }, { key: 'network.peer.port', value: int(rinfo.port) });

  const severity = trapSeverity(trapOid);
  const head = `${trapName ?? trapOid} from ${host}`;
  const record: LogRecord = {
    // A trap carries only the agent's uptime, not a wall-clock time, so the event time is when it arrived.
    timeUnixNano: receivedAt,
    observedTimeUnixNano: receivedAt,
    severityNumber: severity,
    severityText: severity === SeverityNumber.Warn ? 'WARN' : 'INFO',
    body: str(summary.length > 0 ? `${head}: ${summary.join(' ')}` : head),
    attributes,
    droppedAttributesCount: 0,
    flags: 0,
    traceId: EMPTY_ID,
    spanId: EMPTY_ID,
    eventName: '',
  };
  return { resource: [{ key: 'host.name', value: str(host) }], record };
}
