import type { ExporterFactory } from '../../pipeline/component.js';
import { fileExporterConfigSchema, type FileExporterConfig } from './config.js';
import { FileExporter } from './file-exporter.js';

export const fileExporterFactory: ExporterFactory<FileExporterConfig> = {
  kind: 'exporter',
  type: 'file',
  signals: ['traces', 'logs'],
  configSchema: fileExporterConfigSchema,
  create(settings, config) {
    return new FileExporter(settings, config);
  },
};
