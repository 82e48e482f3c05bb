import { describe, expect, it } from 'vitest';
import { str } from '../../src/model/attributes.js';
import type { AnyValue, Attributes } from '../../src/model/attributes.js';
import type { Resource } from '../../src/model/resource.js';
import { ResourceRegistry, normalizeAlias } from '../../src/correlator/resource-registry.js';
import { topologyConfigSchema } from '../../src/correlator/topology-config.js';

function attrs(values: Record<string, string | string[]>): Attributes {
  return Object.entries(values).map(([key, v]): { key: string; value: AnyValue } => ({
    key,
    value: Array.isArray(v) ? { type: 'array', value: v.map(str) } : str(v),
  }));
}

const resource = (values: Record<string, string | string[]>): Resource => ({ attributes: attrs(values), droppedAttributesCount: 0 });

/** A deterministic generator, so the flood test is the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

describe('ResourceRegistry service identity', () => {
  it('keys a service by namespace, name, version and environment, not by instance, pod or host', () => {
    const r = new ResourceRegistry({ maxResources: 100 });
    const a = r.resolveResource(
      resource({
        'service.name': 'checkout',
        'service.namespace': 'shop',
        'service.version': '1.4.0',
        'deployment.environment.name': 'production',
        'service.instance.id': 'i-1',
        'host.name': 'node-7',
        'k8s.pod.name': 'checkout-abc',
      }),
    );
    const b = r.resolveResource(
      resource({
        'service.name': 'checkout',
        'service.namespace': 'shop',
        'service.version': '1.4.0',
        'deployment.environment.name': 'production',
        'service.instance.id': 'i-2',
        'host.name': 'node-8',
        'k8s.pod.name': 'checkout-def',
      }),
    );
    expect(b.id).toBe(a.id);
    expect(a.kind).toBe('service');
    expect(a.key).toBe('service|shop|checkout|1.4.0|production|');
    expect(a.attributes).toEqual({
      'service.name': 'checkout',
      'service.namespace': 'shop',
      'service.version': '1.4.0',
      'deployment.environment.name': 'production',
    });
    expect(r.size).toBe(1);
  });

  it('tells versions, namespaces and environments apart, and reads the older deployment.environment', () => {
    const r = new ResourceRegistry({ maxResources: 100 });
    const stable = r.resolveResource(resource({ 'service.name': 'checkout', 'service.version': '1.4.0' }));
    const canary = r.resolveResource(resource({ 'service.name': 'checkout', 'service.version': '1.5.0' }));
    const otherNs = r.resolveResource(resource({ 'service.name': 'checkout', 'service.namespace': 'b2b', 'service.version': '1.4.0' }));
    const old = r.resolveResource(resource({ 'service.name': 'checkout', 'service.version': '1.4.0', 'deployment.environment': 'staging' }));
    const current = r.resolveResource(
      resource({ 'service.name': 'checkout', 'service.version': '1.4.0', 'deployment.environment.name': 'staging' }),
    );
    expect(new Set([stable.id, canary.id, otherNs.id, old.id]).size).toBe(4);
    expect(current.id).toBe(old.id);
    expect(old.attributes['deployment.environment.name']).toBe('staging');
    expect(stable.key).toBe('service||checkout|1.4.0||');
  });

  it('escapes key separators so that no name can forge another key', () => {
    const r = new ResourceRegistry({ maxResources: 100 });
    const a = r.resolveResource(resource({ 'service.name': 'a|b', 'service.version': 'c' }));
    const b = r.resolveResource(resource({ 'service.name': 'a', 'service.version': 'b|c' }));
    expect(a.id).not.toBe(b.id);
    expect(a.key).toBe('service||a%7Cb|c||');
  });

  it('keeps descriptive attributes of the first resource but no per-instance ones', () => {
    const r = new ResourceRegistry({ maxResources: 100 });
    const info = r.resolveResource(
      resource({
        'service.name': 'checkout',
        'k8s.deployment.name': 'checkout-canary',
        'k8s.namespace.name': 'shop',
        'k8s.pod.name': 'checkout-canary-7f9',
        'host.name': 'node-7',
        'service.instance.id': 'x',
      }),
    );
    expect(info.attributes['k8s.deployment.name']).toBe('checkout-canary');
    expect(info.attributes['k8s.namespace.name']).toBe('shop');
    expect(info.attributes['k8s.pod.name']).toBeUndefined();
    expect(info.attributes['host.name']).toBeUndefined();
    expect(info.attributes['service.instance.id']).toBeUndefined();
  });

  it('resolves a resource object once and gives a resource with no identity the SDK default name', () => {
    const r = new ResourceRegistry({ maxResources: 100 });
    const res = resource({ 'service.name': 'checkout' });
    expect(r.resolveResource(res)).toBe(r.resolveResource(res));
    const unknown = r.resolveResource(resource({}));
    expect(unknown.kind).toBe('service');
    expect(unknown.attributes['service.name']).toBe('unknown_service');
  });
});

describe('ResourceRegistry hosts and devices', () => {
  it('merges a syslog HOSTNAME and its sender address into one device', () => {
    const r = new ResourceRegistry({ maxResources: 100 });
    const first = r.resolveDevice(
      resource({ 'host.name': 'edge-sw-1' }),
      attrs({ 'network.peer.address': '10.0.0.1', 'syslog.vendor': 'cisco' }),
    );
    expect(first.kind).toBe('device');
    expect(first.key).toBe('device|edge-sw-1');
    expect(first.attributes['syslog.vendor']).toBe('cisco');
    // A later message that carries the address as HOSTNAME, from a dual-stack socket.
    const second = r.resolveDevice(resource({ 'host.name': '10.0.0.1' }), attrs({ 'network.peer.address': '::ffff:10.0.0.1' }));
    expect(second.id).toBe(first.id);
    expect(r.findByAlias('10.0.0.1')?.id).toBe(first.id);
    expect(r.findByAlias('EDGE-SW-1.')?.id).toBe(first.id);
    expect(r.findByAlias('edge-sw-1.example.net')?.id).toBe(first.id);
    expect(r.size).toBe(1);
  });

  it('a syslog sender without a vendor is a host; the same machine later seen as a device becomes one', () => {
    const r = new ResourceRegistry({ maxResources: 100 });
    const host = r.resolveDevice(resource({ 'host.name': 'fw-2' }), attrs({ 'network.peer.address': '10.0.0.2' }));
    expect(host.kind).toBe('host');
    const device = r.resolveDevice(resource({ 'host.name': 'fw-2' }), attrs({ 'syslog.vendor': 'fortinet' }));
    expect(device.id).toBe(host.id);
    expect(device.kind).toBe('device');
    expect(r.byId(host.id)?.kind).toBe('device');
  });

  it('joins an SNMP agent address with the sysName a later trap brings', () => {
    const r = new ResourceRegistry({ maxResources: 100 });
    const byAddress = r.resolveDevice(
      resource({ 'host.name': '10.0.0.9' }),
      attrs({ 'network.peer.address': '10.0.0.9', 'snmp.trap.oid': '1.3.6.1.6.3.1.1.5.3' }),
    );
    expect(byAddress.kind).toBe('device');
    expect(byAddress.key).toBe('device|10.0.0.9');
    const named = r.resolveDevice(
      resource({ 'host.name': '10.0.0.9' }),
      attrs({ 'network.peer.address': '10.0.0.9', 'snmp.varbind.sysName': 'core-rtr-1.example.net' }),
    );
    expect(named.id).toBe(byAddress.id);
    expect(named.key).toBe('device|core-rtr-1.example.net');
    expect(r.findByAlias('core-rtr-1')?.id).toBe(byAddress.id);
  });

  it('merges an address-only identity into a named one when a record links them, and says so', () => {
    const merges: [number, number][] = [];
    const r = new ResourceRegistry({ maxResources: 100, onMerge: (from, into) => merges.push([from, into]) });
    const trap = r.resolveDevice(resource({ 'host.name': '10.0.0.9' }), attrs({ 'snmp.trap.oid': '1.3.6.1.6.3.1.1.5.1' }));
    const syslog = r.resolveDevice(
      resource({ 'host.name': 'core-rtr-1' }),
      attrs({ 'network.peer.address': '10.0.0.10', 'syslog.vendor': 'juniper' }),
    );
    expect(syslog.id).not.toBe(trap.id);
    const linked = r.resolveDevice(
      resource({ 'host.name': '10.0.0.9' }),
      attrs({ 'network.peer.address': '10.0.0.9', 'snmp.varbind.sysName': 'core-rtr-1' }),
    );
    // The older identity survives; the other keeps resolving to it.
    expect(linked.id).toBe(trap.id);
    expect(merges).toEqual([[syslog.id, trap.id]]);
    expect(r.byId(syslog.id)?.id).toBe(trap.id);
    expect(r.findByAlias('10.0.0.10')?.id).toBe(trap.id);
    expect(linked.key).toBe('device|core-rtr-1');
    expect(r.size).toBe(1);
  });

  it('does not merge two named devices that reach it through one syslog relay', () => {
    const r = new ResourceRegistry({ maxResources: 100 });
    const a = r.resolveDevice(resource({ 'host.name': 'sw-a' }), attrs({ 'network.peer.address': '10.9.9.9', 'syslog.vendor': 'cisco' }));
    const b = r.resolveDevice(resource({ 'host.name': 'sw-b' }), attrs({ 'network.peer.address': '10.9.9.9', 'syslog.vendor': 'cisco' }));
    expect(b.id).not.toBe(a.id);
    expect(r.findByAlias('10.9.9.9')).toBeUndefined();
    expect(r.resolveDevice(resource({ 'host.name': 'sw-a' }), attrs({ 'network.peer.address': '10.9.9.9' })).id).toBe(a.id);
    expect(r.findByAlias('sw-b')?.id).toBe(b.id);
    // Traps the relay sends with no name of their own stay one identity, apart from both switches.
    const relay = r.resolveDevice(resource({ 'host.name': '10.9.9.9' }), attrs({ 'snmp.trap.oid': '1.3.6.1.6.3.1.1.5.1' }));
    expect(r.resolveDevice(resource({ 'host.name': '10.9.9.9' }), attrs({ 'snmp.trap.oid': '1.3.6.1.6.3.1.1.5.1' })).id).toBe(relay.id);
    expect(new Set([a.id, b.id, relay.id]).size).toBe(3);
    expect(r.resolveDevice(resource({ 'host.name': 'sw-c' }), attrs({ 'network.peer.address': '10.9.9.9' })).id).not.toBe(relay.id);
    expect(r.size).toBe(4);
  });

  it('loads aliases declared in config first, and config-declared addresses win over names in data', () => {
    const topology = topologyConfigSchema.parse({
      devices: [{ name: 'edge-sw-1', addresses: ['10.0.0.1', 'edge-sw-1.example.net'], hosts: ['node-7'] }],
      hosts: [{ name: 'node-8', addresses: ['10.0.1.8'] }],
    });
    const r = new ResourceRegistry({ maxResources: 100, topology });
    const device = r.findByAlias('10.0.0.1');
    expect(device?.kind).toBe('device');
    expect(device?.key).toBe('device|edge-sw-1');
    expect(r.findByAlias('Edge-SW-1.example.net')?.id).toBe(device?.id);
    expect(r.findByAlias('node-7')?.kind).toBe('host');
    expect(r.findByAlias('10.0.1.8')?.attributes['host.name']).toBe('node-8');
    // A routing engine that logs under its own name from the declared address is the declared device.
    const re0 = r.resolveDevice(resource({ 'host.name': 'edge-sw-1-re0' }), attrs({ 'network.peer.address': '10.0.0.1', 'syslog.vendor': 'juniper' }));
    expect(re0.id).toBe(device?.id);
    expect(r.findByAlias('edge-sw-1-re0')?.id).toBe(device?.id);
    expect(r.size).toBe(3);
  });

  it("learns a known host's other addresses from a service resource's host.ip, without creating unknown hosts", () => {
    const topology = topologyConfigSchema.parse({ hosts: [{ name: 'node-7' }] });
    const r = new ResourceRegistry({ maxResources: 100, topology });
    r.resolveResource(resource({ 'service.name': 'checkout', 'host.name': 'node-7', 'host.ip': ['10.0.1.7', 'fd00::7'] }));
    r.resolveResource(resource({ 'service.name': 'checkout', 'host.name': 'node-99', 'host.ip': '10.0.1.99' }));
    expect(r.findByAlias('10.0.1.7')?.attributes['host.name']).toBe('node-7');
    expect(r.findByAlias('FD00::7')?.attributes['host.name']).toBe('node-7');
    expect(r.findByAlias('10.0.1.99')).toBeUndefined();
    expect(r.size).toBe(2);
  });

  it('resolves a resource with host attributes and no service.name as a host', () => {
    const r = new ResourceRegistry({ maxResources: 100 });
    const h = r.resolveResource(resource({ 'host.name': 'db-1', 'host.id': 'ec2-i-0abc', 'host.ip': ['10.3.0.1'] }));
    expect(h.kind).toBe('host');
    expect(r.findByAlias('ec2-i-0abc')?.id).toBe(h.id);
    expect(r.findByAlias('10.3.0.1')?.id).toBe(h.id);
  });
});

describe('ResourceRegistry bounds', () => {
  it('evicts the least recently seen under a flood of random service names, counts them and never reuses ids', () => {
    const topology = topologyConfigSchema.parse({ devices: [{ name: 'edge-sw-1' }] });
    const evictedIds: number[] = [];
    const r = new ResourceRegistry({ maxResources: 100, topology, onEvict: (id) => evictedIds.push(id) });
    const hot = resource({ 'service.name': 'checkout' });
    const hotId = r.resolveResource(hot).id;
    const next = lcg(42);
    const seen: number[] = [];
    for (let i = 0; i < 1000; i++) {
      seen.push(r.resolveResource(resource({ 'service.name': `svc-${next().toString(36)}-${i}` })).id);
      // Seen on every batch, so it is never the least recently seen.
      r.resolveResource(hot);
    }
    expect(r.size).toBe(100);
    expect(r.evicted).toBe(1000 - 98);
    expect(evictedIds).toHaveLength(r.evicted);
    expect(new Set(seen).size).toBe(1000);
    expect(Math.min(...seen)).toBeGreaterThan(hotId);
    expect(r.byId(hotId)?.attributes['service.name']).toBe('checkout');
    expect(r.findByAlias('edge-sw-1')?.kind).toBe('device');
    for (const id of evictedIds) expect(r.byId(id)).toBeUndefined();
    // The first flood names went first.
    expect(evictedIds.slice(0, 5)).toEqual(seen.slice(0, 5));
    // A forgotten service seen again gets a new id.
    const again = r.resolveResource(resource({ 'service.name': 'checkout', 'service.version': 'x' }));
    expect(again.id).toBeGreaterThan(Math.max(...seen));
  });

  it('drops the aliases of an evicted device, so the address can name a new identity', () => {
    const r = new ResourceRegistry({ maxResources: 2 });
    const sw = r.resolveDevice(resource({ 'host.name': 'sw-1' }), attrs({ 'network.peer.address': '10.0.0.1', 'syslog.vendor': 'cisco' }));
    r.resolveResource(resource({ 'service.name': 'a' }));
    r.resolveResource(resource({ 'service.name': 'b' }));
    expect(r.byId(sw.id)).toBeUndefined();
    expect(r.findByAlias('10.0.0.1')).toBeUndefined();
    expect(r.findByAlias('sw-1')).toBeUndefined();
  });

  it('refuses a topology that leaves no room for learned resources', () => {
    const topology = topologyConfigSchema.parse({ devices: [{ name: 'a' }, { name: 'b' }] });
    expect(() => new ResourceRegistry({ maxResources: 2, topology })).toThrow(/no room/);
  });

  it('normalizes aliases', () => {
    expect(normalizeAlias(' Edge-SW-1.Example.NET. ')).toBe('edge-sw-1.example.net');
    expect(normalizeAlias('::FFFF:10.0.0.1')).toBe('10.0.0.1');
    expect(normalizeAlias('[fd00::1]')).toBe('fd00::1');
  });
});
