import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { str } from '../../src/model/attributes.js';
import type { LogBatch } from '../../src/model/batch.js';
import { EMPTY_ID } from '../../src/model/ids.js';
import { SeverityNumber } from '../../src/model/log-record.js';
import type { LogRecord } from '../../src/model/log-record.js';
import { PermanentError, RetryableError } from '../../src/pipeline/errors.js';
import { CheckpointStore, DeliveryTracker, defaultStorageDirectory } from '../../src/receivers/checkpoint-store.js';
import { LogEmitter } from '../../src/receivers/log-emitter.js';
import { SelfMetrics } from '../../src/telemetry/self-metrics.js';
import { waitFor } from '../helpers/net.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'corrgate-checkpoint-'));

function record(n: number): LogRecord {
  return {
    timeUnixNano: 0n,
    observedTimeUnixNano: 1n,
    severityNumber: SeverityNumber.Info,
    severityText: '',
    body: str(`r${n}`),
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: EMPTY_ID,
    spanId: EMPTY_ID,
    eventName: '',
  };
}

describe('CheckpointStore', () => {
  it('has nothing before the first save, and loads what was saved last', async () => {
    const dir = join(tmp(), 'nested', 'store');
    const store = new CheckpointStore<{ cursor: string }>(dir, 'journald');
    expect(await store.load()).toBeUndefined();
    expect(existsSync(dir)).toBe(true);
    void store.save({ cursor: 'a' });
    void store.save({ cursor: 'b' });
    await store.save({ cursor: 'c' });
    await store.flush();
    expect(await new CheckpointStore<{ cursor: string }>(dir, 'journald').load()).toEqual({ cursor: 'c' });
    expect(JSON.parse(readFileSync(join(dir, 'journald.json'), 'utf8'))).toEqual({ version: 1, receiver: 'journald', position: { cursor: 'c' } });
    // Written through a temporary file that is renamed over: none is left behind.
    expect(readdirSync(dir)).toEqual(['journald.json']);
  });

  it('keeps one file per receiver id, a slash in the id included', async () => {
    const dir = tmp();
    const a = new CheckpointStore<number>(dir, 'filelog/devices');
    const b = new CheckpointStore<number>(dir, 'filelog');
    await a.save(1);
    await b.save(2);
    expect(readdirSync(dir).sort()).toEqual(['filelog%2Fdevices.json', 'filelog.json']);
    expect(await a.load()).toBe(1);
    expect(await b.load()).toBe(2);
  });

  it('refuses to guess when the file was damaged, naming the file', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'journald.json'), '{"version":1,"pos');
    await expect(new CheckpointStore(dir, 'journald').load()).rejects.toThrow(/journald\.json is not valid JSON.*fix or delete it/);
    writeFileSync(join(dir, 'journald.json'), '{"version":2,"position":1}');
    await expect(new CheckpointStore(dir, 'journald').load()).rejects.toThrow(/not a version 1 checkpoint/);
  });

  it('reports a failed write and fails flush with it', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'blocker'), '');
    const errors: unknown[] = [];
    const store = new CheckpointStore<number>(join(dir, 'blocker'), 'x', (err) => errors.push(err));
    await store.save(1);
    expect(errors).toHaveLength(1);
    await expect(store.flush()).rejects.toThrow(/ENOTDIR/);
  });

  it('defaults to the systemd state directory, else data/checkpoints', () => {
    expect(defaultStorageDirectory({ STATE_DIRECTORY: '/var/lib/corrgate:/var/lib/other' })).toBe('/var/lib/corrgate/checkpoints');
    expect(defaultStorageDirectory({})).toBe(resolve('data', 'checkpoints'));
  });
});

describe('DeliveryTracker with the LogEmitter', () => {
  function setup(consume: (batch: LogBatch) => Promise<void>) {
    const tracker = new DeliveryTracker<number>();
    const emitter = new LogEmitter({
      receiverId: 'filelog',
      transport: 'file',
      consumer: tracker.wrap({ consume }),
      metrics: new SelfMetrics({ processMetrics: false }),
      logger: pino({ level: 'silent' }),
      scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 },
      maxBatchRecords: 3,
      flushIntervalMs: 5,
      closeDeadlineMs: 300,
    });
    const push = (from: number, to: number) => {
      for (let n = from; n <= to; n++) {
        emitter.push([], record(n));
        tracker.handedOver(1, n);
      }
    };
    return { tracker, emitter, push };
  }

  it('settles a position only once the pipeline took every record up to it, through throttling', async () => {
    let refusals = 2;
    const taken: number[] = [];
    const { tracker, emitter, push } = setup(async (batch) => {
      if (refusals-- > 0) throw new RetryableError('TEST', 'full', 10);
      taken.push(batch.itemCount);
    });
    push(1, 3);
    expect(tracker.takeSettled()).toEqual([]);
    expect(tracker.outstanding).toBe(3);
    await waitFor('first batch', () => taken.length === 1);
    expect(tracker.takeSettled()).toEqual([1, 2, 3]);
    push(4, 5);
    await emitter.close();
    expect(tracker.takeSettled()).toEqual([4, 5]);
    expect(tracker.outstanding).toBe(0);
  });

  it('settles records refused for good (they are counted as refused, not read again)', async () => {
    const { tracker, emitter, push } = setup(async () => {
      throw new PermanentError('TEST', 'never');
    });
    push(1, 2);
    await emitter.close();
    expect(tracker.takeSettled()).toEqual([1, 2]);
  });

  it('never settles records the emitter gave up on at its shutdown deadline, so a restart reads them again', async () => {
    const { tracker, emitter, push } = setup(async () => {
      throw new RetryableError('TEST', 'full', 50);
    });
    push(1, 4);
    await emitter.close();
    expect(tracker.takeSettled()).toEqual([]);
    expect(tracker.outstanding).toBe(4);
  });
});
