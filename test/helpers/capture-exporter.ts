import { z } from 'zod';
import type { Batch, LogBatch, TraceBatch } from '../../src/model/batch.js';
import type { Exporter, ExporterFactory } from '../../src/pipeline/component.js';

/**
 * The sink at the end of a test pipeline: a real exporter that keeps what reaches it so tests can
 * assert on it field by field. `block` holds batches back to make queues fill up.
 */
export class CaptureExporter implements Exporter {
  readonly signals = ['traces', 'logs'] as const;
  readonly traces: TraceBatch[] = [];
  readonly logs: LogBatch[] = [];
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  started = 0;
  stopped = 0;

  block(): void {
    this.gate ??= new Promise((resolve) => (this.openGate = resolve));
  }

  unblock(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  async consume(batch: Batch): Promise<void> {
    if (this.gate) await this.gate;
    if (batch.signal === 'traces') this.traces.push(batch);
    else this.logs.push(batch);
  }

  spanCount(): number {
    return this.traces.reduce((n, b) => n + b.itemCount, 0);
  }

  logCount(): number {
    return this.logs.reduce((n, b) => n + b.itemCount, 0);
  }

  async start(): Promise<void> {
    this.started++;
  }

  async shutdown(): Promise<void> {
    this.stopped++;
  }
}

/** Registers one shared CaptureExporter instance under the type `capture`. */
export function captureExporterFactory(instance: CaptureExporter): ExporterFactory<Record<string, never>> {
  return {
    kind: 'exporter',
    type: 'capture',
    signals: ['traces', 'logs'],
    configSchema: z.strictObject({}),
    create: () => instance,
  };
}
