import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { builtinComponents } from '../../../src/components.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { attributesToPlain } from '../../../src/model/attributes.js';
import { logBatch } from '../../../src/model/batch.js';
import type { Batch, LogBatch } from '../../../src/model/batch.js';
import { EMPTY_SCOPE } from '../../../src/model/resource.js';
import type { ComponentSettings, Processor, ProcessorFactory } from '../../../src/pipeline/component.js';
import { deviceEventsProcessorFactory } from '../../../src/processors/device-events/factory.js';
import type { DeviceEventsProcessorConfig } from '../../../src/processors/device-events/config.js';
import { SelfMetrics } from '../../../src/telemetry/self-metrics.js';
import { makeTraceBatch } from '../../helpers/batches.js';
import { attrs, syslogRecord, trapRecord } from '../../bridge/device-events/device-records.js';

const dir = mkdtempSync(join(tmpdir(), 'corrgate-device-events-'));
const factory = deviceEventsProcessorFactory;

class Sink {
  readonly batches: Batch[] = [];
  async consume(batch: Batch): Promise<void> {
    this.batches.push(batch);
  }
}

function settings(metrics = new SelfMetrics({ processMetrics: false }), id = 'logs/device_events'): ComponentSettings {
  return { id, logger: pino({ level: 'silent' }), metrics };
}

function create(raw: unknown = {}, sink = new Sink(), s = settings()): { processor: Processor; sink: Sink; metrics: SelfMetrics } {
  const config = factory.configSchema.parse(raw) as DeviceEventsProcessorConfig;
  return { processor: factory.create(s, config, sink), sink, metrics: s.metrics };
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v) && !ArrayBuffer.isView(v)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

const ciscoDown = syslogRecord('cisco', 'cisco', 'LINK-3-UPDOWN', 'Interface GigabitEthernet0/1, changed state to down');
const unrelated = syslogRecord('cisco', 'cisco', 'SYS-6-LOGGINGHOST_STARTSTOP', 'Logging to host 192.0.2.50 port 514 started - CLI initiated');
const coldStart = trapRecord('1.3.6.1.6.3.1.1.5.1', 'coldStart', {}, 'coldStart from sw2');

function sampleBatch(): LogBatch {
  return logBatch([
    { resource: { attributes: attrs({ 'host.name': 'sw1' }), droppedAttributesCount: 0 }, schemaUrl: 'r1', scopeLogs: [{ scope: EMPTY_SCOPE, schemaUrl: 's1', logRecords: [unrelated, ciscoDown] }] },
    { resource: { attributes: attrs({ 'host.name': 'sw2' }), droppedAttributesCount: 0 }, schemaUrl: '', scopeLogs: [{ scope: EMPTY_SCOPE, schemaUrl: '', logRecords: [unrelated] }] },
    { resource: { attributes: attrs({ 'host.name': 'sw3' }), droppedAttributesCount: 0 }, schemaUrl: '', scopeLogs: [{ scope: EMPTY_SCOPE, schemaUrl: '', logRecords: [coldStart] }] },
  ]);
}

describe('device_events processor', () => {
  it('is a logs processor named device_events whose default config validates', () => {
    expect([factory.kind, factory.type, factory.signals]).toEqual(['processor', 'device_events', ['logs']]);
    expect(factory.configSchema.parse({})).toEqual({ builtin_rules: true, rules_files: [], rules: [] });
  });

  it('can be shut down before start, twice, and started again after a shutdown', async () => {
    const { processor } = create();
    await expect(processor.shutdown()).resolves.toBeUndefined();
    await expect(processor.shutdown()).resolves.toBeUndefined();
    await processor.start();
    await processor.shutdown();
    await processor.start();
    await expect(processor.shutdown()).resolves.toBeUndefined();
  });

  it('marks recognised records in a new batch and leaves the input as it was', async () => {
    const { processor, sink } = create();
    const input = deepFreeze(sampleBatch());
    const before = JSON.stringify(input, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    await processor.consume(input);
    expect(JSON.stringify(input, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))).toBe(before);

    const out = sink.batches[0] as LogBatch;
    expect(out).not.toBe(input);
    expect(out.itemCount).toBe(4);
    // Copy-on-write: what no rule touched is the same object.
    expect(out.resourceLogs[1]).toBe(input.resourceLogs[1]);
    expect(out.resourceLogs[0]!.resource).toBe(input.resourceLogs[0]!.resource);
    expect(out.resourceLogs[0]!.schemaUrl).toBe('r1');
    expect(out.resourceLogs[0]!.scopeLogs[0]!.schemaUrl).toBe('s1');
    expect(out.resourceLogs[0]!.scopeLogs[0]!.scope).toBe(EMPTY_SCOPE);
    expect(out.resourceLogs[0]!.scopeLogs[0]!.logRecords[0]).toBe(unrelated);
    const marked = out.resourceLogs[0]!.scopeLogs[0]!.logRecords[1]!;
    expect(marked).not.toBe(ciscoDown);
    expect(attributesToPlain(marked.attributes)).toMatchObject({
      'syslog.mnemonic': 'LINK-3-UPDOWN',
      'event.name': 'network.interface.down',
      'device.event.rule': 'cisco-link-down',
      'device.event.vendor': 'cisco',
      'network.interface.name': 'GigabitEthernet0/1',
    });
    const reboot = out.resourceLogs[2]!.scopeLogs[0]!.logRecords[0]!;
    expect(attributesToPlain(reboot.attributes)['event.name']).toBe('device.reboot');
  });

  it('hands on the very same batch when nothing matches, and traces untouched', async () => {
    const { processor, sink } = create();
    const none = logBatch([{ resource: { attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', scopeLogs: [{ scope: EMPTY_SCOPE, schemaUrl: '', logRecords: [unrelated] }] }]);
    const traces = makeTraceBatch(2);
    await processor.consume(none);
    await processor.consume(traces);
    expect(sink.batches[0]).toBe(none);
    expect(sink.batches[1]).toBe(traces);
  });

  it('counts matches per event in corrgate_device_events_total, shared by processors on one registry', async () => {
    const metrics = new SelfMetrics({ processMetrics: false });
    const a = create({}, new Sink(), settings(metrics, 'logs/device_events'));
    const b = create({}, new Sink(), settings(metrics, 'logs/edge/device_events'));
    await a.processor.consume(sampleBatch());
    await a.processor.consume(sampleBatch());
    await b.processor.consume(sampleBatch());
    const values = (await metrics.registry.getSingleMetric('corrgate_device_events_total')!.get()).values;
    const value = (processor: string, event: string) => values.find((v) => v.labels.processor === processor && v.labels.event === event)?.value;
    expect(value('logs/device_events', 'network.interface.down')).toBe(2);
    expect(value('logs/device_events', 'device.reboot')).toBe(2);
    expect(value('logs/edge/device_events', 'network.interface.down')).toBe(1);
  });

  it('uses inline rules and rule files, and only them when builtin_rules is false', async () => {
    const file = join(dir, 'lab.yaml');
    writeFileSync(file, 'rules:\n  - name: lab-restart\n    event: device.reboot\n    match: { body: "^System restarted" }\n');
    const { processor, sink } = create({
      builtin_rules: false,
      rules_files: [file],
      rules: [{ name: 'lab-down', event: 'network.interface.down', match: { attributes: { 'syslog.mnemonic': 'LINK-3-UPDOWN' } } }],
    });
    await processor.consume(logBatch([{ resource: { attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', scopeLogs: [{ scope: EMPTY_SCOPE, schemaUrl: '', logRecords: [ciscoDown, syslogRecord('cisco', 'cisco', 'SYS-5-RESTART', 'System restarted --'), coldStart] }] }]));
    const records = (sink.batches[0] as LogBatch).resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(records.map((r) => attributesToPlain(r.attributes)['device.event.rule'])).toEqual(['lab-down', 'lab-restart', undefined]);
    expect(records[2]).toBe(coldStart);
  });

  it('fails config validation with the file, rule and field of a bad rules file', () => {
    const file = join(dir, 'bad-rules.yaml');
    writeFileSync(file, "rules:\n  - name: bad-regex\n    event: device.reboot\n    match: { body: '/(unclosed/' }\n");
    const builtins = builtinComponents();
    const registry = { ...builtins, processors: new Map([...builtins.processors, ['device_events', factory as ProcessorFactory]]) };
    const yaml = `
receivers:
  otlp:
exporters:
  nop:
processors:
  device_events:
    rules_files: [${file}]
    rules:
      - { name: inline-bad, event: Not An Event, match: { body: x } }
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [device_events]
      exporters: [nop]
`;
    let message = '';
    try {
      parseConfig(yaml, 'corrgate.yaml', registry, {});
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('processors.device_events.rules[0].event: must be a dotted lower-case event name');
    // Rule files are only compiled once the config's own shape is valid.
    const fixed = yaml.replace('Not An Event', 'device.reboot');
    expect(() => parseConfig(fixed, 'corrgate.yaml', registry, {})).toThrow(
      `processors.device_events.rules_files[0]: ${file}: rules[0] "bad-regex": match.body: invalid regular expression /(unclosed/`,
    );
  });

  it('refuses to start when a rules file went bad after validation', () => {
    const file = join(dir, 'later.yaml');
    writeFileSync(file, 'rules:\n  - { name: ok, event: device.reboot, match: { body: x } }\n');
    const config = factory.configSchema.parse({ rules_files: [file] }) as DeviceEventsProcessorConfig;
    writeFileSync(file, 'rules:\n  - { name: ok, event: device.reboot, match: { body: x }, extract: { user.name: "${who}" } }\n');
    expect(() => factory.create(settings(), config, new Sink())).toThrow(`rules_files[0]: ${file}: rules[0] "ok": extract.user.name: template "\${who}" names group "who"`);
  });
});
