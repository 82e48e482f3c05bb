import { z } from 'zod';
import { durationSchema } from '../../config/duration.js';
import { configSection } from '../config-section.js';

export const fileExporterConfigSchema = configSection(
  z.strictObject({
    path: z
      .string({ error: 'path is required: the file that OTLP/JSON lines are appended to' })
      .min(1, 'path is required: the file that OTLP/JSON lines are appended to')
      .describe('File to append to; created when missing, its directory must exist.'),
    format: z
      .enum(['json'])
      .default('json')
      .describe('json: OTLP/JSON lines, one ExportTraceServiceRequest or ExportLogsServiceRequest per line.'),
    flush_interval: durationSchema
      .default(1_000)
      .describe('How often buffered lines are written to the file (default "1s"); "0s" writes every batch at once.'),
  }),
);

export type FileExporterConfig = z.output<typeof fileExporterConfigSchema>;
