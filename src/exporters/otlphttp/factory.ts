import type { ExporterFactory } from '../../pipeline/component.js';
import { QueuedExporter } from '../queued-exporter.js';
import { otlpHttpExporterConfigSchema, type OtlpHttpExporterConfig } from './config.js';
import { HttpExportTransport } from './http-transport.js';

export const otlpHttpExporterFactory: ExporterFactory<OtlpHttpExporterConfig> = {
  kind: 'exporter',
  type: 'otlphttp',
  signals: ['traces', 'logs'],
  configSchema: otlpHttpExporterConfigSchema,
  create(settings, config) {
    return new QueuedExporter(settings, new HttpExportTransport(config), {
      retry: config.retry_on_failure,
      queue: config.sending_queue,
    });
  },
};
