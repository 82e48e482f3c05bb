import { describe, expect, it } from 'vitest';
import { SendingQueue, sendingQueueConfigSchema } from '../../src/exporters/sending-queue.js';
import type { TraceBatch } from '../../src/model/batch.js';
import { ERR_SHUTTING_DOWN, RetryableError } from '../../src/pipeline/errors.js';
import { waitFor } from '../helpers/net.js';
import { makeTraces } from './fixtures.js';

/** A deliver function whose calls stay pending until the test lets them go. */
function gate() {
  const started: TraceBatch[] = [];
  const releases: (() => void)[] = [];
  return {
    started,
    deliver: (batch: TraceBatch) =>
      new Promise<void>((resolve) => {
        started.push(batch);
        releases.push(resolve);
      }),
    releaseAll: () => {
      for (const r of releases.splice(0)) r();
    },
  };
}

describe('sendingQueueConfigSchema', () => {
  it('yields the Collector defaults', () => {
    expect(sendingQueueConfigSchema.parse({})).toEqual({ enabled: true, num_consumers: 10, queue_size: 1000 });
  });
});

describe('SendingQueue', () => {
  it('sends with num_consumers in parallel and reports queued items', async () => {
    const g = gate();
    const sizes: number[] = [];
    const queue = new SendingQueue<TraceBatch>({ capacity: 10, numConsumers: 2, deliver: g.deliver, onSizeChange: (n) => sizes.push(n) });
    for (let i = 0; i < 4; i++) await queue.push(makeTraces(3));
    await waitFor('two sends in flight', () => g.started.length === 2);
    expect(queue.size).toBe(2);
    expect(sizes.at(-1)).toBe(6);
    g.releaseAll();
    await waitFor('all four sent', () => g.started.length === 4);
    g.releaseAll();
    expect(await queue.drain(new AbortController().signal)).toEqual([]);
    expect(sizes.at(-1)).toBe(0);
  });

  it('makes push wait while the queue is full, then lets it in as room frees', async () => {
    const g = gate();
    const queue = new SendingQueue<TraceBatch>({ capacity: 1, numConsumers: 1, deliver: g.deliver });
    await queue.push(makeTraces(1)); // taken by the consumer
    await queue.push(makeTraces(1)); // fills the single slot
    let third = false;
    const pushed = queue.push(makeTraces(1)).then(() => {
      third = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    expect(queue.size).toBe(1);
    g.releaseAll();
    await pushed;
    expect(third).toBe(true);
    await waitFor('second batch handed out', () => g.started.length === 2);
    g.releaseAll();
    await waitFor('third batch handed out', () => g.started.length === 3);
    g.releaseAll();
    await queue.drain(new AbortController().signal);
  });

  it('drains everything queued before resolving, and refuses pushes once draining', async () => {
    const delivered: TraceBatch[] = [];
    const queue = new SendingQueue<TraceBatch>({
      capacity: 100,
      numConsumers: 3,
      deliver: async (b) => {
        await new Promise((r) => setImmediate(r));
        delivered.push(b);
      },
    });
    const batches = Array.from({ length: 20 }, () => makeTraces(1));
    for (const b of batches) await queue.push(b);
    const left = await queue.drain(new AbortController().signal);
    expect(left).toEqual([]);
    expect(new Set(delivered)).toEqual(new Set(batches));
    const refused = await queue.push(makeTraces(1)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RetryableError);
    expect((refused as RetryableError).code).toBe(ERR_SHUTTING_DOWN);
  });

  it('refuses producers blocked on a full queue when draining starts', async () => {
    const g = gate();
    const queue = new SendingQueue<TraceBatch>({ capacity: 1, numConsumers: 1, deliver: g.deliver });
    await queue.push(makeTraces(1));
    await queue.push(makeTraces(1));
    const blocked = queue.push(makeTraces(1)).catch((e: unknown) => e);
    const draining = queue.drain(new AbortController().signal);
    expect(await blocked).toBeInstanceOf(RetryableError);
    g.releaseAll();
    await waitFor('queued batch sent', () => g.started.length === 2);
    g.releaseAll();
    expect(await draining).toEqual([]);
  });

  it('hands back the batches never sent when the drain is aborted', async () => {
    const g = gate();
    const queue = new SendingQueue<TraceBatch>({ capacity: 10, numConsumers: 1, deliver: g.deliver });
    const batches = Array.from({ length: 4 }, () => makeTraces(2));
    for (const b of batches) await queue.push(b);
    const abort = new AbortController();
    const draining = queue.drain(abort.signal);
    await waitFor('first batch in flight', () => g.started.length === 1);
    abort.abort();
    g.releaseAll();
    expect(await draining).toEqual(batches.slice(1));
    expect(g.started).toEqual(batches.slice(0, 1));
  });

  it('keeps consuming after a delivery fails', async () => {
    let calls = 0;
    const queue = new SendingQueue<TraceBatch>({
      capacity: 10,
      numConsumers: 1,
      deliver: async () => {
        calls++;
        throw new Error('boom');
      },
    });
    await queue.push(makeTraces(1));
    await queue.push(makeTraces(1));
    await queue.drain(new AbortController().signal);
    expect(calls).toBe(2);
  });
});
