import { isIP } from 'node:net';
import { getAttribute, getStringAttribute } from '../model/attributes.js';
import type { Attributes } from '../model/attributes.js';
import type { Resource } from '../model/resource.js';
import type { TopologyConfig } from './topology-config.js';
import { addTo, removeFrom } from './set-multimap.js';

// Evidence is kept per resource identity, not per resource as sent: every instance, pod and host of
// one service version aggregates together (a gate compares versions, not pods), while a network device
// known by a syslog HOSTNAME, a sender address, an SNMP agent address and a sysName is one identity.
// Identities are interned to small integers so that the evidence store and the topology key by number.

export type ResourceKind = 'service' | 'host' | 'device';

export interface ResourceInfo {
  readonly id: number;
  readonly key: string;
  readonly kind: ResourceKind;
  /**
   * For a service: service.name, service.namespace, service.version, deployment.environment.name and
   * the descriptive attributes of the first resource seen (per-instance ones such as host.* left out).
   * For a host or device: host.name (its canonical name) and host.id / syslog.vendor when known.
   */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface ResourceRegistryOptions {
  /** Identities kept at most, declared ones included; the least recently seen learned ones go first. */
  readonly maxResources: number;
  /** Devices and hosts declared here are known from the start, with their aliases, and never evicted. */
  readonly topology?: TopologyConfig;
  /** Called when an identity is forgotten, so that what is keyed by its id can be dropped. */
  readonly onEvict?: (id: number) => void;
  /**
   * Called when two identities turn out to be one (a device first known by address, later by name).
   * `fromId` keeps resolving to `intoId` through byId until `intoId` itself is evicted.
   */
  readonly onMerge?: (fromId: number, intoId: number) => void;
}

/**
 * Aliases compare case-insensitively, without a trailing root dot, and with IPv4-mapped IPv6
 * addresses (what a dual-stack socket reports for an IPv4 sender) written as plain IPv4.
 */
export function normalizeAlias(raw: string): string {
  let s = raw.trim().toLowerCase();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s.startsWith('::ffff:') && isIP(s.slice(7)) === 4) s = s.slice(7);
  return s;
}

/** The first label of a DNS name ("edge-sw-1" of "edge-sw-1.example.net"); undefined for addresses and single labels. */
export function shortLabel(alias: string): string | undefined {
  if (isIP(alias) !== 0) return undefined;
  const dot = alias.indexOf('.');
  return dot > 0 ? alias.slice(0, dot) : undefined;
}

/** Whether a service matches a reference as config and scopes write it: "name" or "namespace/name". */
export function serviceMatchesRef(info: ResourceInfo, ref: string): boolean {
  if (info.kind !== 'service') return false;
  const name = info.attributes['service.name'];
  if (name === ref) return true;
  const slash = ref.indexOf('/');
  return slash > 0 && name === ref.slice(slash + 1) && (info.attributes['service.namespace'] ?? '') === ref.slice(0, slash);
}

/**
 * What tells one service's deployments apart. k8s.deployment.name is among them because a Flagger
 * canary and its primary (NAME and NAME-primary) often run the same service.version: merged, the
 * canary could not be compared with its stable side. Pods of one Deployment share it, so it adds
 * one identity per Deployment, not per pod.
 */
const SERVICE_KEY_ATTRIBUTES = ['service.name', 'service.namespace', 'service.version', 'deployment.environment.name', 'k8s.deployment.name'];
/** Attributes that differ between instances of one service, so the first instance's value would mislead. */
const PER_INSTANCE_PREFIXES = ['service.instance.', 'host.', 'k8s.pod.', 'k8s.node.', 'process.', 'container.', 'os.'];
const MAX_DESCRIPTIVE_ATTRIBUTES = 32;
/** The name OpenTelemetry SDKs give a service that did not set one; used for resources with no identity at all. */
const UNKNOWN_SERVICE = 'unknown_service';

/** Key parts are escaped so that no value can forge another key ("a|b" as a name is not two parts). */
function keyPart(s: string): string {
  return s.includes('%') || s.includes('|') ? s.replaceAll('%', '%25').replaceAll('|', '%7C') : s;
}

interface Entry {
  info: ResourceInfo;
  readonly pinned: boolean;
  /** Normalized aliases (hosts and devices only). */
  readonly aliases: Set<string>;
  /** Knows at least one name, not only addresses: an address-only identity may be adopted by a named one. */
  hasName: boolean;
  /** Ids merged into this one, which byId still resolves here. */
  merged: number[];
}

function stringValues(attrs: Attributes, key: string): string[] {
  const v = getAttribute(attrs, key);
  if (v === undefined) return [];
  if (v.type === 'string') return v.value === '' ? [] : [v.value];
  if (v.type !== 'array') return [];
  const out: string[] = [];
  for (const item of v.value) if (item.type === 'string' && item.value !== '') out.push(item.value);
  return out;
}

export class ResourceRegistry {
  /** Learned identities in least-recently-seen-first order (a Map keeps insertion order; touching re-inserts). */
  private readonly learned = new Map<number, Entry>();
  private readonly pinned = new Map<number, Entry>();
  private readonly serviceByKey = new Map<string, number>();
  private readonly servicesByName = new Map<string, Set<number>>();
  private readonly aliasToId = new Map<string, number>();
  /** Short labels of FQDN aliases, so that a syslog HOSTNAME "edge-sw-1" finds "edge-sw-1.example.net". */
  private readonly shortNames = new Map<string, Set<number>>();
  private readonly declaredAliases = new Set<string>();
  /**
   * Addresses seen for two differently named identities: a syslog relay or a NAT, not a device.
   * They are never learned as aliases again; bounded, oldest forgotten first.
   */
  private readonly ambiguous = new Map<string, true>();
  private readonly redirects = new Map<number, number>();
  private readonly cache = new WeakMap<Resource, number>();
  private nextId = 1;
  private evictedCount = 0;

  constructor(private readonly options: ResourceRegistryOptions) {
    if (!(options.maxResources >= 1)) throw new RangeError('maxResources must be at least 1');
    if (options.topology) this.declare(options.topology);
    if (this.pinned.size >= options.maxResources) {
      throw new RangeError(
        `topology declares ${this.pinned.size} devices and hosts, which leaves no room under maxResources ${options.maxResources}`,
      );
    }
  }

  get evicted(): number {
    return this.evictedCount;
  }

  get size(): number {
    return this.learned.size + this.pinned.size;
  }

  /** For one batch entry. Cached by Resource object identity, so a batch pays once per resource, not per record. */
  resolveResource(resource: Resource): ResourceInfo {
    const cached = this.cache.get(resource);
    if (cached !== undefined) {
      const entry = this.entry(cached);
      if (entry) {
        this.touch(entry);
        return entry.info;
      }
    }
    const info = this.identify(resource.attributes);
    this.cache.set(resource, info.id);
    return info;
  }

  /**
   * For a device log record: identity from resource host.name plus the record's network.peer.address
   * (learned as an alias) and snmp.varbind.sysName. A record with syslog.vendor or SNMP attributes is a
   * device; any other sender (a server's rsyslog) is a host.
   */
  resolveDevice(resource: Resource, recordAttributes: Attributes): ResourceInfo {
    const attrs = resource.attributes;
    const vendor = getStringAttribute(recordAttributes, 'syslog.vendor') ?? getStringAttribute(attrs, 'syslog.vendor');
    let isDevice = vendor !== undefined;
    if (!isDevice) for (const kv of recordAttributes) if (kv.key.startsWith('snmp.')) isDevice = true;
    const candidates = [
      ...stringValues(attrs, 'host.name'),
      ...stringValues(recordAttributes, 'snmp.varbind.sysName'),
      ...stringValues(attrs, 'host.id'),
      ...stringValues(recordAttributes, 'network.peer.address'),
      ...stringValues(attrs, 'host.ip'),
    ];
    const extra: Record<string, string> = {};
    if (vendor !== undefined) extra['syslog.vendor'] = vendor;
    return this.resolveHostLike(isDevice ? 'device' : 'host', candidates, extra);
  }

  byId(id: number): ResourceInfo | undefined {
    return this.entry(id)?.info;
  }

  findByAlias(nameOrAddress: string): ResourceInfo | undefined {
    const id = this.lookup(normalizeAlias(nameOrAddress));
    return id === undefined ? undefined : this.entry(id)?.info;
  }

  /** The normalized aliases of a host or device (empty for services and unknown ids). */
  aliasesOf(id: number): readonly string[] {
    const entry = this.entry(id);
    return entry ? [...entry.aliases] : [];
  }

  /** Service identities matching "name" or "namespace/name", every version and environment. */
  servicesMatching(ref: string): number[] {
    const out: number[] = [];
    const add = (name: string) => {
      for (const id of this.servicesByName.get(name) ?? []) {
        const info = this.learned.get(id)?.info;
        if (info && serviceMatchesRef(info, ref)) out.push(id);
      }
    };
    add(ref);
    const slash = ref.indexOf('/');
    if (slash > 0) add(ref.slice(slash + 1));
    return out;
  }

  *all(): Iterable<ResourceInfo> {
    for (const e of this.pinned.values()) yield e.info;
    for (const e of this.learned.values()) yield e.info;
  }

  private entry(id: number): Entry | undefined {
    const direct = this.learned.get(id) ?? this.pinned.get(id);
    if (direct) return direct;
    const into = this.redirects.get(id);
    return into === undefined ? undefined : (this.learned.get(into) ?? this.pinned.get(into));
  }

  private touch(entry: Entry): void {
    if (entry.pinned) return;
    this.learned.delete(entry.info.id);
    this.learned.set(entry.info.id, entry);
  }

  /** Exact alias, else the short-name relation in either direction (FQDN found by label, label by a unique FQDN). */
  private lookup(alias: string): number | undefined {
    const exact = this.aliasToId.get(alias);
    if (exact !== undefined) return exact;
    const label = shortLabel(alias);
    if (label !== undefined) return this.aliasToId.get(label);
    const owners = this.shortNames.get(alias);
    if (owners?.size === 1) for (const id of owners) return id;
    return undefined;
  }

  private identify(attrs: Attributes): ResourceInfo {
    const serviceName = getStringAttribute(attrs, 'service.name');
    if (serviceName !== undefined && serviceName !== '') {
      const info = this.resolveService(attrs, serviceName);
      this.learnHostAliases(attrs);
      return info;
    }
    const candidates = [...stringValues(attrs, 'host.name'), ...stringValues(attrs, 'host.id'), ...stringValues(attrs, 'host.ip')];
    if (candidates.length === 0) return this.resolveService(attrs, UNKNOWN_SERVICE);
    const vendor = getStringAttribute(attrs, 'syslog.vendor');
    return this.resolveHostLike(vendor !== undefined ? 'device' : 'host', candidates, vendor !== undefined ? { 'syslog.vendor': vendor } : {});
  }

  private resolveService(attrs: Attributes, name: string): ResourceInfo {
    const namespace = getStringAttribute(attrs, 'service.namespace') ?? '';
    const version = getStringAttribute(attrs, 'service.version') ?? '';
    const environment =
      getStringAttribute(attrs, 'deployment.environment.name') ?? getStringAttribute(attrs, 'deployment.environment') ?? '';
    const deployment = getStringAttribute(attrs, 'k8s.deployment.name') ?? '';
    const key = `service|${keyPart(namespace)}|${keyPart(name)}|${keyPart(version)}|${keyPart(environment)}|${keyPart(deployment)}`;
    const known = this.serviceByKey.get(key);
    if (known !== undefined) {
      const entry = this.learned.get(known)!;
      this.touch(entry);
      return entry.info;
    }
    const attributes: Record<string, string> = { 'service.name': name };
    if (namespace !== '') attributes['service.namespace'] = namespace;
    if (version !== '') attributes['service.version'] = version;
    if (environment !== '') attributes['deployment.environment.name'] = environment;
    if (deployment !== '') attributes['k8s.deployment.name'] = deployment;
    let extra = 0;
    for (const kv of attrs) {
      if (extra >= MAX_DESCRIPTIVE_ATTRIBUTES) break;
      if (kv.value.type !== 'string' || Object.hasOwn(attributes, kv.key) || SERVICE_KEY_ATTRIBUTES.includes(kv.key)) continue;
      // Keys come from senders; a "__proto__" key must not reach the object's prototype slot.
      if (kv.key === '__proto__') continue;
      if (kv.key === 'deployment.environment' || PER_INSTANCE_PREFIXES.some((p) => kv.key.startsWith(p))) continue;
      attributes[kv.key] = kv.value.value;
      extra++;
    }
    const entry = this.create('service', key, attributes, false);
    this.serviceByKey.set(key, entry.info.id);
    addTo(this.servicesByName, name, entry.info.id);
    return entry.info;
  }

  /**
   * A service resource's host.name, host.id and host.ip name one machine: when that machine is already
   * known (declared, or a syslog sender), the others become its aliases. Unknown machines are not
   * created here, as one would be made per pod.
   */
  private learnHostAliases(attrs: Attributes): void {
    const candidates = [...stringValues(attrs, 'host.name'), ...stringValues(attrs, 'host.id'), ...stringValues(attrs, 'host.ip')];
    if (candidates.length < 2) return;
    const aliases = candidates.map(normalizeAlias);
    let target: Entry | undefined;
    for (const a of aliases) {
      const id = this.aliasToId.get(a);
      if (id !== undefined) {
        target = this.entry(id);
        break;
      }
    }
    if (!target) return;
    for (const a of aliases) if (!this.aliasToId.has(a) && !this.ambiguous.has(a)) this.addAlias(target, a, false);
  }

  private resolveHostLike(kind: 'host' | 'device', candidates: readonly string[], extra: Record<string, string>): ResourceInfo {
    const names: string[] = [];
    const addresses: string[] = [];
    for (const raw of candidates) {
      const a = normalizeAlias(raw);
      if (a === '' || names.includes(a) || addresses.includes(a)) continue;
      (isIP(a) !== 0 ? addresses : names).push(a);
    }

    let target: Entry | undefined;
    for (const n of names) {
      const id = this.lookup(n);
      if (id !== undefined) {
        target = this.entry(id);
        break;
      }
    }
    if (!target) {
      for (const a of addresses) {
        // A relay's address may still name the relay itself (records with no name), never a named sender.
        if (names.length > 0 && this.ambiguous.has(a)) continue;
        const id = this.aliasToId.get(a);
        if (id === undefined) continue;
        const owner = this.entry(id)!;
        // A record that brings a name adopts an address-only identity, or one that config says owns the
        // address; an address already owned by a differently named identity is a relay, not this device.
        if (names.length === 0 || !owner.hasName || this.declaredAliases.has(a)) {
          target = owner;
          break;
        }
        if (!this.ambiguous.has(a)) this.markAmbiguous(a);
      }
    }
    if (!target) {
      const canonical = names[0] ?? addresses[0]!;
      target = this.create(kind, `${kind}|${keyPart(canonical)}`, { 'host.name': canonical, ...extra }, false);
    } else {
      this.touch(target);
    }

    for (const n of names) {
      const id = this.aliasToId.get(n);
      if (id === undefined) {
        this.addAlias(target, n, false);
        continue;
      }
      if (id === target.info.id) continue;
      // Two names in one record (host.name and sysName) are one device: join their identities.
      const other = this.entry(id);
      if (other && other !== target) target = this.merge(other, target) ?? target;
    }
    for (const a of addresses) {
      if (names.length > 0 && this.ambiguous.has(a)) continue;
      const id = this.aliasToId.get(a);
      if (id === undefined) {
        this.addAlias(target, a, false);
        continue;
      }
      const other = this.entry(id);
      if (!other || other === target) continue;
      if (!other.hasName) target = this.merge(other, target) ?? target;
      else if (!this.declaredAliases.has(a)) this.markAmbiguous(a);
    }

    this.upgrade(target, kind, names[0], extra);
    return target.info;
  }

  /** Kinds only grow more specific (host to device); an address-only identity takes its first name. */
  private upgrade(entry: Entry, kind: ResourceKind, name: string | undefined, extra: Record<string, string>): void {
    const info = entry.info;
    const toDevice = kind === 'device' && info.kind === 'host';
    const missing = Object.keys(extra).some((k) => info.attributes[k] === undefined);
    const rename = name !== undefined && isIP(info.attributes['host.name'] ?? '') !== 0 && !entry.pinned;
    if (!toDevice && !missing && !rename) return;
    const newKind = toDevice ? 'device' : info.kind;
    const hostName = rename ? name : (info.attributes['host.name'] ?? '');
    entry.info = Object.freeze({
      id: info.id,
      key: `${newKind}|${keyPart(hostName)}`,
      kind: newKind,
      attributes: Object.freeze({ ...extra, ...info.attributes, 'host.name': hostName }),
    });
  }

  /** Joins two host/device identities; the pinned or older one survives. Undefined when both are declared. */
  private merge(a: Entry, b: Entry): Entry | undefined {
    if (a.pinned && b.pinned) return undefined;
    const [into, from] = b.pinned || (!a.pinned && b.info.id < a.info.id) ? [b, a] : [a, b];
    for (const alias of from.aliases) {
      this.aliasToId.set(alias, into.info.id);
      into.aliases.add(alias);
      const label = shortLabel(alias);
      if (label !== undefined) {
        removeFrom(this.shortNames, label, from.info.id);
        addTo(this.shortNames, label, into.info.id);
      }
    }
    into.hasName ||= from.hasName;
    into.merged.push(from.info.id, ...from.merged);
    for (const id of into.merged) this.redirects.set(id, into.info.id);
    this.learned.delete(from.info.id);
    if (from.info.kind === 'device' && into.info.kind === 'host') this.upgrade(into, 'device', undefined, {});
    const fromName = from.info.attributes['host.name'];
    if (from.hasName && fromName !== undefined && isIP(fromName) === 0) this.upgrade(into, into.info.kind, fromName, {});
    this.options.onMerge?.(from.info.id, into.info.id);
    return into;
  }

  private markAmbiguous(address: string): void {
    const id = this.aliasToId.get(address);
    if (id !== undefined && !this.declaredAliases.has(address)) {
      this.aliasToId.delete(address);
      this.entry(id)?.aliases.delete(address);
    }
    this.ambiguous.set(address, true);
    // Bounded like everything else: a flood of relays forgets the oldest first.
    if (this.ambiguous.size > this.options.maxResources) {
      for (const first of this.ambiguous.keys()) {
        this.ambiguous.delete(first);
        break;
      }
    }
  }

  private addAlias(entry: Entry, alias: string, declared: boolean): void {
    this.aliasToId.set(alias, entry.info.id);
    entry.aliases.add(alias);
    if (declared) this.declaredAliases.add(alias);
    if (isIP(alias) === 0) entry.hasName = true;
    const label = shortLabel(alias);
    if (label !== undefined) addTo(this.shortNames, label, entry.info.id);
  }

  private create(kind: ResourceKind, key: string, attributes: Record<string, string>, pinned: boolean): Entry {
    if (!pinned) {
      while (this.size >= this.options.maxResources && this.learned.size > 0) {
        for (const oldest of this.learned.values()) {
          this.evict(oldest);
          break;
        }
      }
    }
    const info: ResourceInfo = Object.freeze({ id: this.nextId++, key, kind, attributes: Object.freeze(attributes) });
    const entry: Entry = { info, pinned, aliases: new Set(), hasName: false, merged: [] };
    (pinned ? this.pinned : this.learned).set(info.id, entry);
    return entry;
  }

  private evict(entry: Entry): void {
    const id = entry.info.id;
    this.learned.delete(id);
    if (entry.info.kind === 'service') {
      this.serviceByKey.delete(entry.info.key);
      removeFrom(this.servicesByName, entry.info.attributes['service.name'] ?? '', id);
    }
    for (const alias of entry.aliases) {
      if (this.aliasToId.get(alias) === id) this.aliasToId.delete(alias);
      const label = shortLabel(alias);
      if (label !== undefined) removeFrom(this.shortNames, label, id);
    }
    for (const merged of entry.merged) this.redirects.delete(merged);
    this.evictedCount++;
    this.options.onEvict?.(id);
  }

  private declare(topology: TopologyConfig): void {
    const declareOne = (kind: 'host' | 'device', name: string, addresses: readonly string[]) => {
      const canonical = normalizeAlias(name);
      const known = this.aliasToId.get(canonical);
      const entry =
        (known !== undefined ? this.pinned.get(known) : undefined) ??
        this.create(kind, `${kind}|${keyPart(canonical)}`, { 'host.name': canonical }, true);
      for (const a of [canonical, ...addresses.map(normalizeAlias)]) if (!this.aliasToId.has(a)) this.addAlias(entry, a, true);
    };
    for (const d of topology.devices) declareOne('device', d.name, d.addresses);
    for (const h of topology.hosts) declareOne('host', h.name, h.addresses);
    // Hosts named behind a device but not listed under hosts are declared too, so they are never evicted.
    for (const d of topology.devices) {
      for (const h of d.hosts) declareOne('host', h, []);
      for (const i of d.interfaces) for (const h of i.hosts) declareOne('host', h, []);
    }
  }
}
