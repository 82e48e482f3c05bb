import type { Counter } from 'prom-client';
import type { Batch, Signal } from '../../model/batch.js';
import type { ComponentSettings, Exporter } from '../../pipeline/component.js';

/** Takes every batch and discards it, counting it as sent: a sink for benchmarks and dry runs. */
export class NopExporter implements Exporter {
  readonly signals: readonly Signal[] = ['traces', 'logs'];
  private readonly sent: Record<Signal, Counter.Internal>;

  constructor(settings: ComponentSettings) {
    const { id, metrics } = settings;
    this.sent = { traces: metrics.exporterSent.traces.labels(id), logs: metrics.exporterSent.logs.labels(id) };
  }

  async start(): Promise<void> {}

  async consume(batch: Batch): Promise<void> {
    if (batch.itemCount > 0) this.sent[batch.signal].inc(batch.itemCount);
  }

  async shutdown(): Promise<void> {}
}
