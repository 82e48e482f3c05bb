import { z } from 'zod';
import type { Signal } from '../model/batch.js';
import type { ExporterFactory, ExtensionFactory, ProcessorFactory, ReceiverFactory } from '../pipeline/component.js';
import { durationSchema } from './duration.js';
import { endpointSchema } from './endpoint.js';

// The top level of the config file, as the OpenTelemetry Collector lays it out. Component sections are
// validated by each component's own schema (see load-config.ts); this schema only holds the shape around them.

const componentSection = z.record(z.string(), z.unknown()).nullable().default({});

const componentList = (what: string) =>
  z.array(z.string().min(1, `${what} ids must not be empty`));

export const pipelineSchema = z.strictObject({
  receivers: componentList('receiver').min(1, 'a pipeline needs at least one receiver').describe('Receiver ids (keys under receivers) that feed this pipeline.'),
  processors: componentList('processor').default([]).describe('Processor ids, applied in order.'),
  exporters: componentList('exporter').min(1, 'a pipeline needs at least one exporter').describe('Exporter ids; each gets every batch.'),
  queue: z
    .strictObject({
      size: z.number().int().positive().default(100_000).describe('Items (spans or log records) the queue between receivers and this pipeline holds.'),
      retry_after: durationSchema.prefault('1s').describe('Delay senders are told to wait (Retry-After, RetryInfo) when the queue is full.'),
    })
    .prefault({})
    .describe('The bounded queue between receivers and this pipeline: when full, senders are throttled, not buffered without bound.'),
});

export const telemetrySchema = z.strictObject({
  metrics: z
    .strictObject({
      address: endpointSchema.prefault('127.0.0.1:8888').describe('Where Prometheus text is served at /metrics, with /healthz and /readyz.'),
    })
    .prefault({})
    .describe("corrgate's own metrics and health endpoints."),
  logs: z
    .strictObject({
      level: z.enum(['debug', 'info', 'warn', 'error']).default('info').describe("Lowest level of corrgate's own JSON log lines on stdout."),
    })
    .prefault({})
    .describe("corrgate's own log."),
});

export const topLevelSchema = z.strictObject({
  receivers: componentSection,
  processors: componentSection,
  exporters: componentSection,
  extensions: componentSection,
  service: z.strictObject({
    extensions: z.array(z.string().min(1)).default([]).describe('Extension ids (keys under extensions) to run beside the pipelines.'),
    pipelines: z.record(z.string(), pipelineSchema),
    telemetry: telemetrySchema.prefault({}),
  }),
});

export type PipelineConfig = z.infer<typeof pipelineSchema>;
export type TelemetryConfig = z.infer<typeof telemetrySchema>;

export interface ComponentConfig<F> {
  readonly id: string;
  readonly factory: F;
  readonly config: unknown;
}

export interface PipelineSpec extends PipelineConfig {
  readonly id: string;
  readonly signal: Signal;
}

/** A validated, frozen configuration: every id resolved to its factory and its config parsed. */
export interface ServiceConfig {
  readonly source: string;
  readonly receivers: ReadonlyMap<string, ComponentConfig<ReceiverFactory>>;
  readonly processors: ReadonlyMap<string, ComponentConfig<ProcessorFactory>>;
  readonly exporters: ReadonlyMap<string, ComponentConfig<ExporterFactory>>;
  /** The extensions service.extensions names, in that order. */
  readonly extensions: ReadonlyMap<string, ComponentConfig<ExtensionFactory>>;
  readonly pipelines: ReadonlyMap<string, PipelineSpec>;
  readonly telemetry: TelemetryConfig;
}
