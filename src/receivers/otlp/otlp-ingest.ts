import type { Batch, Signal } from '../../model/batch.js';
import type { ReceiverConsumers } from '../../pipeline/component.js';
import type { Consumer } from '../../pipeline/consumer.js';
import type { SelfMetrics } from '../../telemetry/self-metrics.js';
import type { DecodeResult, PartialSuccess } from '../../wire/otlp/export-result.js';

export type Transport = 'grpc' | 'http';

/**
 * The part of the OTLP receiver both transports share: hand a decoded request to the pipeline and
 * count what was accepted and refused, per batch (never per record).
 */
export class OtlpIngest {
  private readonly counters;

  constructor(
    receiverId: string,
    private readonly consumers: ReceiverConsumers,
    private readonly metrics: SelfMetrics,
  ) {
    const child = (signal: Signal, transport: Transport) => ({
      accepted: metrics.receiverAccepted[signal].labels(receiverId, transport),
      refused: metrics.receiverRefused[signal].labels(receiverId, transport),
    });
    this.counters = {
      traces: { grpc: child('traces', 'grpc'), http: child('traces', 'http') },
      logs: { grpc: child('logs', 'grpc'), http: child('logs', 'http') },
    };
    this.receiverId = receiverId;
    this.durations = { grpc: metrics.requestDuration.labels(receiverId, 'grpc'), http: metrics.requestDuration.labels(receiverId, 'http') };
  }

  private readonly durations;

  private readonly receiverId: string;

  /** Whether a pipeline takes this signal from this receiver; the endpoint is not served otherwise. */
  serves(signal: Signal): boolean {
    return this.consumers[signal] !== undefined;
  }

  /** Resolves with the partial success to report; rejects (RetryableError, ...) when the pipeline refused the batch. */
  async export<B extends Batch>(signal: B['signal'], transport: Transport, decoded: DecodeResult<B>): Promise<PartialSuccess> {
    const consumer = this.consumers[signal] as Consumer<B> | undefined;
    const counters = this.counters[signal][transport];
    if (!consumer) throw new Error(`receiver ${this.receiverId} is in no ${signal} pipeline`);
    const { batch, rejected, errorMessage } = decoded;
    try {
      await consumer.consume(batch);
    } catch (err) {
      counters.refused.inc(batch.itemCount + rejected);
      throw err;
    }
    if (batch.itemCount > 0) counters.accepted.inc(batch.itemCount);
    if (rejected > 0) counters.refused.inc(rejected);
    return { rejected, errorMessage };
  }

  /** Request latency, observed once per request from its start (process.hrtime.bigint()). */
  observeDuration(startedNs: bigint, transport: Transport): void {
    this.durations[transport].observe(Number(process.hrtime.bigint() - startedNs) / 1e9);
  }

  failedRequest(transport: Transport, reason: string): void {
    this.metrics.receiverFailedRequests.labels(this.receiverId, transport, reason).inc();
  }
}
