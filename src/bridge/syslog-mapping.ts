import { int, str } from '../model/attributes.js';
import type { AnyValue, Attributes, KeyValue } from '../model/attributes.js';
import { EMPTY_ID } from '../model/ids.js';
import type { LogRecord } from '../model/log-record.js';
import type { UnixNanos } from '../model/time.js';
import type { StructuredDataElement, SyslogField, SyslogMessage, SyslogOrigin } from '../wire/syslog/syslog-message.js';
import { syslogSeverityToOtel } from '../wire/syslog/syslog-severity.js';

// A parsed syslog message as an OpenTelemetry log record, following the log data model's syslog
// appendix: TIMESTAMP -> Timestamp, severity -> SeverityNumber/SeverityText, MSG -> Body,
// HOSTNAME -> resource host.name, APP-NAME -> resource service.name, the other header fields and
// structured data -> attributes. Vendor parts get `syslog.*` attributes shared by all bridge
// components. docs/syslog.md lists every field.

export interface SyslogMappingContext {
  readonly observedTimeUnixNano: UnixNanos;
  readonly peerAddress?: string;
  readonly peerPort?: number;
  readonly transport?: 'udp' | 'tcp';
}

export interface MappedSyslogRecord {
  readonly resource: Attributes;
  readonly record: LogRecord;
}

const NO_RESOURCE: Attributes = Object.freeze([]);

/**
 * Adds name=value pairs under `prefix`; a name that repeats (RFC 5424 allows it in SD elements,
 * key=value senders do it too) becomes one attribute holding an array of the values, because
 * attribute keys must be unique.
 */
function addPairs(attributes: KeyValue[], prefix: string, pairs: readonly SyslogField[]): void {
  const firstAt = attributes.length;
  // Few pairs: a linear search for repeats is cheapest. Many (a firewall's 40 key=value pairs):
  // an index keeps it linear in the number of pairs.
  const index = pairs.length > 8 ? new Map<string, number>() : undefined;
  for (const [name, value] of pairs) {
    const key = prefix + name;
    let existing = -1;
    if (index !== undefined) {
      existing = index.get(key) ?? -1;
      if (existing < 0) index.set(key, attributes.length);
    } else {
      for (let i = firstAt; i < attributes.length; i++) {
        if (attributes[i]!.key === key) {
          existing = i;
          break;
        }
      }
    }
    if (existing < 0) {
      attributes.push({ key, value: str(value) });
      continue;
    }
    const previous = attributes[existing]!.value;
    const values: AnyValue[] = previous.type === 'array' ? [...previous.value, str(value)] : [previous, str(value)];
    attributes[existing] = { key, value: { type: 'array', value: values } };
  }
}

// A device sends thousands of messages under one HOSTNAME and APP-NAME; handing on the same frozen
// resource array for each lets the emitter group them by identity instead of building a key per
// message. Bounded: a flood of distinct names empties the cache rather than growing it.
const RESOURCE_CACHE_LIMIT = 10_000;
const resourceCache = new Map<string, Map<string, Attributes>>();
let resourceCacheSize = 0;

function syslogResource(hostname: string | undefined, appName: string | undefined): Attributes {
  if (hostname === undefined && appName === undefined) return NO_RESOURCE;
  const h = hostname ?? '\u0000';
  const a = appName ?? '\u0000';
  let byApp = resourceCache.get(h);
  const cached = byApp?.get(a);
  if (cached) return cached;
  const r: KeyValue[] = [];
  if (hostname !== undefined) r.push({ key: 'host.name', value: str(hostname) });
  if (appName !== undefined) r.push({ key: 'service.name', value: str(appName) });
  const resource = Object.freeze(r);
  if (resourceCacheSize >= RESOURCE_CACHE_LIMIT) {
    resourceCache.clear();
    resourceCacheSize = 0;
    byApp = undefined;
  }
  if (!byApp) {
    byApp = new Map();
    resourceCache.set(h, byApp);
  }
  byApp.set(a, resource);
  resourceCacheSize++;
  return resource;
}

// The parser hands out one SyslogOrigin object per (HOSTNAME, APP-NAME) it has cached: the resource
// for it is found by the object's identity, which costs less than looking both strings up (a Map
// compares string keys by their characters). It is the frozen array syslogResource() has for the
// two names (unless that cache was emptied since; the emitter then groups the two equal arrays by
// their content).
const originResources = new WeakMap<SyslogOrigin, Attributes>();

function originResource(origin: SyslogOrigin): Attributes {
  let resource = originResources.get(origin);
  if (resource === undefined) {
    resource = syslogResource(origin.hostname, origin.appName);
    originResources.set(origin, resource);
  }
  return resource;
}

// Attributes whose values repeat from message to message are made once and shared (the model is
// read-only): at hundreds of thousands of messages a second, each object not made is garbage not
// collected.
const FORMAT_ATTRIBUTES = new Map<string, KeyValue>();
const FACILITY_ATTRIBUTES: KeyValue[] = Array.from({ length: 24 }, (_, f) => Object.freeze({ key: 'syslog.facility', value: int(f) }));
const VERSION_1: KeyValue = Object.freeze({ key: 'syslog.version', value: int(1) });
const TRANSPORT_ATTRIBUTES: Readonly<Record<'udp' | 'tcp', KeyValue>> = {
  udp: Object.freeze({ key: 'network.transport', value: str('udp') }),
  tcp: Object.freeze({ key: 'network.transport', value: str('tcp') }),
};
const SHARED_LIMIT = 4096;
const peerAddresses = new Map<string, KeyValue>();
const peerPorts = new Map<number, KeyValue>();

function shared<K>(cache: Map<K, KeyValue>, k: K, make: () => KeyValue): KeyValue {
  let kv = cache.get(k);
  if (kv === undefined) {
    if (cache.size >= SHARED_LIMIT) cache.clear();
    kv = Object.freeze(make());
    cache.set(k, kv);
  }
  return kv;
}

/** The attributes of structured data: syslog.sd.<SD-ID>.<name> per parameter, syslog.sd.<SD-ID> for an element without any. */
function addStructuredData(attributes: KeyValue[], elements: readonly StructuredDataElement[]): void {
  for (const element of elements) {
    if (element.params.length > 0) addPairs(attributes, `syslog.sd.${element.id}.`, element.params);
    // An element without parameters still says something ("[meta]" flags); it is kept as present.
    else attributes.push({ key: `syslog.sd.${element.id}`, value: { type: 'bool', value: true } });
  }
}

// Structured data the parser shares between messages (the same SD text as before, from its cache:
// those arrays are frozen) maps to the same attributes every time; they are made once per array
// and shared. Any other structured data is mapped afresh. A WeakMap, so an array the parser drops
// takes its attributes with it.
const sharedSdAttributes = new WeakMap<readonly StructuredDataElement[], readonly KeyValue[]>();

function addSharedStructuredData(attributes: KeyValue[], elements: readonly StructuredDataElement[]): void {
  let cached = sharedSdAttributes.get(elements);
  if (cached === undefined) {
    // Only the parser's shared arrays, frozen all the way down, cannot change under the cache.
    if (!Object.isFrozen(elements)) {
      addStructuredData(attributes, elements);
      return;
    }
    const made: KeyValue[] = [];
    addStructuredData(made, elements);
    for (const kv of made) Object.freeze(kv);
    cached = Object.freeze(made);
    sharedSdAttributes.set(elements, cached);
  }
  for (let i = 0; i < cached.length; i++) attributes.push(cached[i]!);
}

export function syslogToLogRecord(msg: SyslogMessage, ctx: SyslogMappingContext): MappedSyslogRecord {
  const resource = msg.origin !== undefined ? originResource(msg.origin) : syslogResource(msg.hostname, msg.appName);

  const attributes: KeyValue[] = [shared(FORMAT_ATTRIBUTES, msg.format, () => ({ key: 'syslog.format', value: str(msg.format) }))];
  if (msg.facility !== undefined) attributes.push(FACILITY_ATTRIBUTES[msg.facility] ?? { key: 'syslog.facility', value: int(msg.facility) });
  if (msg.version !== undefined) attributes.push(msg.version === 1 ? VERSION_1 : { key: 'syslog.version', value: int(msg.version) });
  if (msg.procId !== undefined) attributes.push({ key: 'syslog.procid', value: str(msg.procId) });
  if (msg.msgId !== undefined) attributes.push({ key: 'syslog.msgid', value: str(msg.msgId) });
  if (msg.vendor !== undefined) attributes.push({ key: 'syslog.vendor', value: str(msg.vendor) });
  if (msg.mnemonic !== undefined) attributes.push({ key: 'syslog.mnemonic', value: str(msg.mnemonic) });
  if (msg.fields.length > 0) addPairs(attributes, 'syslog.field.', msg.fields);
  if (msg.structuredData.length > 0) addSharedStructuredData(attributes, msg.structuredData);
  const { peerAddress, peerPort } = ctx;
  if (peerAddress !== undefined) attributes.push(shared(peerAddresses, peerAddress, () => ({ key: 'network.peer.address', value: str(peerAddress) })));
  if (peerPort !== undefined) attributes.push(shared(peerPorts, peerPort, () => ({ key: 'network.peer.port', value: int(peerPort) })));
  if (ctx.transport !== undefined) attributes.push(TRANSPORT_ATTRIBUTES[ctx.transport]);

  let body: AnyValue;
  if (msg.parseError !== undefined) {
    attributes.push({ key: 'syslog.parse_error', value: str(msg.parseError) });
    attributes.push({ key: 'log.record.original', value: str(msg.original) });
    body = str(msg.original);
  } else {
    body = str(msg.message);
  }

  const severity = syslogSeverityToOtel(msg.severity ?? -1);
  const record: LogRecord = {
    timeUnixNano: msg.timestamp ?? 0n,
    observedTimeUnixNano: ctx.observedTimeUnixNano,
    severityNumber: severity.number,
    severityText: severity.text,
    body,
    attributes,
    droppedAttributesCount: 0,
    flags: 0,
    traceId: EMPTY_ID,
    spanId: EMPTY_ID,
    eventName: '',
  };
  return { resource, record };
}
