import { normalizeAlias, serviceMatchesRef, shortLabel } from './resource-registry.js';
import type { ResourceInfo, ResourceRegistry } from './resource-registry.js';
import type { TopologyConfig } from './topology-config.js';
import { addTo, removeFrom } from './set-multimap.js';

// Which services depend on which hosts and devices: declared in config (what is cabled behind a
// switch is not visible in telemetry) and learned from data (where services run, which addresses
// they call, which services call which). A device event is only evidence about the services it can
// reach, so affectedServices is what joins device events to span and log evidence.

/**
 * Interface types as network OSes name them, canonical full name first, then the short forms in use
 * (Cisco's "Gi", Arista's "Et", NX-OS's "Eth"). Any other prefix of a full name of two letters or more
 * that picks one type also matches, as IOS accepts "Gig0/1".
 */
const INTERFACE_TYPES: readonly (readonly string[])[] = [
  ['fastethernet', 'fa'],
  ['gigabitethernet', 'gi', 'gige'],
  ['twogigabitethernet', 'tw'],
  ['fivegigabitethernet', 'fi'],
  ['tengigabitethernet', 'te', 'tengige'],
  ['twentyfivegige', 'twe', 'twentyfivegigabitethernet'],
  ['fortygigabitethernet', 'fo', 'fortygige'],
  ['hundredgige', 'hu', 'hundredgigabitethernet'],
  ['ethernet', 'eth', 'et'],
  ['port-channel', 'po', 'portchannel'],
  ['vlan', 'vl'],
  ['loopback', 'lo'],
  ['tunnel', 'tu'],
  ['management', 'mgmt', 'ma'],
];

function interfaceType(prefix: string): string | undefined {
  for (const forms of INTERFACE_TYPES) if (forms.includes(prefix)) return forms[0];
  if (prefix.length < 2) return undefined;
  let found: string | undefined;
  for (const forms of INTERFACE_TYPES) {
    if (!forms.some((f) => f.startsWith(prefix))) continue;
    if (found !== undefined) return undefined;
    found = forms[0];
  }
  return found;
}

/**
 * One spelling per interface: lower case, no spaces, the type written out in full, so that
 * "Gi0/1", "gigabitethernet 0/1" and "GigabitEthernet0/1" compare equal. Names without a
 * type-then-number shape (Juniper's "ge-0/0/1") are only lower-cased.
 */
export function canonicalInterfaceName(name: string): string {
  const s = name.trim().toLowerCase().replace(/\s+/g, '');
  const m = /^([a-z]+(?:-[a-z]+)*)(\d.*)$/.exec(s);
  if (!m) return s;
  const type = interfaceType(m[1]!);
  return type === undefined ? s : type + m[2]!;
}

/**
 * What a client span names as its peer, reduced to an address or host name: Istio's Envoy cluster
 * names ("outbound|8080||payments.shop.svc.cluster.local") carry the host in the last part.
 */
export function peerAlias(address: string): string {
  let s = address;
  if (s.includes('|')) {
    const parts = s.split('|').filter((p) => p !== '');
    s = parts[parts.length - 1] ?? '';
  }
  return normalizeAlias(s);
}

export interface TopologyOptions {
  readonly topology?: TopologyConfig;
  /** Learned edges kept at most (service-host, service-peer and call edges together); the least recently seen go first. */
  readonly maxEdges: number;
}

interface DependentSet {
  readonly hosts: readonly string[];
  readonly services: readonly string[];
}

interface DeclaredDevice extends DependentSet {
  readonly id: number;
  readonly name: string;
  readonly addresses: readonly string[];
  readonly interfaces: ReadonlyMap<string, DependentSet & { readonly name: string }>;
}

type Edge =
  | { readonly type: 'host'; readonly service: number; readonly name: string }
  | { readonly type: 'peer'; readonly service: number; readonly name: string }
  | { readonly type: 'call'; readonly service: number; readonly server: number };

export interface TopologyView {
  readonly declared: {
    readonly devices: readonly {
      id: number;
      name: string;
      addresses: readonly string[];
      hosts: readonly string[];
      services: readonly string[];
      interfaces: readonly { name: string; hosts: readonly string[]; services: readonly string[] }[];
    }[];
    readonly hosts: readonly { id: number; name: string; aliases: readonly string[] }[];
  };
  readonly learned: {
    readonly serviceHosts: readonly { serviceId: number; service: string; host: string }[];
    readonly servicePeers: readonly { serviceId: number; service: string; address: string }[];
    readonly calls: readonly { clientId: number; client: string; serverId: number; server: string }[];
  };
  readonly edges: { readonly count: number; readonly max: number; readonly evicted: number; readonly truncated: boolean };
}

/** A name and, for a DNS name, its first label: services report "node-7" or "node-7.cluster.local" alike. */
function nameKeys(name: string): string[] {
  const label = shortLabel(name);
  return label === undefined ? [name] : [name, label];
}

export class Topology {
  private readonly devices = new Map<number, DeclaredDevice>();
  private readonly declaredHosts: { id: number; name: string }[] = [];
  /** Learned edges, least recently seen first. */
  private readonly edges = new Map<string, Edge>();
  private readonly hostsOfService = new Map<number, Set<string>>();
  private readonly servicesOnHostName = new Map<string, Set<number>>();
  private readonly peersOfService = new Map<number, Set<string>>();
  private readonly servicesByPeer = new Map<string, Set<number>>();
  private readonly callersOf = new Map<number, Set<number>>();
  private readonly calleesOf = new Map<number, Set<number>>();
  private evictedEdges = 0;

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly options: TopologyOptions,
  ) {
    if (!(options.maxEdges >= 1)) throw new RangeError('maxEdges must be at least 1');
    const config = options.topology;
    if (!config) return;
    // The registry declared every device and host of this config, so their names resolve (and stay).
    for (const d of config.devices) {
      const info = registry.findByAlias(d.name);
      if (!info) throw new Error(`topology device ${d.name} is not declared in the resource registry; give both the same config`);
      const interfaces = new Map<string, DependentSet & { name: string }>();
      for (const i of d.interfaces) interfaces.set(canonicalInterfaceName(i.name), { name: i.name, hosts: i.hosts, services: i.services });
      this.devices.set(info.id, { id: info.id, name: d.name, addresses: d.addresses, hosts: d.hosts, services: d.services, interfaces });
    }
    for (const h of config.hosts) {
      const info = registry.findByAlias(h.name);
      if (info) this.declaredHosts.push({ id: info.id, name: h.name });
    }
  }

  get edgeCount(): number {
    return this.edges.size;
  }

  /** Learned edges forgotten because maxEdges was reached. */
  get evicted(): number {
    return this.evictedEdges;
  }

  /** A service instance runs on this host (its resource's host.name or k8s.node.name). */
  observeServiceHost(serviceId: number, hostName: string): void {
    const name = normalizeAlias(hostName);
    if (name === '') return;
    this.observe(`h|${serviceId}|${name}`, { type: 'host', service: serviceId, name });
  }

  /** A client span of this service named this peer (server.address, network.peer.address, net.peer.name, upstream_cluster). */
  observeServicePeer(clientServiceId: number, address: string): void {
    const name = peerAlias(address);
    if (name === '') return;
    this.observe(`p|${clientServiceId}|${name}`, { type: 'peer', service: clientServiceId, name });
  }

  /** A client span of one service and a server span of another in one trace: an edge of the service graph. */
  observeCall(clientServiceId: number, serverServiceId: number): void {
    if (clientServiceId === serverServiceId) return;
    this.observe(`c|${clientServiceId}|${serverServiceId}`, { type: 'call', service: clientServiceId, server: serverServiceId });
  }

  /** Drops every learned edge of a resource; for the registry's onEvict. */
  forget(resourceId: number): void {
    for (const name of [...(this.hostsOfService.get(resourceId) ?? [])]) this.dropEdge(`h|${resourceId}|${name}`);
    for (const name of [...(this.peersOfService.get(resourceId) ?? [])]) this.dropEdge(`p|${resourceId}|${name}`);
    for (const server of [...(this.calleesOf.get(resourceId) ?? [])]) this.dropEdge(`c|${resourceId}|${server}`);
    for (const client of [...(this.callersOf.get(resourceId) ?? [])]) this.dropEdge(`c|${client}|${resourceId}`);
  }

  /**
   * The services that run on, or route through, a device: those declared behind it (behind the named
   * interface when config knows it, else behind the whole device), those running on hosts behind it,
   * those calling its or those hosts' addresses, and one hop up the service graph, since the callers of
   * an affected service fail with it.
   */
  affectedServices(deviceId: number, interfaceName?: string): ReadonlySet<number> {
    const out = new Set<number>();
    const device = this.registry.byId(deviceId);
    if (!device) return out;
    const declared = this.devices.get(device.id);
    const hostNames: string[] = [];
    if (declared) {
      const iface = interfaceName === undefined ? undefined : declared.interfaces.get(canonicalInterfaceName(interfaceName));
      const parts: DependentSet[] = iface ? [iface] : [declared, ...declared.interfaces.values()];
      for (const p of parts) {
        for (const ref of p.services) for (const id of this.registry.servicesMatching(ref)) out.add(id);
        hostNames.push(...p.hosts);
      }
    }
    // Traffic addressed to the device itself crosses it whatever the interface, and learned edges do
    // not say which interface they use, so the device's own aliases count for interface events too.
    const keys = new Set<string>();
    const addKeys = (aliases: Iterable<string>) => {
      for (const a of aliases) for (const k of nameKeys(a)) keys.add(k);
    };
    addKeys(this.registry.aliasesOf(device.id));
    for (const h of hostNames) {
      const host = this.registry.findByAlias(h);
      addKeys(host ? this.registry.aliasesOf(host.id) : [normalizeAlias(h)]);
    }
    for (const k of keys) {
      for (const id of this.servicesOnHostName.get(k) ?? []) out.add(id);
      for (const id of this.servicesByPeer.get(k) ?? []) out.add(id);
    }
    for (const id of [...out]) for (const caller of this.callersOf.get(id) ?? []) out.add(caller);
    for (const id of out) if (this.registry.byId(id) === undefined) out.delete(id);
    return out;
  }

  /** Services seen running on a host (by any of its aliases). */
  servicesOnHost(hostId: number): ReadonlySet<number> {
    const out = new Set<number>();
    for (const alias of this.registry.aliasesOf(hostId)) {
      for (const k of nameKeys(alias)) for (const id of this.servicesOnHostName.get(k) ?? []) out.add(id);
    }
    for (const id of out) if (this.registry.byId(id) === undefined) out.delete(id);
    return out;
  }

  /**
   * The hosts and devices these services depend on: hosts they run on and addresses they call (when
   * the registry knows them), devices declared in front of them or of those hosts.
   */
  dependenciesOf(serviceIds: Iterable<number>): Set<number> {
    const out = new Set<number>();
    const services: ResourceInfo[] = [];
    for (const id of serviceIds) {
      const info = this.registry.byId(id);
      if (info?.kind !== 'service') continue;
      services.push(info);
      for (const name of this.hostsOfService.get(id) ?? []) {
        const host = this.registry.findByAlias(name);
        if (host && host.kind !== 'service') out.add(host.id);
      }
      for (const name of this.peersOfService.get(id) ?? []) {
        const peer = this.registry.findByAlias(name);
        if (peer && peer.kind !== 'service') out.add(peer.id);
      }
    }
    const hostIds = new Set(out);
    for (const device of this.devices.values()) {
      const parts: DependentSet[] = [device, ...device.interfaces.values()];
      const serves = parts.some(
        (p) =>
          p.services.some((ref) => services.some((s) => serviceMatchesRef(s, ref))) ||
          p.hosts.some((h) => {
            const host = this.registry.findByAlias(h);
            return host !== undefined && hostIds.has(host.id);
          }),
      );
      if (serves) out.add(device.id);
    }
    return out;
  }

  /** A JSON-able view of declared and learned topology for the evidence endpoint; learned lists cut at `limit` each. */
  describe(limit = 1000): TopologyView {
    const keyOf = (id: number) => this.registry.byId(id)?.key ?? `evicted:${id}`;
    const serviceHosts: { serviceId: number; service: string; host: string }[] = [];
    const servicePeers: { serviceId: number; service: string; address: string }[] = [];
    const calls: { clientId: number; client: string; serverId: number; server: string }[] = [];
    let truncated = false;
    for (const e of this.edges.values()) {
      if (e.type === 'host') {
        if (serviceHosts.length < limit) serviceHosts.push({ serviceId: e.service, service: keyOf(e.service), host: e.name });
        else truncated = true;
      } else if (e.type === 'peer') {
        if (servicePeers.length < limit) servicePeers.push({ serviceId: e.service, service: keyOf(e.service), address: e.name });
        else truncated = true;
      } else if (calls.length < limit) {
        calls.push({ clientId: e.service, client: keyOf(e.service), serverId: e.server, server: keyOf(e.server) });
      } else truncated = true;
    }
    return {
      declared: {
        devices: [...this.devices.values()].map((d) => ({
          id: d.id,
          name: d.name,
          addresses: [...d.addresses],
          hosts: [...d.hosts],
          services: [...d.services],
          interfaces: [...d.interfaces.values()].map((i) => ({ name: i.name, hosts: [...i.hosts], services: [...i.services] })),
        })),
        hosts: this.declaredHosts.map((h) => ({ id: h.id, name: h.name, aliases: this.registry.aliasesOf(h.id) })),
      },
      learned: { serviceHosts, servicePeers, calls },
      edges: { count: this.edges.size, max: this.options.maxEdges, evicted: this.evictedEdges, truncated },
    };
  }

  private observe(key: string, edge: Edge): void {
    if (this.edges.has(key)) {
      // Seen again: move it to the young end, so that live dependencies outlast stale ones.
      const known = this.edges.get(key)!;
      this.edges.delete(key);
      this.edges.set(key, known);
      return;
    }
    if (this.edges.size >= this.options.maxEdges) {
      for (const oldest of this.edges.keys()) {
        this.dropEdge(oldest);
        this.evictedEdges++;
        break;
      }
    }
    this.edges.set(key, edge);
    if (edge.type === 'host') {
      addTo(this.hostsOfService, edge.service, edge.name);
      for (const k of nameKeys(edge.name)) addTo(this.servicesOnHostName, k, edge.service);
    } else if (edge.type === 'peer') {
      addTo(this.peersOfService, edge.service, edge.name);
      for (const k of nameKeys(edge.name)) addTo(this.servicesByPeer, k, edge.service);
    } else {
      addTo(this.calleesOf, edge.service, edge.server);
      addTo(this.callersOf, edge.server, edge.service);
    }
  }

  private dropEdge(key: string): void {
    const edge = this.edges.get(key);
    if (!edge) return;
    this.edges.delete(key);
    if (edge.type === 'host') {
      removeFrom(this.hostsOfService, edge.service, edge.name);
      // The short label may be shared with another of this service's hosts; keep it while one remains.
      for (const k of nameKeys(edge.name)) if (!this.stillNamed(this.hostsOfService, edge.service, k)) removeFrom(this.servicesOnHostName, k, edge.service);
    } else if (edge.type === 'peer') {
      removeFrom(this.peersOfService, edge.service, edge.name);
      for (const k of nameKeys(edge.name)) if (!this.stillNamed(this.peersOfService, edge.service, k)) removeFrom(this.servicesByPeer, k, edge.service);
    } else {
      removeFrom(this.calleesOf, edge.service, edge.server);
      removeFrom(this.callersOf, edge.server, edge.service);
    }
  }

  private stillNamed(names: Map<number, Set<string>>, service: number, key: string): boolean {
    for (const n of names.get(service) ?? []) if (nameKeys(n).includes(key)) return true;
    return false;
  }
}

