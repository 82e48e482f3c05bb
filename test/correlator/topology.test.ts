import { describe, expect, it } from 'vitest';
import { str } from '../../src/model/attributes.js';
import type { Attributes } from '../../src/model/attributes.js';
import type { Resource } from '../../src/model/resource.js';
import { ResourceRegistry } from '../../src/correlator/resource-registry.js';
import { Topology, canonicalInterfaceName, peerAlias } from '../../src/correlator/topology.js';
import { topologyConfigSchema } from '../../src/correlator/topology-config.js';

function attrs(values: Record<string, string>): Attributes {
  return Object.entries(values).map(([key, v]) => ({ key, value: str(v) }));
}
const resource = (values: Record<string, string>): Resource => ({ attributes: attrs(values), droppedAttributesCount: 0 });

const config = topologyConfigSchema.parse({
  devices: [
    {
      name: 'edge-sw-1',
      addresses: ['10.0.0.1', 'edge-sw-1.example.net'],
      hosts: ['node-7'],
      services: ['checkout'],
      interfaces: [{ name: 'GigabitEthernet0/1', hosts: ['node-8'], services: ['shop/payments'] }],
    },
  ],
  hosts: [{ name: 'node-8', addresses: ['10.0.1.8'] }],
});

function world(maxEdges = 1000) {
  const registry = new ResourceRegistry({ maxResources: 1000, topology: config });
  const topology = new Topology(registry, { topology: config, maxEdges });
  const svc = (name: string, extra: Record<string, string> = {}) => registry.resolveResource(resource({ 'service.name': name, ...extra })).id;
  const ids = {
    device: registry.findByAlias('edge-sw-1')!.id,
    node7: registry.findByAlias('node-7')!.id,
    node8: registry.findByAlias('node-8')!.id,
    checkout: svc('checkout', { 'service.version': '1.0.0' }),
    checkoutCanary: svc('checkout', { 'service.version': '1.1.0' }),
    payments: svc('payments', { 'service.namespace': 'shop' }),
    paymentsOtherNs: svc('payments', { 'service.namespace': 'b2b' }),
    search: svc('search'),
    inventory: svc('inventory'),
    reports: svc('reports'),
    billing: svc('billing'),
    frontend: svc('frontend'),
    gateway: svc('gateway'),
    mail: svc('mail'),
  };
  topology.observeServiceHost(ids.search, 'node-7');
  // A service reporting the node's FQDN still runs on the declared short name.
  topology.observeServiceHost(ids.inventory, 'node-8.cluster.local');
  topology.observeServiceHost(ids.mail, 'node-9');
  topology.observeServicePeer(ids.reports, '10.0.1.8');
  topology.observeServicePeer(ids.billing, 'EDGE-SW-1.example.net');
  topology.observeCall(ids.frontend, ids.payments);
  topology.observeCall(ids.gateway, ids.frontend);
  return { registry, topology, ids };
}

describe('Topology.affectedServices', () => {
  it('for a known interface: what is declared behind it, on its hosts, calling their addresses, and callers one hop up', () => {
    const { topology, ids } = world();
    const expected = new Set([ids.payments, ids.inventory, ids.reports, ids.billing, ids.frontend]);
    expect(topology.affectedServices(ids.device, 'GigabitEthernet0/1')).toEqual(expected);
    expect(topology.affectedServices(ids.device, 'Gi0/1')).toEqual(expected);
    expect(topology.affectedServices(ids.device, 'gi 0/1')).toEqual(expected);
    // Two hops up the service graph is not affected, nor a namespace the config did not name.
    expect(topology.affectedServices(ids.device, 'Gi0/1').has(ids.gateway)).toBe(false);
    expect(topology.affectedServices(ids.device, 'Gi0/1').has(ids.paymentsOtherNs)).toBe(false);
  });

  it('for the whole device, or an interface the config does not know: everything behind the device', () => {
    const { topology, ids } = world();
    const whole = new Set([
      ids.checkout,
      ids.checkoutCanary,
      ids.search,
      ids.payments,
      ids.inventory,
      ids.reports,
      ids.billing,
      ids.frontend,
    ]);
    expect(topology.affectedServices(ids.device)).toEqual(whole);
    expect(topology.affectedServices(ids.device, 'TenGigabitEthernet1/0/1')).toEqual(whole);
    expect(topology.affectedServices(ids.device).has(ids.mail)).toBe(false);
  });

  it('joins learned devices through their learned aliases', () => {
    const { registry, topology, ids } = world();
    const tor = registry.resolveDevice(resource({ 'host.name': 'tor-3' }), attrs({ 'network.peer.address': '10.2.0.3', 'syslog.vendor': 'arista' }));
    const ledger = registry.resolveResource(resource({ 'service.name': 'ledger' })).id;
    topology.observeServicePeer(ledger, 'outbound|8080||10.2.0.3');
    topology.observeCall(ids.gateway, ledger);
    expect(topology.affectedServices(tor.id, 'Ethernet1')).toEqual(new Set([ledger, ids.gateway]));
    expect(topology.affectedServices(9999)).toEqual(new Set());
  });

  it('leaves out services the registry has forgotten', () => {
    const registry = new ResourceRegistry({ maxResources: 3 });
    const topology = new Topology(registry, { maxEdges: 100 });
    const sw = registry.resolveDevice(resource({ 'host.name': 'sw' }), attrs({ 'network.peer.address': '10.0.0.1', 'syslog.vendor': 'cisco' })).id;
    const a = registry.resolveResource(resource({ 'service.name': 'a' })).id;
    topology.observeServicePeer(a, '10.0.0.1');
    registry.resolveDevice(resource({ 'host.name': 'sw' }), attrs({}));
    registry.resolveResource(resource({ 'service.name': 'b' }));
    registry.resolveResource(resource({ 'service.name': 'c' }));
    expect(registry.byId(a)).toBeUndefined();
    expect(topology.affectedServices(sw)).toEqual(new Set());
  });
});

describe('Topology queries', () => {
  it('lists the services on a host by any of its aliases', () => {
    const { topology, ids } = world();
    expect(topology.servicesOnHost(ids.node7)).toEqual(new Set([ids.search]));
    expect(topology.servicesOnHost(ids.node8)).toEqual(new Set([ids.inventory]));
  });

  it('finds the hosts and devices services depend on', () => {
    const { registry, topology, ids } = world();
    expect(topology.dependenciesOf([ids.checkout])).toEqual(new Set([ids.device]));
    expect(topology.dependenciesOf([ids.inventory])).toEqual(new Set([ids.node8, ids.device]));
    expect(topology.dependenciesOf([ids.reports])).toEqual(new Set([ids.node8, ids.device]));
    expect(topology.dependenciesOf([ids.mail])).toEqual(new Set());
    const node9 = registry.resolveDevice(resource({ 'host.name': 'node-9' }), attrs({})).id;
    expect(topology.dependenciesOf([ids.mail])).toEqual(new Set([node9]));
  });

  it('describes declared and learned topology as JSON', () => {
    const { topology, ids } = world();
    const view = JSON.parse(JSON.stringify(topology.describe())) as ReturnType<Topology['describe']>;
    expect(view.declared.devices[0]).toMatchObject({
      id: ids.device,
      name: 'edge-sw-1',
      hosts: ['node-7'],
      services: ['checkout'],
      interfaces: [{ name: 'GigabitEthernet0/1', hosts: ['node-8'], services: ['shop/payments'] }],
    });
    expect(view.declared.hosts).toEqual([{ id: ids.node8, name: 'node-8', aliases: ['node-8', '10.0.1.8'] }]);
    expect(view.learned.serviceHosts).toContainEqual({ serviceId: ids.search, service: 'service||search|||', host: 'node-7' });
    expect(view.learned.servicePeers).toContainEqual({ serviceId: ids.billing, service: 'service||billing|||', address: 'edge-sw-1.example.net' });
    expect(view.learned.calls).toHaveLength(2);
    expect(view.edges).toEqual({ count: 7, max: 1000, evicted: 0, truncated: false });
    expect(topology.describe(1).edges.truncated).toBe(true);
  });
});

describe('Topology bounds', () => {
  it('keeps at most maxEdges learned edges, forgetting the least recently seen and counting them', () => {
    const registry = new ResourceRegistry({ maxResources: 100 });
    const topology = new Topology(registry, { maxEdges: 10 });
    const a = registry.resolveResource(resource({ 'service.name': 'a' })).id;
    for (let i = 0; i < 25; i++) {
      topology.observeServicePeer(a, `10.1.0.${i}`);
      topology.observeServicePeer(a, '10.9.9.9');
    }
    expect(topology.edgeCount).toBe(10);
    expect(topology.evicted).toBe(16);
    const peers = topology.describe().learned.servicePeers.map((p) => p.address);
    expect(peers).toContain('10.9.9.9');
    expect(peers).toContain('10.1.0.24');
    expect(peers).not.toContain('10.1.0.0');
  });

  it('forgets every edge of an evicted resource', () => {
    const { topology, ids } = world();
    topology.forget(ids.frontend);
    expect(topology.affectedServices(ids.device, 'Gi0/1').has(ids.frontend)).toBe(false);
    expect(topology.describe().learned.calls).toEqual([]);
    topology.forget(ids.inventory);
    expect(topology.servicesOnHost(ids.node8)).toEqual(new Set());
  });
});

describe('interface and peer names', () => {
  it('matches common interface abbreviations', () => {
    const same = (a: string, b: string) => expect(canonicalInterfaceName(a)).toBe(canonicalInterfaceName(b));
    same('Gi0/1', 'GigabitEthernet0/1');
    same('Gig0/1', 'gigabitethernet 0/1');
    same('Te1/1/1', 'TenGigabitEthernet1/1/1');
    same('Eth1/1', 'Ethernet1/1');
    same('Et1/1', 'ethernet1/1');
    same('Po10', 'Port-channel10');
    same('Fa0/24', 'FastEthernet0/24');
    expect(canonicalInterfaceName('Fo1/0/1')).not.toBe(canonicalInterfaceName('Fa1/0/1'));
    expect(canonicalInterfaceName('Twe1/0/1')).not.toBe(canonicalInterfaceName('Tw1/0/1'));
    expect(canonicalInterfaceName('ge-0/0/1')).toBe('ge-0/0/1');
    expect(canonicalInterfaceName('Gi0/1')).toBe('gigabitethernet0/1');
  });

  it("reads the host out of Istio's Envoy cluster names", () => {
    expect(peerAlias('outbound|9080||Reviews.Default.svc.cluster.local')).toBe('reviews.default.svc.cluster.local');
    expect(peerAlias('payments_cluster')).toBe('payments_cluster');
    expect(peerAlias('::ffff:10.0.0.1')).toBe('10.0.0.1');
  });
});

describe('topology config', () => {
  it('treats an absent section as an empty topology with defaults', () => {
    expect(topologyConfigSchema.parse(null)).toEqual({ devices: [], hosts: [], max_learned_edges: 100_000 });
    expect(topologyConfigSchema.parse({ devices: [{ name: 'sw' }] }).devices[0]).toEqual({
      name: 'sw',
      addresses: [],
      hosts: [],
      services: [],
      interfaces: [],
    });
  });

  it('rejects unknown keys, names used for two identities, and one interface declared twice', () => {
    const problems = (input: unknown) => {
      const r = topologyConfigSchema.safeParse(input);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.code === 'unrecognized_keys' ? i.keys.join(',') : i.message}`);
    };
    expect(problems({ devices: [{ name: 'sw', adresses: [] }] })).toEqual(['devices.0: adresses']);
    expect(problems({ devices: [{ name: 'sw-1', addresses: ['10.0.0.1'] }], hosts: [{ name: 'node', addresses: ['10.0.0.1'] }] })).toEqual([
      'hosts.0.addresses.0: "10.0.0.1" already names device sw-1',
    ]);
    expect(problems({ devices: [{ name: 'sw' }, { name: 'SW' }] })).toEqual(['devices.1.name: device SW is declared twice']);
    expect(problems({ devices: [{ name: 'sw', interfaces: [{ name: 'Gi0/1' }, { name: 'GigabitEthernet 0/1' }] }] })).toEqual([
      'devices.0.interfaces.1.name: interface GigabitEthernet 0/1 is declared twice',
    ]);
    expect(problems({ max_learned_edges: 0 })).toHaveLength(1);
  });
});
