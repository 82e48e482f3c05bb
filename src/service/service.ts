import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service-config.js';
import type { Component } from '../pipeline/component.js';
import { CorrgateError, ERR_STARTUP } from '../pipeline/errors.js';
import { SelfMetrics } from '../telemetry/self-metrics.js';
import { TelemetryServer } from '../telemetry/telemetry-server.js';
import { buildPipelineGraph } from './pipeline-graph.js';
import type { NamedComponent, PipelineGraph } from './pipeline-graph.js';

type State = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * Runs one configuration: starts downstream first (exporters, processors, then receivers), so no
 * receiver takes data before its pipeline can carry it, and stops upstream first (receivers, then
 * the queues drain through processors into exporters, which flush), so nothing taken is dropped.
 */
export class Service {
  readonly metrics: SelfMetrics;
  private readonly graph: PipelineGraph;
  private readonly telemetry: TelemetryServer;
  private state: State = 'created';
  private stopping: Promise<void> | undefined;

  constructor(
    readonly config: ServiceConfig,
    private readonly logger: Logger,
    options: { metrics?: SelfMetrics } = {},
  ) {
    this.metrics = options.metrics ?? new SelfMetrics();
    this.graph = buildPipelineGraph(config, logger, this.metrics);
    this.telemetry = new TelemetryServer(config.telemetry.metrics.address, this.metrics, () => this.state === 'running');
  }

  get ready(): boolean {
    return this.state === 'running';
  }

  /** A running extension by id (the control API reaches the gate runner this way). */
  extension(id: string): Component | undefined {
    return this.graph.extensions.find((e) => e.id === id)?.component;
  }

  /** A running processor by id. */
  processor(id: string): Component | undefined {
    return this.graph.processors.find((p) => p.id === id)?.component;
  }

  get telemetryAddress(): { host: string; port: number } | undefined {
    return this.telemetry.address;
  }

  async start(): Promise<void> {
    if (this.state !== 'created') throw new CorrgateError(ERR_STARTUP, `cannot start a service that is ${this.state}`);
    this.state = 'starting';
    try {
      await this.telemetry.start();
      await startAll('exporter', this.graph.exporters);
      await startAll('processor', [...this.graph.processors].reverse());
      await startAll('receiver', this.graph.receivers);
      await startAll('extension', this.graph.extensions);
    } catch (err) {
      this.logger.error({ err }, 'start-up failed; stopping what had started');
      await this.shutdown();
      throw err;
    }
    this.state = 'running';
    this.logger.info(
      { receivers: this.graph.receivers.map((r) => r.id), pipelines: [...this.config.pipelines.keys()], exporters: this.graph.exporters.map((e) => e.id) },
      'corrgate is running',
    );
  }

  /** Idempotent: every caller waits for the same shutdown. */
  shutdown(): Promise<void> {
    this.stopping ??= this.doShutdown();
    return this.stopping;
  }

  private async doShutdown(): Promise<void> {
    this.state = 'stopping';
    await shutdownAll(this.graph.extensions, this.logger);
    await shutdownAll(this.graph.receivers, this.logger);
    await Promise.all(this.graph.queues.map((q) => q.drain()));
    // Processors in pipeline order, one at a time: one that flushes on shutdown hands on to the next,
    // which must still be running.
    for (const p of this.graph.processors) await shutdownAll([p], this.logger);
    await shutdownAll(this.graph.exporters, this.logger);
    await this.telemetry.shutdown();
    this.state = 'stopped';
    this.logger.info('corrgate stopped');
  }
}

async function startAll(kind: string, components: readonly NamedComponent[]): Promise<void> {
  for (const { id, component } of components) {
    try {
      await component.start();
    } catch (err) {
      throw new CorrgateError(ERR_STARTUP, `${kind} "${id}" failed to start: ${(err as Error).message}`, { cause: err });
    }
  }
}

async function shutdownAll(components: readonly NamedComponent[], logger: Logger): Promise<void> {
  await Promise.all(
    components.map(async ({ id, component }) => {
      try {
        await component.shutdown();
      } catch (err) {
        logger.error({ component: id, err }, 'component failed to shut down cleanly');
      }
    }),
  );
}
