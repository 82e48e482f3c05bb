import { z } from 'zod';
import type { Batch } from '../model/batch.js';
import { ERR_SHUTTING_DOWN, RetryableError } from '../pipeline/errors.js';

// A bounded queue between an exporter's consumers and its senders. A full queue makes consume()
// wait rather than drop: the wait travels upstream, and that back-pressure is how corrgate
// ends up refusing its own senders instead of losing their data silently.

export const sendingQueueConfigSchema = z.strictObject({
  enabled: z
    .boolean()
    .default(true)
    .describe('Queue batches and send them from background consumers; when false, consume() sends inline and settles with the result.'),
  num_consumers: z.number().int().min(1).default(10).describe('Batches sent concurrently (default 10).'),
  queue_size: z
    .number()
    .int()
    .min(1)
    .default(1000)
    .describe('Capacity of the queue in batches, as the Collector counts it (default 1000). The queue-size gauge reports items.'),
});

export type SendingQueueConfig = z.output<typeof sendingQueueConfigSchema>;

export interface SendingQueueOptions<B extends Batch> {
  /** Most batches held while waiting for a consumer. */
  readonly capacity: number;
  readonly numConsumers: number;
  /** Sends one batch and accounts for it; a rejection is ignored here, since the owner has counted it. */
  readonly deliver: (batch: B) => Promise<void>;
  /** Told the number of items (spans or log records) waiting after every change. */
  readonly onSizeChange?: (items: number) => void;
}

interface BlockedProducer<B> {
  readonly batch: B;
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class SendingQueue<B extends Batch> {
  // A fixed ring: the capacity is known up front, and a shifting array would copy on every take.
  private readonly ring: (B | undefined)[];
  private head = 0;
  private length = 0;
  private items = 0;
  private readonly blocked: BlockedProducer<B>[] = [];
  private readonly idle: ((batch: B | undefined) => void)[] = [];
  private readonly workers: Promise<void>[] = [];
  private closed = false;
  private discarding = false;

  constructor(private readonly options: SendingQueueOptions<B>) {
    this.ring = new Array<B | undefined>(options.capacity);
    for (let i = 0; i < options.numConsumers; i++) this.workers.push(this.work());
    options.onSizeChange?.(0);
  }

  /** Batches waiting for a consumer, not counting those whose producers are blocked. */
  get size(): number {
    return this.length;
  }

  /** Resolves once the batch is queued (or taken by an idle consumer); waits while the queue is full. */
  push(batch: B): Promise<void> {
    if (this.closed) return Promise.reject(shuttingDown());
    const worker = this.idle.shift();
    if (worker !== undefined) {
      worker(batch);
      return Promise.resolve();
    }
    if (this.length < this.options.capacity) {
      this.enqueue(batch);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => this.blocked.push({ batch, resolve, reject }));
  }

  /**
   * Stops taking batches (blocked producers are refused with a RetryableError) and resolves once
   * every queued batch has been delivered. When `signal` aborts first, consumers stop after the
   * batch in hand and the batches never handed out are returned, for the owner to count as lost.
   */
  async drain(signal: AbortSignal): Promise<B[]> {
    this.close();
    const stop = (): void => {
      this.discarding = true;
      for (const worker of this.idle.splice(0)) worker(undefined);
    };
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    try {
      await Promise.all(this.workers);
    } finally {
      signal.removeEventListener('abort', stop);
    }
    const left: B[] = [];
    while (this.length > 0) left.push(this.dequeue());
    this.options.onSizeChange?.(0);
    return left;
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.blocked.splice(0)) p.reject(shuttingDown());
    if (this.length === 0) for (const worker of this.idle.splice(0)) worker(undefined);
  }

  private async work(): Promise<void> {
    for (;;) {
      const batch = await this.take();
      if (batch === undefined) return;
      try {
        await this.options.deliver(batch);
      } catch {
        // deliver has counted and logged the failure; the consumer must live on for the next batch.
      }
    }
  }

  private take(): B | undefined | Promise<B | undefined> {
    if (this.discarding) return undefined;
    if (this.length > 0) {
      const batch = this.dequeue();
      const next = this.blocked.shift();
      if (next !== undefined) {
        this.enqueue(next.batch);
        next.resolve();
      }
      return batch;
    }
    if (this.closed) return undefined;
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private enqueue(batch: B): void {
    this.ring[(this.head + this.length) % this.ring.length] = batch;
    this.length++;
    this.items += batch.itemCount;
    this.options.onSizeChange?.(this.items);
  }

  private dequeue(): B {
    const batch = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.length--;
    this.items -= batch.itemCount;
    this.options.onSizeChange?.(this.items);
    return batch;
  }
}

function shuttingDown(): RetryableError {
  return new RetryableError(ERR_SHUTTING_DOWN, 'exporter is shutting down', 1_000);
}
