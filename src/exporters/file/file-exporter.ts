import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Counter } from 'prom-client';
import type { Batch, Signal } from '../../model/batch.js';
import type { ComponentSettings, Exporter } from '../../pipeline/component.js';
import { PermanentError, RetryableError } from '../../pipeline/errors.js';
import { encodeLogsJson, encodeTracesJson } from '../../wire/otlp/json-encoder.js';
import { ERR_EXPORT_REJECTED, ERR_NOT_STARTED } from '../export-errors.js';
import type { FileExporterConfig } from './config.js';

/** Buffered lines past this size are written at once rather than at the next tick of the interval. */
const FLUSH_BYTES = 256 * 1024;

/**
 * Appends one OTLP/JSON request per line. Lines are gathered and written every flush_interval so a
 * busy pipeline makes few large writes; when the stream's buffer is full, consume() waits for
 * 'drain', which holds back upstream instead of growing memory without bound.
 */
export class FileExporter implements Exporter {
  readonly signals: readonly Signal[] = ['traces', 'logs'];
  private readonly sent: Record<Signal, Counter.Internal>;
  private readonly failed: Record<Signal, Counter.Internal>;
  private stream: WriteStream | undefined;
  private timer: NodeJS.Timeout | undefined;
  private streamError: Error | undefined;
  private drained: Promise<void> | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private pendingItems: Record<Signal, number> = { traces: 0, logs: 0 };
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly settings: ComponentSettings,
    private readonly config: FileExporterConfig,
  ) {
    const { id, metrics } = settings;
    this.sent = { traces: metrics.exporterSent.traces.labels(id), logs: metrics.exporterSent.logs.labels(id) };
    this.failed = { traces: metrics.exporterSendFailed.traces.labels(id), logs: metrics.exporterSendFailed.logs.labels(id) };
  }

  start(): Promise<void> {
    if (this.stream !== undefined) return Promise.resolve();
    this.starting ??= this.open().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async consume(batch: Batch): Promise<void> {
    if (this.stream === undefined) throw new RetryableError(ERR_NOT_STARTED, `exporter ${this.settings.id} is not running`, 1_000);
    if (this.drained !== undefined) await this.drained;
    // The wait may have outlasted the stream: a shutdown ran meanwhile.
    if (this.stream === undefined) throw new RetryableError(ERR_NOT_STARTED, `exporter ${this.settings.id} is not running`, 1_000);
    if (this.streamError !== undefined) {
      throw this.fail(batch, new PermanentError(ERR_EXPORT_REJECTED, `${this.config.path}: ${this.streamError.message}`));
    }
    let line: string;
    try {
      line = (batch.signal === 'traces' ? encodeTracesJson(batch) : encodeLogsJson(batch)) + '\n';
    } catch (err) {
      throw this.fail(batch, new PermanentError(ERR_EXPORT_REJECTED, `cannot encode batch: ${(err as Error).message}`, { cause: err }));
    }
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.pendingItems[batch.signal] += batch.itemCount;
    if (this.config.flush_interval === 0 || this.pendingBytes >= FLUSH_BYTES) this.flush();
    if (this.drained !== undefined) await this.drained;
  }

  shutdown(): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    const stopping = this.close().finally(() => {
      if (this.stopping === stopping) this.stopping = undefined;
    });
    this.stopping = stopping;
    return stopping;
  }

  private async open(): Promise<void> {
    if (this.stopping !== undefined) await this.stopping;
    const stream = createWriteStream(this.config.path, { flags: 'a' });
    // Surface a missing directory or a permission problem from start(), not from the first batch.
    await once(stream, 'open');
    stream.on('error', (err) => {
      this.streamError ??= err;
    });
    this.streamError = undefined;
    this.stream = stream;
    if (this.config.flush_interval > 0) {
      this.timer = setInterval(() => this.flush(), this.config.flush_interval);
      this.timer.unref();
    }
  }

  private async close(): Promise<void> {
    if (this.starting !== undefined) await this.starting.catch(() => undefined);
    const stream = this.stream;
    if (stream === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.flush();
    this.stream = undefined;
    stream.end();
    try {
      await finished(stream);
    } catch (err) {
      this.settings.logger.warn({ exporter: this.settings.id, path: this.config.path, reason: (err as Error).message }, 'file exporter failed to close its file');
    }
  }

  private flush(): void {
    const stream = this.stream;
    if (stream === undefined || this.pending.length === 0) return;
    const chunk = this.pending.join('');
    const items = this.pendingItems;
    this.pending = [];
    this.pendingBytes = 0;
    this.pendingItems = { traces: 0, logs: 0 };
    const ok = stream.write(chunk, (err) => {
      if (err) {
        this.failed.traces.inc(items.traces);
        this.failed.logs.inc(items.logs);
        this.settings.logger.warn(
          { exporter: this.settings.id, path: this.config.path, spans: items.traces, logRecords: items.logs, reason: err.message },
          'file export failed; lines dropped',
        );
        return;
      }
      if (items.traces > 0) this.sent.traces.inc(items.traces);
      if (items.logs > 0) this.sent.logs.inc(items.logs);
    });
    if (!ok && this.drained === undefined) {
      // 'close' as well: a stream that errors or is ended while backed up never emits 'drain'.
      this.drained = Promise.race([once(stream, 'drain'), once(stream, 'close')])
        .then(
          () => undefined,
          () => undefined,
        )
        .finally(() => {
          this.drained = undefined;
        });
    }
  }

  private fail(batch: Batch, err: PermanentError): PermanentError {
    this.failed[batch.signal].inc(batch.itemCount);
    this.settings.logger.warn({ exporter: this.settings.id, signal: batch.signal, items: batch.itemCount, reason: err.message }, 'file export failed; batch dropped');
    return err;
  }
}
