import { z } from 'zod';
import { normalizeAlias } from './resource-registry.js';
import { canonicalInterfaceName } from './topology.js';

// The `topology` config section: what telemetry cannot show, namely which hosts and services sit
// behind which network device and interface, and the other names a device or host is known by.

const name = (what: string) => z.string().trim().min(1, `${what} must not be empty`);

const hostList = z
  .array(name('a host name'))
  .default([])
  .describe('Hosts behind it, by host.name or any declared alias; services seen running on them are affected too.');

const serviceList = z
  .array(name('a service name'))
  .default([])
  .describe('Services behind it, as service.name or "namespace/name"; every version and environment of each.');

export const topologyInterfaceSchema = z.strictObject({
  name: name('interface name').describe(
    'The interface as the device names it in its events; matched case-insensitively and by common abbreviation (Gi0/1 = GigabitEthernet0/1, Te, Eth/Et = Ethernet).',
  ),
  hosts: hostList,
  services: serviceList,
});

export const topologyDeviceSchema = z.strictObject({
  name: name('device name').describe("The device's canonical name."),
  addresses: z
    .array(name('an address'))
    .default([])
    .describe('Other names it is known by: syslog source address, SNMP agent address, sysName, DNS names.'),
  hosts: hostList,
  services: serviceList,
  interfaces: z
    .array(topologyInterfaceSchema)
    .default([])
    .describe('Dependents per interface: an event naming one of these affects only what is behind it.'),
});

export const topologyHostSchema = z.strictObject({
  name: name('host name').describe('The host.name services and syslog report for it.'),
  addresses: z.array(name('an address')).default([]).describe('Other names and addresses it is known by.'),
});

const sectionSchema = z
  .strictObject({
    devices: z.array(topologyDeviceSchema).default([]).describe('Network devices and what depends on them.'),
    hosts: z.array(topologyHostSchema).default([]).describe('Aliases for hosts.'),
    max_learned_edges: z
      .number()
      .int()
      .positive()
      .default(100_000)
      .describe('Learned service-host, service-peer and service-call edges kept at most; the least recently seen are forgotten first.'),
  })
  .superRefine((config, ctx) => {
    // One name must mean one identity, or device events would be pinned on the wrong device.
    const owners = new Map<string, string>();
    const claim = (alias: string, owner: string, path: (string | number)[]) => {
      const key = normalizeAlias(alias);
      const previous = owners.get(key);
      if (previous !== undefined && previous !== owner) {
        ctx.addIssue({ code: 'custom', path, message: `"${alias}" already names ${previous}` });
      } else owners.set(key, owner);
    };
    config.devices.forEach((d, i) => {
      const owner = `device ${normalizeAlias(d.name)}`;
      if (owners.get(normalizeAlias(d.name)) === owner) {
        ctx.addIssue({ code: 'custom', path: ['devices', i, 'name'], message: `device ${d.name} is declared twice` });
      }
      claim(d.name, owner, ['devices', i, 'name']);
      d.addresses.forEach((a, j) => claim(a, owner, ['devices', i, 'addresses', j]));
      const interfaces = new Set<string>();
      d.interfaces.forEach((iface, j) => {
        const canonical = canonicalInterfaceName(iface.name);
        if (interfaces.has(canonical)) {
          ctx.addIssue({ code: 'custom', path: ['devices', i, 'interfaces', j, 'name'], message: `interface ${iface.name} is declared twice` });
        }
        interfaces.add(canonical);
      });
    });
    config.hosts.forEach((h, i) => {
      const owner = `host ${normalizeAlias(h.name)}`;
      if (owners.get(normalizeAlias(h.name)) === owner) {
        ctx.addIssue({ code: 'custom', path: ['hosts', i, 'name'], message: `host ${h.name} is declared twice` });
      }
      claim(h.name, owner, ['hosts', i, 'name']);
      h.addresses.forEach((a, j) => claim(a, owner, ['hosts', i, 'addresses', j]));
    });
  });

/** An absent or empty section (`topology:` is null in YAML) means no declared topology. */
export const topologyConfigSchema = z.preprocess((value) => value ?? {}, sectionSchema);

export type TopologyConfig = z.output<typeof topologyConfigSchema>;
