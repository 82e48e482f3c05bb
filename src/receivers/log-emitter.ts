import type { Logger } from 'pino';
import type { Attributes } from '../model/attributes.js';
import { logBatch } from '../model/batch.js';
import type { LogBatch, ResourceLogs } from '../model/batch.js';
import type { LogRecord } from '../model/log-record.js';
import type { InstrumentationScope } from '../model/resource.js';
import type { LogsConsumer } from '../pipeline/consumer.js';
import { RetryableError } from '../pipeline/errors.js';
import type { SelfMetrics } from '../telemetry/self-metrics.js';

export interface LogEmitterOptions {
  readonly receiverId: string;
  /** Label for the receiver metrics: udp, tcp, tls, trap, journald, file... */
  readonly transport: string;
  readonly consumer: LogsConsumer;
  readonly metrics: SelfMetrics;
  readonly logger: Logger;
  readonly scope: InstrumentationScope;
  /** Records per batch handed to the pipeline (default 1000). */
  readonly maxBatchRecords?: number;
  /** A partial batch waits at most this long (default 200 ms). */
  readonly flushIntervalMs?: number;
  /** Above this many waiting records the emitter is saturated: sources should pause or refuse (default 10000). */
  readonly highWaterMark?: number;
  /** How long close() keeps retrying a refused batch before counting it as refused (default 10 s). */
  readonly closeDeadlineMs?: number;
}

interface Pending {
  readonly resource: Attributes;
  readonly records: LogRecord[];
}

/**
 * Turns a stream of single log records (syslog lines, traps, journal entries) into pipeline batches.
 * Records are grouped by resource, so one device's messages share one resource entry. When the
 * pipeline refuses (its queue is full) the batch is kept and retried after the delay the pipeline
 * asks for; meanwhile the emitter reports itself saturated so that a stream source stops reading
 * (TCP flow control reaches the sender) and a datagram source refuses and counts. Memory stays
 * bounded by the high-water mark plus what one read can carry (hard limit: twice the mark).
 */
export class LogEmitter {
  private pending = new Map<string, Pending>();
  /** The same groups by resource array identity: producers that reuse one array per resource skip the key. */
  private pendingByArray = new Map<Attributes, Pending>();
  private pendingCount = 0;
  private inflight: LogBatch | undefined;
  private busy = false;
  private timer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private roomListeners: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private closing = false;
  private readonly maxBatch: number;
  private readonly flushMs: number;
  private readonly highWater: number;
  private readonly accepted;
  private readonly refused;

  constructor(private readonly options: LogEmitterOptions) {
    this.maxBatch = options.maxBatchRecords ?? 1000;
    this.flushMs = options.flushIntervalMs ?? 200;
    this.highWater = options.highWaterMark ?? 10_000;
    this.accepted = options.metrics.receiverAccepted.logs.labels(options.receiverId, options.transport);
    this.refused = options.metrics.receiverRefused.logs.labels(options.receiverId, options.transport);
  }

  /** Records held, waiting or in flight. */
  get size(): number {
    return this.pendingCount + (this.inflight?.itemCount ?? 0);
  }

  get saturated(): boolean {
    return this.size >= this.highWater;
  }

  /** Takes a record; false (and counted as refused) when even the hard limit is reached or closing. */
  push(resource: Attributes, record: LogRecord): boolean {
    if (this.closing || this.size >= this.highWater * 2) {
      this.refused.inc();
      return false;
    }
    let group = this.pendingByArray.get(resource);
    if (!group) {
      const key = resourceKey(resource);
      group = this.pending.get(key);
      if (!group) {
        group = { resource, records: [] };
        this.pending.set(key, group);
      }
      this.pendingByArray.set(resource, group);
    }
    group.records.push(record);
    this.pendingCount++;
    if (this.pendingCount >= this.maxBatch) this.send();
    else this.timer ??= setTimeout(() => this.send(), this.flushMs);
    return true;
  }

  /** Counts records a source had to refuse itself (a datagram while saturated), so none goes uncounted. */
  refuse(count = 1): void {
    this.refused.inc(count);
  }

  /** Called once when the emitter drops below the high-water mark again. */
  onceRoom(listener: () => void): void {
    if (!this.saturated) listener();
    else this.roomListeners.push(listener);
  }

  private take(): LogBatch | undefined {
    if (this.pendingCount === 0) return undefined;
    const resourceLogs: ResourceLogs[] = [];
    for (const group of this.pending.values()) {
      resourceLogs.push({
        resource: { attributes: group.resource, droppedAttributesCount: 0 },
        schemaUrl: '',
        scopeLogs: [{ scope: this.options.scope, schemaUrl: '', logRecords: group.records }],
      });
    }
    this.pending = new Map();
    this.pendingByArray = new Map();
    this.pendingCount = 0;
    return logBatch(resourceLogs);
  }

  private send(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // One batch at a time keeps order and bounds the work; a refused batch stays in `inflight`
    // until its retry, so it goes again before anything newer.
    if (this.busy || this.retryTimer) return;
    const batch = this.inflight ?? this.take();
    if (!batch) {
      this.settle();
      return;
    }
    this.inflight = batch;
    this.busy = true;
    this.options.consumer.consume(batch).then(
      () => {
        this.busy = false;
        this.inflight = undefined;
        this.accepted.inc(batch.itemCount);
        this.afterSend();
      },
      (err: unknown) => {
        this.busy = false;
        if (err instanceof RetryableError && !this.closingPastDeadline) {
          // The source is paused meanwhile (saturated), so nothing piles up behind the retry.
          const delay = Math.max(20, Math.min(err.retryAfterMs, 5000));
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.send();
          }, delay);
          return;
        }
        this.inflight = undefined;
        this.refused.inc(batch.itemCount);
        this.options.logger.error({ err, records: batch.itemCount }, 'the pipeline refused log records for good');
        this.afterSend();
      },
    );
  }

  private afterSend(): void {
    if (!this.saturated && this.roomListeners.length > 0) for (const l of this.roomListeners.splice(0)) l();
    if (this.pendingCount >= this.maxBatch || (this.pendingCount > 0 && (this.closing || !this.timer))) this.send();
    this.settle();
  }

  private settle(): void {
    if (this.size === 0 && !this.retryTimer) for (const w of this.idleWaiters.splice(0)) w();
  }

  private closingPastDeadline = false;

  /** Sends what is held (retrying refusals up to the deadline), then takes nothing more. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.size === 0) return;
    const deadline = setTimeout(() => {
      this.closingPastDeadline = true;
      if (this.retryTimer) {
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        const batch = this.inflight;
        this.inflight = undefined;
        if (batch) {
          this.refused.inc(batch.itemCount);
          this.options.logger.error({ records: batch.itemCount }, 'shutdown deadline passed while the pipeline refused log records');
        }
      }
      const rest = this.take();
      if (rest) {
        this.refused.inc(rest.itemCount);
        this.options.logger.error({ records: rest.itemCount }, 'shutdown deadline passed before log records could be handed on');
      }
      this.settle();
    }, this.options.closeDeadlineMs ?? 10_000);
    deadline.unref();
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    this.send();
    await idle;
    clearTimeout(deadline);
  }
}

function resourceKey(attrs: Attributes): string {
  let key = '';
  for (const kv of attrs) key += `${kv.key}\u0000${kv.value.type === 'string' ? kv.value.value : JSON.stringify(kv.value, bigintSafe)}\u0001`;
  return key;
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex') : v;
}
