import { pino } from 'pino';
import { builtinComponents } from '../../src/components.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { FactoryRegistry } from '../../src/config/load-config.js';
import type { AnyFactory, ExporterFactory, ExtensionFactory, ProcessorFactory, ReceiverFactory } from '../../src/pipeline/component.js';
import { Service } from '../../src/service/service.js';
import { SelfMetrics } from '../../src/telemetry/self-metrics.js';
import { CaptureExporter, captureExporterFactory } from './capture-exporter.js';
import { freePort } from './net.js';

export interface Harness {
  readonly service: Service;
  readonly capture: CaptureExporter;
  readonly metrics: SelfMetrics;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly metricsPort: number;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
}

/**
 * Starts a real corrgate Service in-process on free loopback ports. The YAML may use the
 * placeholders GRPC_PORT, HTTP_PORT and METRICS_PORT; the `capture` exporter is available, and
 * `extra` factories (of any kind) are registered beside the built-in ones.
 */
export async function startService(yaml: string, extra: AnyFactory[] = []): Promise<Harness> {
  const [grpcPort, httpPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const capture = new CaptureExporter();
  const builtins = builtinComponents();
  const of = <F extends AnyFactory>(kind: F['kind']) => extra.filter((f): f is F => f.kind === kind).map((f) => [f.type, f] as const);
  const registry: FactoryRegistry = {
    receivers: new Map([...builtins.receivers, ...of<ReceiverFactory>('receiver')]),
    processors: new Map([...builtins.processors, ...of<ProcessorFactory>('processor')]),
    exporters: new Map([...builtins.exporters, ['capture', captureExporterFactory(capture) as ExporterFactory], ...of<ExporterFactory>('exporter')]),
    extensions: new Map([...builtins.extensions, ...of<ExtensionFactory>('extension')]),
  };
  const text = yaml
    .replaceAll('GRPC_PORT', String(grpcPort))
    .replaceAll('HTTP_PORT', String(httpPort))
    .replaceAll('METRICS_PORT', String(metricsPort));
  const config = parseConfig(text, 'test.yaml', registry, {});
  const metrics = new SelfMetrics({ processMetrics: false });
  const service = new Service(config, pino({ level: process.env.CORRGATE_TEST_LOG ?? 'silent' }), { metrics });
  await service.start();
  return {
    service,
    capture,
    metrics,
    grpcPort,
    httpPort,
    metricsPort,
    async metric(name, labels = {}) {
      const m = metrics.registry.getSingleMetric(name);
      if (!m) throw new Error(`no metric ${name}`);
      return (await m.get()).values
        .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
        .reduce((sum, v) => sum + v.value, 0);
    },
  };
}

/** A config with one otlp receiver (both protocols) feeding `capture` for traces and logs. */
export const CAPTURE_CONFIG = `
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:GRPC_PORT
      http:
        endpoint: 127.0.0.1:HTTP_PORT
exporters:
  capture:
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [capture]
    logs:
      receivers: [otlp]
      exporters: [capture]
  telemetry:
    metrics:
      address: 127.0.0.1:METRICS_PORT
`;
