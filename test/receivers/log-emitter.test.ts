import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { str } from '../../src/model/attributes.js';
import type { LogBatch } from '../../src/model/batch.js';
import { SeverityNumber } from '../../src/model/log-record.js';
import type { LogRecord } from '../../src/model/log-record.js';
import { EMPTY_ID } from '../../src/model/ids.js';
import type { Consumer } from '../../src/pipeline/consumer.js';
import { PermanentError, RetryableError } from '../../src/pipeline/errors.js';
import { LogEmitter } from '../../src/receivers/log-emitter.js';
import { SelfMetrics } from '../../src/telemetry/self-metrics.js';

function record(text: string): LogRecord {
  return {
    timeUnixNano: 0n,
    observedTimeUnixNano: 1n,
    severityNumber: SeverityNumber.Info,
    severityText: 'info',
    body: str(text),
    attributes: [],
    droppedAttributesCount: 0,
    flags: 0,
    traceId: EMPTY_ID,
    spanId: EMPTY_ID,
    eventName: '',
  };
}

/** A pipeline entry that refuses the first `refusals` batches as throttled, then takes everything. */
class ThrottlingConsumer implements Consumer<LogBatch> {
  readonly batches: LogBatch[] = [];
  constructor(private refusals: number, private readonly permanent = false) {}
  async consume(batch: LogBatch): Promise<void> {
    if (this.refusals > 0) {
      this.refusals--;
      throw this.permanent ? new PermanentError('TEST', 'no') : new RetryableError('TEST', 'full', 20);
    }
    this.batches.push(batch);
  }
  bodies(): string[] {
    return this.batches.flatMap((b) => b.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords.map((l) => String(l.body.type === 'string' ? l.body.value : '')))));
  }
}

function emitter(consumer: Consumer<LogBatch>, metrics: SelfMetrics, highWaterMark = 100) {
  return new LogEmitter({
    receiverId: 'syslog',
    transport: 'tcp',
    consumer,
    metrics,
    logger: pino({ level: 'silent' }),
    scope: { name: 'test', version: '', attributes: [], droppedAttributesCount: 0 },
    maxBatchRecords: 10,
    flushIntervalMs: 5,
    highWaterMark,
    closeDeadlineMs: 2000,
  });
}

const counter = async (m: SelfMetrics, name: string) => (await m.registry.getSingleMetric(name)!.get()).values.reduce((s, v) => s + v.value, 0);

describe('LogEmitter', () => {
  it('groups records by resource into batches and hands every record on in order', async () => {
    const metrics = new SelfMetrics({ processMetrics: false });
    const sink = new ThrottlingConsumer(0);
    const e = emitter(sink, metrics);
    for (let i = 0; i < 25; i++) e.push([{ key: 'host.name', value: str(i % 2 ? 'r1' : 'r2') }], record(`m${i}`));
    await e.close();
    expect(sink.bodies().sort()).toEqual(Array.from({ length: 25 }, (_, i) => `m${i}`).sort());
    const first = sink.batches[0]!;
    expect(first.resourceLogs.map((r) => r.resource.attributes[0]!.value)).toEqual([str('r2'), str('r1')]);
    expect(await counter(metrics, 'corrgate_receiver_accepted_log_records_total')).toBe(25);
  });

  it('keeps a throttled batch and retries it, reporting saturation meanwhile, and loses nothing', async () => {
    const metrics = new SelfMetrics({ processMetrics: false });
    const sink = new ThrottlingConsumer(3);
    const e = emitter(sink, metrics, 10);
    for (let i = 0; i < 10; i++) e.push([], record(`a${i}`));
    expect(e.saturated).toBe(true);
    const room = new Promise<void>((resolve) => e.onceRoom(resolve));
    await room;
    for (let i = 0; i < 5; i++) e.push([], record(`b${i}`));
    await e.close();
    expect(sink.bodies()).toEqual([...Array.from({ length: 10 }, (_, i) => `a${i}`), ...Array.from({ length: 5 }, (_, i) => `b${i}`)]);
    expect(await counter(metrics, 'corrgate_receiver_refused_log_records_total')).toBe(0);
  });

  it('refuses and counts past its hard limit and after close', async () => {
    const metrics = new SelfMetrics({ processMetrics: false });
    const sink = new ThrottlingConsumer(1000);
    const e = emitter(sink, metrics, 3);
    let taken = 0;
    for (let i = 0; i < 10; i++) if (e.push([], record(`x${i}`))) taken++;
    expect(taken).toBe(6);
    e.refuse(2);
    expect(await counter(metrics, 'corrgate_receiver_refused_log_records_total')).toBe(6);
  });

  it('counts records the pipeline refused for good', async () => {
    const metrics = new SelfMetrics({ processMetrics: false });
    const e = emitter(new ThrottlingConsumer(1, true), metrics);
    e.push([], record('lost'));
    await e.close();
    expect(await counter(metrics, 'corrgate_receiver_refused_log_records_total')).toBe(1);
  });
});
