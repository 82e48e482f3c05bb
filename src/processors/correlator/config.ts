import { z } from 'zod';
import { durationSchema } from '../../config/duration.js';
import { endpointSchema } from '../../config/endpoint.js';
import { topologyConfigSchema } from '../../correlator/topology-config.js';

const positive = (n: number, what: string) => z.number().int().positive().default(n).describe(what);

export const DEFAULT_CHAIN_EVENTS = [
  'network.interface.down',
  'network.bgp.session.down',
  'device.reboot',
  'device.config.changed',
  'device.power.failure',
  'device.fan.failure',
];

export const correlatorConfigSchema = z
  .strictObject({
    bucket_width: durationSchema.prefault('10s').describe('Width of the event-time buckets evidence is aggregated in.'),
    retention: durationSchema.prefault('2h').describe('How long buckets and chains are kept behind the watermark (baselines need this much history).'),
    allowed_lateness: durationSchema.prefault('2m').describe('Data this far behind the watermark still updates its bucket; older data is counted and dropped.'),
    clock_skew_tolerance: durationSchema
      .prefault('30s')
      .describe('Clocks of devices and services may disagree by this much: chain windows widen by it, and event times this far ahead of the receive clock are accepted.'),
    chain_interval: durationSchema.prefault('5m').describe('How long after a device event failures on affected services join its chain.'),
    chain_events: z.array(z.string().min(1)).default(DEFAULT_CHAIN_EVENTS).describe('Device events (event.name) that open a chain.'),
    exemplars: positive(5, 'Exemplar traces kept per resource and bucket, for errors and for the slowest spans.'),
    reservoir_size: positive(128, 'Latency samples kept per resource and bucket for statistical tests.'),
    limits: z
      .strictObject({
        max_traces: positive(200_000, 'Traces indexed; the oldest are evicted first.'),
        max_spans: positive(1_000_000, 'Spans indexed (for log-to-span links and the service graph); a ring.'),
        max_error_logs: positive(50_000, 'Error log records kept with their bodies; a ring.'),
        max_trace_age: durationSchema.prefault('15m').describe('Traces without activity for this long (event time) are evicted.'),
        max_resources: positive(20_000, 'Distinct services, hosts and devices; the least recently seen are forgotten first.'),
        max_buckets: positive(500_000, 'Buckets over all resources; the oldest are shed first.'),
        max_chains: positive(5_000, 'Correlated chains kept.'),
        max_learned_edges: positive(100_000, 'Topology edges learned from data.'),
      })
      .prefault({})
      .describe('Bounds on memory; every eviction is counted in corrgate_correlator_evictions_total.'),
    topology: topologyConfigSchema.optional().describe('Declared devices, their interfaces and the hosts and services behind them.'),
    http: z
      .strictObject({
        endpoint: endpointSchema.prefault('127.0.0.1:4319').describe('Where GET /v1/evidence, /v1/traces/{id}, /v1/topology and /v1/correlator are served.'),
      })
      .nullable()
      .optional()
      .describe('The evidence inspection endpoint; on when the key is present (even empty).'),
  })
  .describe('Joins spans, logs and device events by trace and by resource into evidence for gates. One instance serves every pipeline that names it.');

export type CorrelatorConfig = z.infer<typeof correlatorConfigSchema>;
