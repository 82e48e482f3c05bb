import type { ExporterFactory } from '../../pipeline/component.js';
import { QueuedExporter } from '../queued-exporter.js';
import { otlpExporterConfigSchema, type OtlpExporterConfig } from './config.js';
import { GrpcExportTransport } from './grpc-transport.js';

export const otlpExporterFactory: ExporterFactory<OtlpExporterConfig> = {
  kind: 'exporter',
  type: 'otlp',
  signals: ['traces', 'logs'],
  configSchema: otlpExporterConfigSchema,
  create(settings, config) {
    return new QueuedExporter(settings, new GrpcExportTransport(config), {
      retry: config.retry_on_failure,
      queue: config.sending_queue,
    });
  },
};
