import { normalizeAlias, serviceMatchesRef } from './resource-registry.js';
import type { ResourceInfo, ResourceRegistry } from './resource-registry.js';
import type { Topology } from './topology.js';

// A gate's scope: which resource identities its evidence is drawn from. Fields that describe services
// (services, namespace, environment, versions) select services; hosts and devices are in scope only
// when named, or pulled in through the topology. Within a kind every given field must match; arrays
// mean "any of". So `{ services: [checkout], versions: [2.0.0], devices: [edge-sw-1] }` is the checkout
// canary plus the switch in front of it, not an empty intersection of a service and a switch.

export interface ScopeSelector {
  /** service.name, or "namespace/name". */
  services?: string[];
  /** service.namespace. */
  namespace?: string;
  /** deployment.environment.name (or the older deployment.environment). */
  environment?: string;
  /** service.version. */
  versions?: string[];
  /** Host names or any of their aliases. */
  hosts?: string[];
  /** Device names or any of their aliases. */
  devices?: string[];
  /** Any other resource attribute, exact; applies to every resource selected. */
  attributes?: Record<string, string>;
  /** Also the devices and hosts the selected services depend on (via topology). */
  includeDependencies?: boolean;
  /** Also the services that run on or route through the selected hosts and devices (via topology). */
  includeDependents?: boolean;
}

/** Finds hosts and devices by alias; the registry is one. Without it, hosts and devices match by canonical name only. */
export interface AliasLookup {
  findByAlias(nameOrAddress: string): ResourceInfo | undefined;
}

function hasServiceFields(s: ScopeSelector): boolean {
  return s.services !== undefined || s.namespace !== undefined || s.environment !== undefined || s.versions !== undefined;
}

/**
 * The selector as a predicate, compiled once per gate. Aliases are looked up on each call rather than
 * at compile time, because the registry keeps learning them.
 */
export function compileScope(selector: ScopeSelector, lookup?: AliasLookup): (r: ResourceInfo) => boolean {
  const attributes = Object.entries(selector.attributes ?? {});
  const attributesMatch = (r: ResourceInfo) => attributes.every(([k, v]) => r.attributes[k] === v);
  const { services, namespace, environment } = selector;
  const versions = selector.versions ? new Set(selector.versions) : undefined;
  // A selector with no kind-specific field at all ({} or attributes only) means every service.
  const selectsServices = hasServiceFields(selector) || (selector.hosts === undefined && selector.devices === undefined);

  const named = (names: readonly string[] | undefined) => {
    if (names === undefined) return undefined;
    const normalized = names.map(normalizeAlias);
    return (r: ResourceInfo) => {
      if (normalized.includes(normalizeAlias(r.attributes['host.name'] ?? ''))) return true;
      return lookup !== undefined && names.some((n) => lookup.findByAlias(n)?.id === r.id);
    };
  };
  const hostNamed = named(selector.hosts);
  const deviceNamed = named(selector.devices);

  return (r) => {
    if (!attributesMatch(r)) return false;
    switch (r.kind) {
      case 'service': {
        if (!selectsServices) return false;
        if (services !== undefined && !services.some((ref) => serviceMatchesRef(r, ref))) return false;
        if (namespace !== undefined && (r.attributes['service.namespace'] ?? '') !== namespace) return false;
        if (environment !== undefined && r.attributes['deployment.environment.name'] !== environment) return false;
        if (versions !== undefined && !versions.has(r.attributes['service.version'] ?? '')) return false;
        return true;
      }
      case 'host':
        return hostNamed !== undefined && hostNamed(r);
      case 'device':
        return deviceNamed !== undefined && deviceNamed(r);
    }
  };
}

export interface ResolvedScope {
  /** Every resource in scope, dependencies and dependents included. */
  readonly resourceIds: Set<number>;
  /** Those in scope only through the topology, for explaining a decision. */
  readonly viaTopology: Set<number>;
}

/**
 * The resource ids a selector means now, given what the registry and topology know. `candidates`,
 * when given, are the registry's resources that may match, in registry.all() order (a caller that
 * indexes the registry passes fewer); every other resource must fail the selector.
 */
export function resolveScope(selector: ScopeSelector, registry: ResourceRegistry, topology: Topology, candidates: Iterable<ResourceInfo> = registry.all()): ResolvedScope {
  const matches = compileScope(selector, registry);
  const resourceIds = new Set<number>();
  for (const info of candidates) if (matches(info)) resourceIds.add(info.id);
  const viaTopology = new Set<number>();
  const selectedServices: number[] = [];
  const selectedInfra: ResourceInfo[] = [];
  for (const id of resourceIds) {
    const info = registry.byId(id)!;
    if (info.kind === 'service') selectedServices.push(id);
    else selectedInfra.push(info);
  }
  if (selector.includeDependencies) {
    for (const id of topology.dependenciesOf(selectedServices)) if (!resourceIds.has(id)) viaTopology.add(id);
  }
  if (selector.includeDependents) {
    for (const info of selectedInfra) {
      const dependents = info.kind === 'device' ? topology.affectedServices(info.id) : topology.servicesOnHost(info.id);
      for (const id of dependents) if (!resourceIds.has(id)) viaTopology.add(id);
    }
  }
  for (const id of viaTopology) resourceIds.add(id);
  return { resourceIds, viaTopology };
}
