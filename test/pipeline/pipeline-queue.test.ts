import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { TraceBatch } from '../../src/model/batch.js';
import type { Consumer } from '../../src/pipeline/consumer.js';
import { ERR_QUEUE_FULL, ERR_SHUTTING_DOWN, PermanentError, RetryableError } from '../../src/pipeline/errors.js';
import { IngressConsumer, PipelineQueue } from '../../src/pipeline/pipeline-queue.js';
import { SelfMetrics } from '../../src/telemetry/self-metrics.js';
import { makeTraceBatch } from '../helpers/batches.js';

/** A downstream that holds every batch until released, so the queue can be filled deterministically. */
class GatedConsumer implements Consumer<TraceBatch> {
  readonly received: TraceBatch[] = [];
  private releases: (() => void)[] = [];
  failNext = false;

  consume(batch: TraceBatch): Promise<void> {
    return new Promise((resolve, reject) => {
      this.releases.push(() => {
        this.received.push(batch);
        if (this.failNext) {
          this.failNext = false;
          reject(new PermanentError('TEST', 'refused for good'));
        } else resolve();
      });
    });
  }

  async releaseAll(): Promise<void> {
    while (this.releases.length > 0) {
      this.releases.shift()!();
      await new Promise((r) => setImmediate(r));
    }
  }
}

const logger = pino({ level: 'silent' });

async function metricValue(metrics: SelfMetrics, name: string): Promise<number> {
  const m = metrics.registry.getSingleMetric(name)!;
  return (await m.get()).values.reduce((sum, v) => sum + v.value, 0);
}

describe('PipelineQueue', () => {
  it('refuses with a RetryableError carrying the retry delay once its item capacity is reached', async () => {
    const metrics = new SelfMetrics({ processMetrics: false });
    const downstream = new GatedConsumer();
    const queue = new PipelineQueue<TraceBatch>('traces', 10, 2500, downstream, logger, metrics);
    const ingress = new IngressConsumer([queue]);
    await ingress.consume(makeTraceBatch(6)); // taken by the worker, waiting downstream
    await ingress.consume(makeTraceBatch(4));
    expect(queue.size).toBe(10);
    const refusal = await ingress.consume(makeTraceBatch(1)).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(RetryableError);
    expect((refusal as RetryableError).code).toBe(ERR_QUEUE_FULL);
    expect((refusal as RetryableError).retryAfterMs).toBe(2500);
    expect(await metricValue(metrics, 'corrgate_pipeline_refused_items_total')).toBe(1);
    expect(await metricValue(metrics, 'corrgate_pipeline_queue_size')).toBe(10);
    await downstream.releaseAll();
    await queue.drain();
    expect(downstream.received.map((b) => b.itemCount)).toEqual([6, 4]);
    expect(queue.size).toBe(0);
  });

  it('takes a batch larger than its capacity into an empty queue, so no request is refused forever', async () => {
    const downstream = new GatedConsumer();
    const queue = new PipelineQueue<TraceBatch>('traces', 5, 1000, downstream, logger, new SelfMetrics({ processMetrics: false }));
    await new IngressConsumer([queue]).consume(makeTraceBatch(8));
    expect(queue.size).toBe(8);
    await downstream.releaseAll();
    await queue.drain();
    expect(downstream.received).toHaveLength(1);
  });

  it('enqueues into every pipeline or none, so a retried request is never duplicated', async () => {
    const metrics = new SelfMetrics({ processMetrics: false });
    const a = new GatedConsumer();
    const b = new GatedConsumer();
    const qa = new PipelineQueue<TraceBatch>('traces/a', 100, 1000, a, logger, metrics);
    const qb = new PipelineQueue<TraceBatch>('traces/b', 5, 1000, b, logger, metrics);
    const ingress = new IngressConsumer([qa, qb]);
    await ingress.consume(makeTraceBatch(5));
    await expect(ingress.consume(makeTraceBatch(3))).rejects.toBeInstanceOf(RetryableError);
    expect(qa.size).toBe(5);
    expect(qb.size).toBe(5);
    await a.releaseAll();
    await b.releaseAll();
  });

  it('drains what it holds, then refuses new batches as shutting down', async () => {
    const downstream = new GatedConsumer();
    const queue = new PipelineQueue<TraceBatch>('logs', 100, 1000, downstream, logger, new SelfMetrics({ processMetrics: false }));
    const ingress = new IngressConsumer([queue]);
    await ingress.consume(makeTraceBatch(3));
    await ingress.consume(makeTraceBatch(2));
    const drained = queue.drain();
    const refusal = (await ingress.consume(makeTraceBatch(1)).catch((e: unknown) => e)) as RetryableError;
    expect(refusal.code).toBe(ERR_SHUTTING_DOWN);
    await downstream.releaseAll();
    await drained;
    expect(downstream.received.map((x) => x.itemCount)).toEqual([3, 2]);
  });

  it('counts items a downstream refused for good instead of losing them silently', async () => {
    const metrics = new SelfMetrics({ processMetrics: false });
    const downstream = new GatedConsumer();
    downstream.failNext = true;
    const queue = new PipelineQueue<TraceBatch>('traces', 100, 1000, downstream, logger, metrics);
    await new IngressConsumer([queue]).consume(makeTraceBatch(7));
    await downstream.releaseAll();
    await queue.drain();
    expect(await metricValue(metrics, 'corrgate_pipeline_failed_items_total')).toBe(7);
  });
});
