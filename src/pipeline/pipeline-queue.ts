import type { Logger } from 'pino';
import type { Batch } from '../model/batch.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import type { Consumer } from './consumer.js';
import { ERR_QUEUE_FULL, ERR_SHUTTING_DOWN, RetryableError } from './errors.js';

/**
 * The bounded queue between receivers and one pipeline. Capacity is counted in items (spans or log
 * records), not batches, because memory follows items. Offering is synchronous, so a receiver feeding
 * several pipelines can check every queue for room and then enqueue into all of them atomically:
 * either all pipelines take a request or none does and the sender is told to retry.
 * One worker hands batches on in order and awaits each, so a slow exporter fills this queue, and a
 * full queue refuses senders (backpressure), instead of memory growing.
 */
export class PipelineQueue<B extends Batch = Batch> {
  private readonly items: (B | undefined)[] = [];
  private head = 0;
  private queuedItems = 0;
  private running = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  private readonly sizeGauge;
  private readonly refusedCounter;
  private readonly failedCounter;

  constructor(
    readonly pipelineId: string,
    readonly capacity: number,
    readonly retryAfterMs: number,
    private readonly next: Consumer<B>,
    private readonly logger: Logger,
    metrics: SelfMetrics,
  ) {
    this.sizeGauge = metrics.pipelineQueueSize.labels(pipelineId);
    this.refusedCounter = metrics.pipelineRefused.labels(pipelineId);
    this.failedCounter = metrics.pipelineDeliveryFailed.labels(pipelineId);
    metrics.pipelineQueueCapacity.labels(pipelineId).set(capacity);
    this.sizeGauge.set(0);
  }

  get size(): number {
    return this.queuedItems;
  }

  /** A batch larger than the whole capacity is still taken into an empty queue, or it could never pass. */
  hasRoom(itemCount: number): boolean {
    return !this.closed && (this.queuedItems === 0 || this.queuedItems + itemCount <= this.capacity);
  }

  /** The error a sender gets when this queue cannot take its batch. */
  refusal(itemCount: number): RetryableError {
    if (this.closed) return new RetryableError(ERR_SHUTTING_DOWN, 'corrgate is shutting down', this.retryAfterMs);
    this.refusedCounter.inc(itemCount);
    return new RetryableError(
      ERR_QUEUE_FULL,
      `pipeline ${this.pipelineId} is at capacity (${this.queuedItems}/${this.capacity} items queued); retry later`,
      this.retryAfterMs,
    );
  }

  /** Enqueues without a room check; callers check hasRoom first (see IngressConsumer). */
  offer(batch: B): void {
    this.items.push(batch);
    this.queuedItems += batch.itemCount;
    this.sizeGauge.set(this.queuedItems);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.head < this.items.length) {
      const batch = this.items[this.head]!;
      this.items[this.head++] = undefined;
      try {
        await this.next.consume(batch);
      } catch (err) {
        // Exporters retry on their own; what reaches here was refused for good downstream. It is
        // counted and logged once per batch, never silently lost.
        this.failedCounter.inc(batch.itemCount);
        this.logger.error({ pipeline: this.pipelineId, items: batch.itemCount, err }, 'pipeline could not deliver a batch');
      }
      this.queuedItems -= batch.itemCount;
      this.sizeGauge.set(this.queuedItems);
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
    }
    this.items.length = 0;
    this.head = 0;
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** Stops taking batches and resolves once everything queued has been handed on. */
  async drain(): Promise<void> {
    this.closed = true;
    if (!this.running) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}

/**
 * What a receiver is given as its consumer for one signal: all the queues of the pipelines that
 * name it. It takes a batch only if every queue has room, so a retry never duplicates data into
 * the pipelines that had taken it.
 */
export class IngressConsumer<B extends Batch> implements Consumer<B> {
  constructor(private readonly queues: readonly PipelineQueue<B>[]) {}

  consume(batch: B): Promise<void> {
    if (batch.itemCount === 0) return Promise.resolve();
    for (const q of this.queues) {
      if (!q.hasRoom(batch.itemCount)) return Promise.reject(q.refusal(batch.itemCount));
    }
    for (const q of this.queues) q.offer(batch);
    return Promise.resolve();
  }
}
