import { bool, EMPTY_VALUE, int, str } from '../../model/attributes.js';
import type { AnyValue } from '../../model/attributes.js';

// ASN.1 / SMI tags of varbind values as net-snmp reports them (RFC 2578, RFC 3416).
export const SMI = {
  Boolean: 1,
  Integer: 2,
  BitString: 3,
  OctetString: 4,
  Null: 5,
  OID: 6,
  IpAddress: 64,
  Counter: 65,
  Gauge: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
  NoSuchObject: 128,
  NoSuchInstance: 129,
  EndOfMibView: 130,
} as const;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An OCTET STRING as text when it is printable UTF-8 (DisplayString, ifDescr, sysName), else as
 * lower-case hex (MAC addresses, binary states), as there is no type to tell them apart on the wire.
 * Tabs and line breaks count as printable; other control characters and NULs do not.
 */
export function octetsToText(bytes: Uint8Array): string {
  let text: string | undefined;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = undefined;
  }
  if (text !== undefined && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return text;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function unsignedBigEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

/** A varbind value as an attribute: integers as int, strings as text or hex, OIDs and addresses as text. */
export function varbindValue(type: number, value: unknown): AnyValue {
  switch (type) {
    case SMI.Integer:
    case SMI.Counter:
    case SMI.Gauge:
    case SMI.TimeTicks:
      return typeof value === 'number' ? int(value) : EMPTY_VALUE;
    case SMI.Counter64:
      // net-snmp hands Counter64 over as the raw big-endian bytes, since a number cannot hold it.
      return value instanceof Uint8Array ? int(unsignedBigEndian(value)) : typeof value === 'number' ? int(value) : EMPTY_VALUE;
    case SMI.OctetString:
      return value instanceof Uint8Array ? str(octetsToText(value)) : typeof value === 'string' ? str(value) : EMPTY_VALUE;
    case SMI.Opaque:
    case SMI.BitString:
      return value instanceof Uint8Array ? str(Buffer.from(value).toString('hex')) : EMPTY_VALUE;
    case SMI.OID:
    case SMI.IpAddress:
      return typeof value === 'string' ? str(value) : EMPTY_VALUE;
    case SMI.Boolean:
      return typeof value === 'boolean' ? bool(value) : EMPTY_VALUE;
    default:
      // Null, noSuchObject, noSuchInstance, endOfMibView: the varbind is there but carries no value.
      return EMPTY_VALUE;
  }
}
