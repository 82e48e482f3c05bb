import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { builtinComponents } from '../../src/components.js';
import { correlatorProcessorFactory } from '../../src/processors/correlator/factory.js';
import type { AnyFactory, Component, ComponentSettings } from '../../src/pipeline/component.js';
import { SelfMetrics } from '../../src/telemetry/self-metrics.js';

// Every component passes the same lifecycle contract: its default config validates (with only the
// keys that have no sensible default filled in), it can be shut down without being started, and it
// can be started, shut down and started again.

const dir = mkdtempSync(join(tmpdir(), 'corrgate-contract-'));
const required: Record<string, Record<string, unknown>> = {
  'receiver/otlp': { protocols: { grpc: { endpoint: '127.0.0.1:0' }, http: { endpoint: '127.0.0.1:0' } } },
  'exporter/otlp': { endpoint: '127.0.0.1:4317', tls: { insecure: true } },
  'exporter/otlphttp': { endpoint: 'http://127.0.0.1:4318' },
  'exporter/file': { path: join(dir, 'out.jsonl') },
  'receiver/filelog': { include: [join(dir, '*.log')], storage_directory: join(dir, 'filelog') },
  'receiver/journald': { directory: dir, storage_directory: join(dir, 'journald') },
  'receiver/snmptrap': { listen_address: '127.0.0.1:0' },
  'receiver/syslog': { udp: { listen_address: '127.0.0.1:0' }, tcp: { listen_address: '127.0.0.1:0' } },
  'processor/correlator': { http: { endpoint: '127.0.0.1:0' }, limits: { max_spans: 1000, max_traces: 100, max_error_logs: 100 } },
};

const registry = builtinComponents();
const factories: AnyFactory[] = [...registry.receivers.values(), ...registry.processors.values(), ...registry.exporters.values(), ...registry.extensions.values()];
const noop = { consume: async () => {} };

function create(factory: AnyFactory, config: unknown): Component {
  const settings: ComponentSettings = { id: factory.type, logger: pino({ level: 'silent' }), metrics: new SelfMetrics({ processMetrics: false }) };
  switch (factory.kind) {
    case 'receiver':
      return factory.create(settings, config, { traces: noop, logs: noop });
    case 'processor':
      return factory.sharing === 'shared' ? factory.create(settings, config) : factory.create(settings, config, noop);
    case 'exporter':
      return factory.create(settings, config);
    case 'extension': {
      // Extensions reach pipeline components; the gates extension needs a correlator to judge.
      const correlator = correlatorProcessorFactory.create(settings, correlatorProcessorFactory.configSchema.parse({ limits: { max_spans: 1000, max_traces: 100, max_error_logs: 100 } }));
      return factory.create(settings, config, { processor: (id) => (id === 'correlator' ? correlator : undefined) });
    }
  }
}

describe.each(factories.map((f) => [`${f.kind}/${f.type}`, f] as const))('%s lifecycle contract', (key, factory) => {
  const parse = () => factory.configSchema.safeParse(required[key] ?? {});

  it('has a default config that validates', () => {
    const parsed = parse();
    expect(parsed.success, parsed.success ? '' : parsed.error.message).toBe(true);
  });

  it('can be created and shut down without being started, twice', async () => {
    const component = create(factory, parse().data);
    await expect(component.shutdown()).resolves.toBeUndefined();
    await expect(component.shutdown()).resolves.toBeUndefined();
  });

  it('can be started, shut down and started again', async () => {
    const component = create(factory, parse().data);
    await component.start();
    await component.shutdown();
    await component.start();
    await component.shutdown();
    await expect(component.shutdown()).resolves.toBeUndefined();
  });
});
