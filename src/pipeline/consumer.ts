import type { Batch, LogBatch, TraceBatch } from '../model/batch.js';

/**
 * The one interface data moves through, from receivers to processors to exporters.
 * `consume` takes ownership of the batch and resolves once the batch is safely handed on (queued
 * or processed); it rejects with a RetryableError or PermanentError. Batches may be shared between
 * several consumers (fan-out), so a consumer that mutates data must copy it first and say so.
 */
export interface Consumer<B extends Batch = Batch> {
  consume(batch: B): Promise<void>;
}

export type TracesConsumer = Consumer<TraceBatch>;
export type LogsConsumer = Consumer<LogBatch>;

/** Hands each batch to every consumer; settles when all have taken it, failing if any failed. */
export class FanoutConsumer<B extends Batch> implements Consumer<B> {
  constructor(private readonly consumers: readonly Consumer<B>[]) {}

  async consume(batch: B): Promise<void> {
    if (this.consumers.length === 1) return this.consumers[0]!.consume(batch);
    const results = await Promise.allSettled(this.consumers.map((c) => c.consume(batch)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
