import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';

// The Prometheus side of gate decisions. Several DecisionTelemetry instances may share one registry
// (a restart inside one process, tests), and prom-client refuses a second metric of the same name,
// so the set is made once per registry and handed out again after that.

export type GateTelemetrySignal = 'traces' | 'logs';

export interface GateMetrics {
  /** Evaluations recorded, by gate id and the decision reached (not the dry-run reported one). */
  readonly decisions: Counter<'gate' | 'decision'>;
  /**
   * Time one evaluation took. No gate label: gate ids come and go with rollouts, and a histogram per
   * gate multiplies that churn by the bucket count.
   */
  readonly evaluationDuration: Histogram<never>;
  /** Spans and log records the OTLP endpoint accepted. */
  readonly exportSent: Counter<'signal'>;
  /** Spans and log records given up on: the queue was full, or the endpoint failed or timed out. */
  readonly exportDropped: Counter<'signal' | 'reason'>;
}

const perRegistry = new WeakMap<Registry, GateMetrics>();

/** The gate metrics registered in `registry`, registering them on first use. */
export function gateMetrics(registry: Registry): GateMetrics {
  const known = perRegistry.get(registry);
  if (known) return known;
  const registers = [registry];
  const metrics: GateMetrics = {
    decisions: new Counter({
      name: 'corrgate_gate_decisions_total',
      help: 'Gate evaluations recorded, by gate id and decision (RUNNING, PASS, FAIL, INCONCLUSIVE).',
      labelNames: ['gate', 'decision'] as const,
      registers,
    }),
    evaluationDuration: new Histogram({
      name: 'corrgate_gate_evaluation_duration_seconds',
      help: 'Time taken by one gate evaluation, from the evidence query to the decision.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    exportSent: new Counter({
      name: 'corrgate_gate_export_sent_total',
      help: 'Decision spans (signal=traces) and decision log records (signal=logs) accepted by the OTLP endpoint.',
      labelNames: ['signal'] as const,
      registers,
    }),
    exportDropped: new Counter({
      name: 'corrgate_gate_export_dropped_total',
      help: 'Decision spans and log records given up on, by reason: queue_full (the export queue was full) or export_failed (the endpoint refused, was unreachable or timed out).',
      labelNames: ['signal', 'reason'] as const,
      registers,
    }),
  };
  perRegistry.set(registry, metrics);
  return metrics;
}
