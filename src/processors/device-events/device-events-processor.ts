import type { RuleSet } from '../../bridge/device-events/rule-set.js';
import type { Batch, LogBatch, ResourceLogs, ScopeLogs } from '../../model/batch.js';
import type { LogRecord } from '../../model/log-record.js';
import type { ComponentSettings, Processor } from '../../pipeline/component.js';
import type { Consumer } from '../../pipeline/consumer.js';
import { deviceEventsCounter } from './device-events-metrics.js';

type CounterChild = ReturnType<ReturnType<typeof deviceEventsCounter>['labels']>;

/**
 * Sets event.name and the extracted attributes on the log records a rule recognises. The batch it
 * is handed may also be on its way to other pipelines, so it is never changed: matched records are
 * new objects, and only the scope and resource entries that hold one are copied (copy-on-write);
 * everything else in the new batch is the very object that came in.
 */
export class DeviceEventsProcessor implements Processor {
  /** Counter children per rule (by rule order), taken once here rather than per record. */
  private readonly children: readonly CounterChild[];
  private readonly counts: Uint32Array;

  constructor(
    settings: ComponentSettings,
    private readonly rules: RuleSet,
    private readonly next: Consumer,
  ) {
    const counter = deviceEventsCounter(settings.metrics.registry);
    const byEvent = new Map<string, CounterChild>();
    const children: CounterChild[] = [];
    for (const rule of rules.rules) {
      let child = byEvent.get(rule.event);
      if (!child) byEvent.set(rule.event, (child = counter.labels(settings.id, rule.event)));
      children[rule.order] = child;
    }
    this.children = children;
    this.counts = new Uint32Array(children.length);
  }

  async start(): Promise<void> {}

  async shutdown(): Promise<void> {}

  consume(batch: Batch): Promise<void> {
    if (batch.signal !== 'logs' || this.rules.size === 0) return this.next.consume(batch);
    return this.next.consume(this.process(batch));
  }

  /** The batch with recognised records replaced; the same batch object when nothing matched. */
  process(batch: LogBatch): LogBatch {
    const counts = this.counts;
    counts.fill(0);
    let resourceLogs: ResourceLogs[] | undefined;
    batch.resourceLogs.forEach((rl, r) => {
      let scopeLogs: ScopeLogs[] | undefined;
      rl.scopeLogs.forEach((sl, s) => {
        let records: LogRecord[] | undefined;
        const resource = rl.resource.attributes;
        sl.logRecords.forEach((record, i) => {
          const applied = this.rules.apply(record, resource);
          if (!applied) return;
          counts[applied.rule.order]!++;
          records ??= sl.logRecords.slice();
          records[i] = applied.record;
        });
        if (!records) return;
        scopeLogs ??= rl.scopeLogs.slice();
        scopeLogs[s] = { scope: sl.scope, schemaUrl: sl.schemaUrl, logRecords: records };
      });
      if (!scopeLogs) return;
      resourceLogs ??= batch.resourceLogs.slice();
      resourceLogs[r] = { resource: rl.resource, schemaUrl: rl.schemaUrl, scopeLogs };
    });
    // Metrics once per batch and rule, never per record.
    for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) this.children[i]!.inc(counts[i]!);
    return resourceLogs ? { signal: 'logs', resourceLogs, itemCount: batch.itemCount } : batch;
  }
}
