import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/service-config.js';
import type { Batch, LogBatch, TraceBatch } from '../model/batch.js';
import type { Component, ComponentSettings, Exporter, ExtensionHost, Processor, ReceiverConsumers, SharedProcessor } from '../pipeline/component.js';
import { FanoutConsumer } from '../pipeline/consumer.js';
import type { Consumer } from '../pipeline/consumer.js';
import { IngressConsumer, PipelineQueue } from '../pipeline/pipeline-queue.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';

/**
 * The running components, wired as the config says:
 * receiver -> (ingress) -> pipeline queue -> processors... -> fan-out -> exporters.
 * A receiver or exporter named by several pipelines is one instance; processors are per pipeline,
 * as in the collector, because they may hold per-pipeline state.
 */
export interface PipelineGraph {
  readonly receivers: readonly NamedComponent[];
  readonly processors: readonly NamedComponent[];
  readonly exporters: readonly NamedComponent[];
  readonly queues: readonly PipelineQueue[];
  readonly extensions: readonly NamedComponent[];
}

export interface NamedComponent {
  readonly id: string;
  readonly component: Component;
}

export function buildPipelineGraph(config: ServiceConfig, logger: Logger, metrics: SelfMetrics): PipelineGraph {
  const settings = (kind: string, id: string): ComponentSettings => ({ id, logger: logger.child({ [kind]: id }), metrics });

  const exporters = new Map<string, Exporter>();
  for (const pipeline of config.pipelines.values()) {
    for (const id of pipeline.exporters) {
      if (exporters.has(id)) continue;
      const c = config.exporters.get(id)!;
      exporters.set(id, c.factory.create(settings('exporter', id), c.config));
    }
  }

  const processors: NamedComponent[] = [];
  const shared = new Map<string, SharedProcessor>();
  const queues: PipelineQueue[] = [];
  const queuesBySignalAndReceiver = new Map<string, PipelineQueue[]>();
  for (const pipeline of config.pipelines.values()) {
    let next: Consumer = new FanoutConsumer<Batch>(pipeline.exporters.map((id) => exporters.get(id)!));
    for (const id of [...pipeline.processors].reverse()) {
      const c = config.processors.get(id)!;
      if (c.factory.sharing === 'shared') {
        let instance = shared.get(id);
        if (!instance) {
          instance = c.factory.create(settings('processor', id), c.config);
          shared.set(id, instance);
          processors.unshift({ id, component: instance });
        }
        next = instance.attach(pipeline.id, next);
      } else {
        const processor: Processor = c.factory.create(settings('processor', `${pipeline.id}/${id}`), c.config, next);
        processors.unshift({ id: `${pipeline.id}/${id}`, component: processor });
        next = processor;
      }
    }
    const queue = new PipelineQueue(pipeline.id, pipeline.queue.size, pipeline.queue.retry_after, next, logger.child({ pipeline: pipeline.id }), metrics);
    queues.push(queue);
    for (const id of pipeline.receivers) {
      const key = `${pipeline.signal} ${id}`;
      const list = queuesBySignalAndReceiver.get(key) ?? [];
      list.push(queue);
      queuesBySignalAndReceiver.set(key, list);
    }
  }

  const receivers: NamedComponent[] = [];
  const receiverIds = new Set([...config.pipelines.values()].flatMap((p) => p.receivers));
  for (const id of receiverIds) {
    const c = config.receivers.get(id)!;
    const tracesQueues = queuesBySignalAndReceiver.get(`traces ${id}`);
    const logsQueues = queuesBySignalAndReceiver.get(`logs ${id}`);
    const consumers: ReceiverConsumers = {
      ...(tracesQueues ? { traces: new IngressConsumer<TraceBatch>(tracesQueues as PipelineQueue<TraceBatch>[]) } : {}),
      ...(logsQueues ? { logs: new IngressConsumer<LogBatch>(logsQueues as PipelineQueue<LogBatch>[]) } : {}),
    };
    receivers.push({ id, component: c.factory.create(settings('receiver', id), c.config, consumers) });
  }

  const host: ExtensionHost = {
    processor: (id) => processors.find((p) => p.id === id)?.component,
  };
  const extensions: NamedComponent[] = [...config.extensions.values()].map((c) => ({
    id: c.id,
    component: c.factory.create(settings('extension', c.id), c.config, host),
  }));

  return {
    receivers,
    processors,
    exporters: [...exporters].map(([id, component]) => ({ id, component })),
    queues,
    extensions,
  };
}
