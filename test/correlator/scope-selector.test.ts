import { describe, expect, it } from 'vitest';
import { str } from '../../src/model/attributes.js';
import type { Attributes } from '../../src/model/attributes.js';
import type { Resource } from '../../src/model/resource.js';
import { ResourceRegistry } from '../../src/correlator/resource-registry.js';
import { compileScope, resolveScope } from '../../src/correlator/scope-selector.js';
import { Topology } from '../../src/correlator/topology.js';
import { topologyConfigSchema } from '../../src/correlator/topology-config.js';

function attrs(values: Record<string, string>): Attributes {
  return Object.entries(values).map(([key, v]) => ({ key, value: str(v) }));
}
const resource = (values: Record<string, string>): Resource => ({ attributes: attrs(values), droppedAttributesCount: 0 });

function world() {
  const config = topologyConfigSchema.parse({
    devices: [{ name: 'edge-sw-1', addresses: ['10.0.0.1'], services: ['shop/checkout'], interfaces: [{ name: 'Gi0/2', hosts: ['node-8'] }] }],
    hosts: [{ name: 'node-8', addresses: ['10.0.1.8'] }],
  });
  const registry = new ResourceRegistry({ maxResources: 1000, topology: config });
  const topology = new Topology(registry, { topology: config, maxEdges: 1000 });
  const svc = (values: Record<string, string>) => registry.resolveResource(resource(values)).id;
  const shop = { 'service.name': 'checkout', 'service.namespace': 'shop' };
  const ids = {
    device: registry.findByAlias('edge-sw-1')!.id,
    node8: registry.findByAlias('node-8')!.id,
    stable: svc({ ...shop, 'service.version': '1.4.0', 'deployment.environment.name': 'production', 'k8s.deployment.name': 'checkout' }),
    canary: svc({ ...shop, 'service.version': '1.5.0', 'deployment.environment.name': 'production', 'k8s.deployment.name': 'checkout-canary' }),
    staging: svc({ ...shop, 'service.version': '1.5.0', 'deployment.environment': 'staging' }),
    cart: svc({ 'service.name': 'cart', 'service.namespace': 'shop', 'deployment.environment.name': 'production' }),
    cartStaging: svc({ 'service.name': 'cart', 'service.namespace': 'shop', 'deployment.environment.name': 'staging' }),
    ledger: svc({ 'service.name': 'ledger', 'deployment.environment.name': 'production' }),
  };
  const tor = registry.resolveDevice(resource({ 'host.name': 'tor-3' }), attrs({ 'network.peer.address': '10.2.0.3', 'syslog.vendor': 'arista' })).id;
  topology.observeServiceHost(ids.cart, 'node-8');
  topology.observeServicePeer(ids.ledger, '10.2.0.3');
  return { registry, topology, ids: { ...ids, tor } };
}

describe('scope selection', () => {
  it('tells the canary from the stable version', () => {
    const { registry, topology, ids } = world();
    const canary = resolveScope({ services: ['checkout'], versions: ['1.5.0'], environment: 'production' }, registry, topology);
    expect(canary.resourceIds).toEqual(new Set([ids.canary]));
    const stable = resolveScope({ services: ['shop/checkout'], versions: ['1.4.0'] }, registry, topology);
    expect(stable.resourceIds).toEqual(new Set([ids.stable]));
    const both = resolveScope({ services: ['checkout'], versions: ['1.4.0', '1.5.0'], environment: 'production' }, registry, topology);
    expect(both.resourceIds).toEqual(new Set([ids.stable, ids.canary]));
    expect(resolveScope({ services: ['other/checkout'] }, registry, topology).resourceIds).toEqual(new Set());
  });

  it('selects by environment (either attribute spelling), namespace and other resource attributes', () => {
    const { registry, topology, ids } = world();
    expect(resolveScope({ environment: 'staging' }, registry, topology).resourceIds).toEqual(new Set([ids.staging, ids.cartStaging]));
    expect(resolveScope({ namespace: 'shop', environment: 'production' }, registry, topology).resourceIds).toEqual(
      new Set([ids.stable, ids.canary, ids.cart]),
    );
    expect(resolveScope({ attributes: { 'k8s.deployment.name': 'checkout-canary' } }, registry, topology).resourceIds).toEqual(
      new Set([ids.canary]),
    );
  });

  it('an empty selector means every service but no host or device', () => {
    const { registry, topology, ids } = world();
    const all = resolveScope({}, registry, topology).resourceIds;
    expect(all.has(ids.ledger)).toBe(true);
    expect(all.has(ids.device)).toBe(false);
    expect(all.has(ids.node8)).toBe(false);
    expect(all.size).toBe(6);
  });

  it('selects hosts and devices by name or alias', () => {
    const { registry, topology, ids } = world();
    expect(resolveScope({ devices: ['10.0.0.1'] }, registry, topology).resourceIds).toEqual(new Set([ids.device]));
    expect(resolveScope({ devices: ['TOR-3', 'unknown'] }, registry, topology).resourceIds).toEqual(new Set([ids.tor]));
    expect(resolveScope({ hosts: ['10.0.1.8'] }, registry, topology).resourceIds).toEqual(new Set([ids.node8]));
    // A device is not a host.
    expect(resolveScope({ hosts: ['edge-sw-1'] }, registry, topology).resourceIds).toEqual(new Set());
    // Kinds add up: the canary and the switch in front of it.
    expect(resolveScope({ services: ['checkout'], versions: ['1.5.0'], environment: 'production', devices: ['edge-sw-1'] }, registry, topology).resourceIds).toEqual(
      new Set([ids.canary, ids.device]),
    );
  });

  it('with includeDependencies adds the devices and hosts the selected services depend on', () => {
    const { registry, topology, ids } = world();
    const canary = resolveScope({ services: ['checkout'], versions: ['1.5.0'], environment: 'production', includeDependencies: true }, registry, topology);
    expect(canary.resourceIds).toEqual(new Set([ids.canary, ids.device]));
    expect(canary.viaTopology).toEqual(new Set([ids.device]));
    const cart = resolveScope({ services: ['cart'], environment: 'production', includeDependencies: true }, registry, topology);
    expect(cart.resourceIds).toEqual(new Set([ids.cart, ids.node8, ids.device]));
    const ledger = resolveScope({ services: ['ledger'], includeDependencies: true }, registry, topology);
    expect(ledger.resourceIds).toEqual(new Set([ids.ledger, ids.tor]));
    expect(resolveScope({ services: ['ledger'] }, registry, topology).resourceIds).toEqual(new Set([ids.ledger]));
  });

  it('with includeDependents adds the services behind the selected devices', () => {
    const { registry, topology, ids } = world();
    const sw = resolveScope({ devices: ['edge-sw-1'], includeDependents: true }, registry, topology);
    expect(sw.resourceIds).toEqual(new Set([ids.device, ids.stable, ids.canary, ids.staging, ids.cart]));
    const tor = resolveScope({ devices: ['tor-3'], includeDependents: true }, registry, topology);
    expect(tor.resourceIds).toEqual(new Set([ids.tor, ids.ledger]));
    const node = resolveScope({ hosts: ['node-8'], includeDependents: true }, registry, topology);
    expect(node.resourceIds).toEqual(new Set([ids.node8, ids.cart]));
  });

  it('compiles to a predicate that matches hosts by canonical name when no alias lookup is given', () => {
    const { registry, ids } = world();
    const byName = compileScope({ hosts: ['Node-8'] });
    const byAddress = compileScope({ hosts: ['10.0.1.8'] });
    const node8 = registry.byId(ids.node8)!;
    expect(byName(node8)).toBe(true);
    expect(byAddress(node8)).toBe(false);
    expect(compileScope({ hosts: ['10.0.1.8'] }, registry)(node8)).toBe(true);
    expect(byName(registry.byId(ids.cart)!)).toBe(false);
  });
});
