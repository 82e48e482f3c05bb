import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Correlator, CorrelatorStats } from '../../correlator/correlator.js';

// The correlator's metrics are read from its stores when Prometheus scrapes, never updated per event.
// One set of metrics per registry serves every correlator instance registered with it.

const instancesByRegistry = new WeakMap<Registry, Map<string, Correlator>>();

export function registerCorrelatorMetrics(registry: Registry, processor: string, correlator: Correlator): () => void {
  let instances = instancesByRegistry.get(registry);
  if (!instances) {
    instances = new Map();
    instancesByRegistry.set(registry, instances);
    defineMetrics(registry, instances);
  }
  instances.set(processor, correlator);
  const own = instances;
  return () => {
    if (own.get(processor) === correlator) own.delete(processor);
  };
}

function defineMetrics(registry: Registry, instances: Map<string, Correlator>): void {
  const gauge = (name: string, help: string, read: (s: CorrelatorStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['processor'],
      registers: [registry],
      collect() {
        for (const [processor, c] of instances) this.set({ processor }, read(c.stats()));
      },
    });
  gauge('corrgate_correlator_traces', 'Traces indexed.', (s) => s.traces);
  gauge('corrgate_correlator_spans', 'Spans indexed.', (s) => s.spans);
  gauge('corrgate_correlator_error_logs', 'Error log records kept with their bodies.', (s) => s.errorLogs);
  gauge('corrgate_correlator_resources', 'Distinct services, hosts and devices known.', (s) => s.resources);
  gauge('corrgate_correlator_buckets', 'Evidence buckets held.', (s) => s.buckets);
  gauge('corrgate_correlator_chains', 'Correlated chains held (open or formed).', (s) => s.chains);
  gauge('corrgate_correlator_formed_chains', 'Chains with at least one failure.', (s) => s.formedChains);
  gauge('corrgate_correlator_learned_edges', 'Topology edges learned from data.', (s) => s.learnedEdges);
  gauge('corrgate_correlator_bytes', 'Bytes held by the trace index and evidence buckets (estimate).', (s) => s.bytes);

  // The stores keep running totals; these counters catch up with them on each scrape.
  const seen = new Map<string, number>();
  const follow = (counter: Counter<string>, labels: Record<string, string>, total: number) => {
    const key = JSON.stringify(labels);
    counter.inc(labels, Math.max(0, total - (seen.get(key) ?? 0)));
    seen.set(key, total);
  };
  new Counter({
    name: 'corrgate_correlator_evictions_total',
    help: 'Items shed to stay within the limits, by kind.',
    labelNames: ['processor', 'kind'],
    registers: [registry],
    collect() {
      for (const [processor, c] of instances) for (const [kind, total] of Object.entries(c.stats().evicted)) follow(this, { processor, kind }, total);
    },
  });
  new Counter({
    name: 'corrgate_correlator_late_dropped_total',
    help: 'Records older than the watermark by more than the allowed lateness, counted and dropped.',
    labelNames: ['processor'],
    registers: [registry],
    collect() {
      for (const [processor, c] of instances) follow(this, { processor }, c.stats().lateDropped);
    },
  });
}
