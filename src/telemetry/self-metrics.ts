import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Signal } from '../model/batch.js';

// corrgate's own metrics, named as the OpenTelemetry Collector names its own (otelcol_receiver_accepted_spans
// becomes corrgate_receiver_accepted_spans_total). One instance per service, so components never register a
// metric twice; components take label children once at creation, never per record.

export class SelfMetrics {
  readonly registry = new Registry();

  readonly receiverAccepted: Record<Signal, Counter<'receiver' | 'transport'>>;
  readonly receiverRefused: Record<Signal, Counter<'receiver' | 'transport'>>;
  /** Requests answered with an error, by reason (malformed, unauthenticated, too_large, ...). */
  readonly receiverFailedRequests: Counter<'receiver' | 'transport' | 'reason'>;

  readonly exporterSent: Record<Signal, Counter<'exporter'>>;
  readonly exporterSendFailed: Record<Signal, Counter<'exporter'>>;
  readonly exporterRetries: Counter<'exporter'>;
  readonly exporterQueueSize: Gauge<'exporter'>;
  readonly exporterQueueCapacity: Gauge<'exporter'>;

  readonly pipelineQueueSize: Gauge<'pipeline'>;
  readonly pipelineQueueCapacity: Gauge<'pipeline'>;
  readonly pipelineRefused: Counter<'pipeline'>;
  readonly pipelineDeliveryFailed: Counter<'pipeline'>;

  readonly requestDuration: Histogram<'receiver' | 'transport'>;

  /** Messages kept but not parsed (body = original text), by the format that was expected or detected. */
  readonly receiverParseErrors: Counter<'receiver' | 'format'>;
  /** Frames or datagrams that could not be taken at all (oversized, broken framing), by reason. */
  readonly receiverBadFrames: Counter<'receiver' | 'transport' | 'reason'>;
  /** SNMP traps refused: unknown community or user, bad authentication or privacy, undecodable. */
  readonly receiverRefusedTraps: Counter<'receiver' | 'reason'>;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name, help, labelNames, registers });
    const rt = ['receiver', 'transport'] as const;

    this.receiverAccepted = {
      traces: counter('corrgate_receiver_accepted_spans_total', 'Spans successfully pushed into the pipeline.', rt),
      logs: counter('corrgate_receiver_accepted_log_records_total', 'Log records successfully pushed into the pipeline.', rt),
    };
    this.receiverRefused = {
      traces: counter('corrgate_receiver_refused_spans_total', 'Spans that could not be pushed into the pipeline (rejected or throttled).', rt),
      logs: counter('corrgate_receiver_refused_log_records_total', 'Log records that could not be pushed into the pipeline (rejected or throttled).', rt),
    };
    this.receiverFailedRequests = counter('corrgate_receiver_failed_requests_total', 'Requests answered with an error, by reason.', [...rt, 'reason'] as const);

    const ex = ['exporter'] as const;
    this.exporterSent = {
      traces: counter('corrgate_exporter_sent_spans_total', 'Spans successfully sent to the destination.', ex),
      logs: counter('corrgate_exporter_sent_log_records_total', 'Log records successfully sent to the destination.', ex),
    };
    this.exporterSendFailed = {
      traces: counter('corrgate_exporter_send_failed_spans_total', 'Spans given up on after retries or on a permanent error.', ex),
      logs: counter('corrgate_exporter_send_failed_log_records_total', 'Log records given up on after retries or on a permanent error.', ex),
    };
    this.exporterRetries = counter('corrgate_exporter_retries_total', 'Send attempts retried after a retryable failure.', ex);
    this.exporterQueueSize = gauge('corrgate_exporter_queue_size', 'Items (spans or log records) in the sending queue.', ex);
    this.exporterQueueCapacity = gauge('corrgate_exporter_queue_capacity', 'Capacity of the sending queue in batches (sending_queue.queue_size, counted as the collector counts it); corrgate_exporter_queue_size counts the items in those batches.', ex);

    const pl = ['pipeline'] as const;
    this.pipelineQueueSize = gauge('corrgate_pipeline_queue_size', 'Items waiting in the queue between receivers and the pipeline.', pl);
    this.pipelineQueueCapacity = gauge('corrgate_pipeline_queue_capacity', 'Capacity of the queue between receivers and the pipeline, in items.', pl);
    this.pipelineRefused = counter('corrgate_pipeline_refused_items_total', 'Items refused because the pipeline queue was full (the sender was told to retry).', pl);
    this.pipelineDeliveryFailed = counter('corrgate_pipeline_failed_items_total', 'Items a pipeline took but its processors or exporters failed to take.', pl);

    this.receiverParseErrors = counter('corrgate_receiver_parse_errors_total', 'Messages kept unparsed (body is the original text), by format.', ['receiver', 'format'] as const);
    this.receiverBadFrames = counter('corrgate_receiver_bad_frames_total', 'Frames or datagrams that could not be taken (oversized, broken framing), by reason.', [...rt, 'reason'] as const);
    this.receiverRefusedTraps = counter('corrgate_receiver_refused_traps_total', 'SNMP traps refused, by reason.', ['receiver', 'reason'] as const);

    this.requestDuration = new Histogram({
      name: 'corrgate_receiver_request_duration_seconds',
      help: 'Time from a request being read to its answer.',
      labelNames: rt,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
  }
}
