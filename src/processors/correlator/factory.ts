import type { Batch } from '../../model/batch.js';
import type { ComponentSettings, SharedProcessor, SharedProcessorFactory } from '../../pipeline/component.js';
import type { Consumer } from '../../pipeline/consumer.js';
import { Correlator } from '../../correlator/correlator.js';
import { correlatorConfigSchema } from './config.js';
import type { CorrelatorConfig } from './config.js';
import { registerCorrelatorMetrics } from './correlator-metrics.js';
import { EvidenceServer } from './evidence-server.js';

/**
 * The `correlator` processor: one instance shared by the traces and logs pipelines that name it.
 * It reads each batch into its stores and hands the batch on unchanged; a fault while reading is
 * counted and logged, and never stops the batch.
 */
export class CorrelatorProcessor implements SharedProcessor {
  readonly correlator: Correlator;
  private readonly server: EvidenceServer | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unregister: (() => void) | undefined;
  private faults = 0;

  constructor(
    private readonly settings: ComponentSettings,
    private readonly config: CorrelatorConfig,
  ) {
    const l = config.limits;
    this.correlator = new Correlator({
      evidence: {
        bucketWidthMs: config.bucket_width,
        retentionMs: config.retention,
        allowedLatenessMs: config.allowed_lateness,
        clockSkewToleranceMs: config.clock_skew_tolerance,
        maxBuckets: l.max_buckets,
        reservoirSize: config.reservoir_size,
        exemplars: config.exemplars,
        deviceEventSamples: 20,
      },
      traces: { maxTraces: l.max_traces, maxSpans: l.max_spans, maxErrorLogs: l.max_error_logs, maxTraceAgeMs: l.max_trace_age },
      chains: {
        intervalMs: config.chain_interval,
        triggerEvents: new Set(config.chain_events),
        maxChains: l.max_chains,
        maxTracesPerChain: 20,
        maxLogsPerChain: 20,
        recentFailuresPerService: 50,
        maxTrackedServices: Math.min(l.max_resources, 10_000),
      },
      maxResources: l.max_resources,
      maxLearnedEdges: l.max_learned_edges,
      ...(config.topology ? { topology: config.topology } : {}),
    });
    if (config.http) this.server = new EvidenceServer(config.http.endpoint, this.correlator);
  }

  attach(_pipelineId: string, next: Consumer): Consumer {
    return {
      consume: (batch: Batch) => {
        try {
          if (batch.signal === 'traces') this.correlator.observeTraces(batch);
          else this.correlator.observeLogs(batch);
        } catch (err) {
          // Evidence is best effort; the data itself must still reach the exporters.
          if (this.faults++ % 1000 === 0) this.settings.logger.error({ err, faults: this.faults }, 'correlator could not read a batch');
        }
        return next.consume(batch);
      },
    };
  }

  async start(): Promise<void> {
    if (this.timer) return;
    await this.server?.start();
    this.unregister = registerCorrelatorMetrics(this.settings.metrics.registry, this.settings.id, this.correlator);
    const every = Math.max(1000, Math.min(this.config.bucket_width, 10_000));
    this.timer = setInterval(() => this.correlator.maintain(), every);
    this.timer.unref();
    if (this.server?.address) this.settings.logger.info({ endpoint: `${this.server.address.host}:${this.server.address.port}` }, 'correlator evidence endpoint listening');
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.unregister?.();
    this.unregister = undefined;
    await this.server?.shutdown();
  }
}

export const correlatorProcessorFactory: SharedProcessorFactory<CorrelatorConfig> = {
  kind: 'processor',
  sharing: 'shared',
  type: 'correlator',
  signals: ['traces', 'logs'],
  configSchema: correlatorConfigSchema,
  create: (settings, config) => new CorrelatorProcessor(settings, config),
};
