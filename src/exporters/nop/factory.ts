import { z } from 'zod';
import type { ExporterFactory } from '../../pipeline/component.js';
import { configSection } from '../config-section.js';
import { NopExporter } from './nop-exporter.js';

export const nopExporterConfigSchema = configSection(z.strictObject({}).describe('The nop exporter takes no settings.'));

export type NopExporterConfig = z.output<typeof nopExporterConfigSchema>;

export const nopExporterFactory: ExporterFactory<NopExporterConfig> = {
  kind: 'exporter',
  type: 'nop',
  signals: ['traces', 'logs'],
  configSchema: nopExporterConfigSchema,
  create(settings) {
    return new NopExporter(settings);
  },
};
