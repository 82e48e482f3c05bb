import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Signal } from '../model/batch.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';
import type { Consumer, LogsConsumer, TracesConsumer } from './consumer.js';

/** What every component gets from the service: its id for logs and metric labels, a logger and the metrics. */
export interface ComponentSettings {
  /** The config key, `type` or `type/name`. */
  readonly id: string;
  readonly logger: Logger;
  readonly metrics: SelfMetrics;
}

/**
 * start() returns once the component is ready (a receiver is listening); shutdown() is idempotent,
 * safe before start(), and drains what the component holds before it resolves.
 */
export interface Component {
  start(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface Exporter extends Component, Consumer {
  readonly signals: readonly Signal[];
}

export interface Processor extends Component, Consumer {}

/** A receiver is shared by all pipelines that name it; it is given one consumer per signal. */
export interface ReceiverConsumers {
  readonly traces?: TracesConsumer;
  readonly logs?: LogsConsumer;
}

interface FactoryBase<C> {
  readonly type: string;
  /** One schema holds the defaults, descriptions and validation; it rejects unknown keys. */
  readonly configSchema: z.ZodType<C>;
  readonly signals: readonly Signal[];
}

export interface ReceiverFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'receiver';
  create(settings: ComponentSettings, config: C, consumers: ReceiverConsumers): Component;
}

/**
 * A processor that keeps state across signals (the correlator joins traces with logs), so every
 * pipeline that names it shares one instance; each pipeline attaches it in front of its own `next`.
 */
export interface SharedProcessor extends Component {
  attach(pipelineId: string, next: Consumer): Consumer;
}

export interface PerPipelineProcessorFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'processor';
  readonly sharing?: 'per-pipeline';
  /** One instance per pipeline, as in the collector: processors may hold per-pipeline state. */
  create(settings: ComponentSettings, config: C, next: Consumer): Processor;
}

export interface SharedProcessorFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'processor';
  readonly sharing: 'shared';
  create(settings: ComponentSettings, config: C): SharedProcessor;
}

export type ProcessorFactory<C = unknown> = PerPipelineProcessorFactory<C> | SharedProcessorFactory<C>;

export interface ExporterFactory<C = unknown> extends FactoryBase<C> {
  readonly kind: 'exporter';
  create(settings: ComponentSettings, config: C): Exporter;
}

/** What an extension may reach of the running service: the pipeline components, by config id. */
export interface ExtensionHost {
  /** A processor by its id (a shared processor such as the correlator is one instance). */
  processor(id: string): Component | undefined;
}

/**
 * An extension runs beside the pipelines rather than in them (the collector's extensions): the gate
 * runner reads the correlator's evidence and exports decisions. Started after the pipelines, stopped
 * before them.
 */
export interface ExtensionFactory<C = unknown> {
  readonly kind: 'extension';
  readonly type: string;
  readonly configSchema: z.ZodType<C>;
  create(settings: ComponentSettings, config: C, host: ExtensionHost): Component;
}

export type PipelineFactory = ReceiverFactory | ProcessorFactory | ExporterFactory;
export type AnyFactory = PipelineFactory | ExtensionFactory;
