import type { Counter, Gauge } from 'prom-client';
import type { Logger } from 'pino';
import type { Batch, Signal } from '../model/batch.js';
import type { ComponentSettings, Exporter } from '../pipeline/component.js';
import { CorrgateError, PermanentError, RetryableError } from '../pipeline/errors.js';
import type { PartialSuccess } from '../wire/otlp/export-result.js';
import { ERR_EXPORT_REJECTED, ERR_NOT_STARTED } from './export-errors.js';
import type { ExportTransport } from './export-transport.js';
import { retrySend, type RetryConfig } from './retry.js';
import { SendingQueue, type SendingQueueConfig } from './sending-queue.js';

// The part every network exporter shares: the sending queue, retries, the accounting of what was
// sent or lost, and a shutdown that drains within a deadline. Transports only speak the wire.

/** How long shutdown keeps sending (and retrying) what is queued before counting the rest as lost. */
export const SHUTDOWN_DEADLINE_MS = 10_000;

export interface QueuedExporterOptions {
  readonly retry: RetryConfig;
  readonly queue: SendingQueueConfig;
  /** At most SHUTDOWN_DEADLINE_MS; tests shorten it. */
  readonly shutdownDeadlineMs?: number;
}

interface Run {
  readonly abort: AbortController;
  readonly queue: SendingQueue<Batch> | undefined;
  /** Inline sends, when the queue is disabled, so that shutdown can wait for them. */
  readonly inflight: Set<Promise<void>>;
}

export class QueuedExporter<R> implements Exporter {
  readonly signals: readonly Signal[] = ['traces', 'logs'];
  private readonly logger: Logger;
  private readonly sent: Record<Signal, Counter.Internal>;
  private readonly failed: Record<Signal, Counter.Internal>;
  private readonly retries: Counter.Internal;
  private readonly queueSize: Gauge.Internal<'exporter'>;
  private readonly queueCapacity: Gauge.Internal<'exporter'>;
  private readonly deadlineMs: number;
  private run: Run | undefined;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly settings: ComponentSettings,
    private readonly transport: ExportTransport<R>,
    private readonly options: QueuedExporterOptions,
  ) {
    const { id, metrics } = settings;
    this.logger = settings.logger;
    this.sent = { traces: metrics.exporterSent.traces.labels(id), logs: metrics.exporterSent.logs.labels(id) };
    this.failed = { traces: metrics.exporterSendFailed.traces.labels(id), logs: metrics.exporterSendFailed.logs.labels(id) };
    this.retries = metrics.exporterRetries.labels(id);
    this.queueSize = metrics.exporterQueueSize.labels(id);
    this.queueCapacity = metrics.exporterQueueCapacity.labels(id);
    this.deadlineMs = Math.min(options.shutdownDeadlineMs ?? SHUTDOWN_DEADLINE_MS, SHUTDOWN_DEADLINE_MS);
  }

  start(): Promise<void> {
    if (this.run !== undefined) return Promise.resolve();
    this.starting ??= this.open().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  consume(batch: Batch): Promise<void> {
    const run = this.run;
    if (run === undefined) {
      const why = this.stopping !== undefined ? 'is shutting down' : 'has not been started';
      return Promise.reject(new RetryableError(ERR_NOT_STARTED, `exporter ${this.settings.id} ${why}`, 1_000));
    }
    if (run.queue !== undefined) return run.queue.push(batch);
    const sending = this.deliver(batch, run.abort.signal);
    const tracked = sending.then(
      () => undefined,
      () => undefined,
    );
    run.inflight.add(tracked);
    void tracked.finally(() => run.inflight.delete(tracked));
    return sending;
  }

  shutdown(): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    const stopping = this.stop().finally(() => {
      if (this.stopping === stopping) this.stopping = undefined;
    });
    this.stopping = stopping;
    return stopping;
  }

  private async open(): Promise<void> {
    if (this.stopping !== undefined) await this.stopping;
    await this.transport.open();
    const abort = new AbortController();
    const { queue: q } = this.options;
    let queue: SendingQueue<Batch> | undefined;
    if (q.enabled) {
      queue = new SendingQueue<Batch>({
        capacity: q.queue_size,
        numConsumers: q.num_consumers,
        deliver: (batch) => this.deliver(batch, abort.signal),
        onSizeChange: (items) => this.queueSize.set(items),
      });
    }
    this.queueCapacity.set(q.enabled ? q.queue_size : 0);
    this.run = { abort, queue, inflight: new Set() };
  }

  private async stop(): Promise<void> {
    if (this.starting !== undefined) await this.starting.catch(() => undefined);
    const run = this.run;
    if (run === undefined) return;
    this.run = undefined;
    const timer = setTimeout(() => run.abort.abort(), this.deadlineMs);
    try {
      const left = run.queue !== undefined ? await run.queue.drain(run.abort.signal) : [];
      await Promise.all(run.inflight);
      this.countLeftBehind(left);
    } finally {
      clearTimeout(timer);
      await this.transport.close();
    }
  }

  /** Sends one batch with retries and counts the outcome; rejects with what the consumer should see. */
  private async deliver(batch: Batch, signal: AbortSignal): Promise<void> {
    let result: PartialSuccess;
    try {
      const request = await this.transport.encode(batch);
      result = await retrySend(() => this.transport.send(request, signal), this.options.retry, {
        signal,
        onRetry: () => this.retries.inc(),
      });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.failed[batch.signal].inc(batch.itemCount);
      this.logger.warn(
        { exporter: this.settings.id, signal: batch.signal, items: batch.itemCount, reason },
        'export failed; batch dropped',
      );
      throw err instanceof CorrgateError ? err : new PermanentError(ERR_EXPORT_REJECTED, reason, { cause: err });
    }
    this.account(batch, result);
  }

  private account(batch: Batch, result: PartialSuccess): void {
    const rejected = Math.min(Math.max(result.rejected, 0), batch.itemCount);
    if (batch.itemCount > rejected) this.sent[batch.signal].inc(batch.itemCount - rejected);
    if (rejected > 0) {
      this.failed[batch.signal].inc(rejected);
      this.logger.warn(
        { exporter: this.settings.id, signal: batch.signal, items: batch.itemCount, rejected, reason: result.errorMessage },
        'export partially rejected by the destination',
      );
    } else if (result.errorMessage !== '') {
      // OTLP: a partial success that rejects nothing is a warning from the destination, worth relaying.
      this.logger.warn(
        { exporter: this.settings.id, signal: batch.signal, items: batch.itemCount, reason: result.errorMessage },
        'destination accepted the export with a warning',
      );
    }
  }

  private countLeftBehind(left: readonly Batch[]): void {
    if (left.length === 0) return;
    const lost: Record<Signal, number> = { traces: 0, logs: 0 };
    for (const batch of left) lost[batch.signal] += batch.itemCount;
    for (const signal of this.signals) if (lost[signal] > 0) this.failed[signal].inc(lost[signal]);
    this.logger.warn(
      { exporter: this.settings.id, batches: left.length, spans: lost.traces, logRecords: lost.logs, reason: 'shutdown deadline reached' },
      'export failed; queued batches dropped at shutdown',
    );
  }
}
