import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Context, Tracer } from '@opentelemetry/api';
import { credentials as grpcCredentials, Metadata } from '@grpc/grpc-js';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { core, logs, resources, tracing } from '@opentelemetry/sdk-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { GateDecision } from '../gate-types.js';
import { decisionLog } from './decision-log.js';
import {
  DECISION_EVENT_NAME,
  EVALUATION_SPAN_NAME,
  MAX_LINKS,
  decisionAttributes,
  decisionEventAttributes,
  decisionSpan,
  decisionStatus,
  gateOpeningAttributes,
  gateSpanName,
  rfc3339,
} from './decision-span.js';
import type { GateOpening } from './decision-span.js';
import { gateMetrics } from './gate-metrics.js';
import type { GateMetrics, GateTelemetrySignal } from './gate-metrics.js';

// Gate decisions leave corrgate as its own telemetry: one trace per gate (a parent span for the
// gate's life, a child span per evaluation), a log record per decision, and Prometheus metrics.
// Nothing here may slow a decision down: spans and log records go into bounded batch queues and are
// sent by the SDK's timers, never awaited on the evaluation path; what cannot be queued or sent is
// counted, not retried forever. The providers are private to each instance (never registered as the
// global ones), so several corrgate instances can live in one process.

export interface DecisionTelemetryOptions {
  /**
   * OTLP/gRPC endpoint, `host:port` or `http(s)://host:port`. When absent, the standard
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_LOGS_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT
   * variables apply (with their _HEADERS, _INSECURE, _CERTIFICATE, ... companions), read by the OTel
   * exporters; when none is set either, export is off and only the Prometheus metrics are kept.
   */
  readonly endpoint?: string;
  /**
   * Plaintext gRPC. Default for a configured endpoint: plaintext for `http://` and for a bare
   * `host:port` on a loopback address, TLS for `https://` and any other bare `host:port`. With the
   * environment variables, `true` forces plaintext; otherwise the variables decide, as in every OTel SDK.
   */
  readonly insecure?: boolean;
  /** gRPC metadata sent with every export; they win over OTEL_EXPORTER_OTLP_*HEADERS of the same name. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Also a log record per decision (default true). */
  readonly logs?: boolean;
  /** Resource service.name (default "corrgate"). */
  readonly serviceName?: string;
  readonly resourceAttributes?: Readonly<Record<string, string>>;
  /** How long one export may take, retries included (default 10000). */
  readonly exportTimeoutMs?: number;
  /** Spans, and separately log records, waiting to be sent; more are dropped and counted (default 2048). */
  readonly maxQueueSize?: number;
  /** How long a batch waits to fill before it is sent (default 1000). */
  readonly scheduledDelayMs?: number;
}

export interface DecisionTelemetryDeps {
  readonly logger: Logger;
  readonly registry: Registry;
}

const DEFAULT_EXPORT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_QUEUE_SIZE = 2048;
const DEFAULT_SCHEDULED_DELAY_MS = 1000;
const MAX_EXPORT_BATCH_SIZE = 512;
/** Trace ids of closed gates kept for traceIdOf; the oldest go first. */
const MAX_CLOSED_GATES = 10_000;
const TRACER_NAME = 'corrgate.gates';

const CORRGATE_VERSION: string | undefined = (() => {
  try {
    // src/gates/export and dist/gates/export are both three levels below the package root.
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version;
  } catch {
    return undefined;
  }
})();

interface ExportTarget {
  /** Undefined: the exporter takes it from the OTEL_EXPORTER_OTLP_* variables. */
  readonly url: string | undefined;
  /** Undefined: the exporter chooses from the URL's scheme and the variables. */
  readonly credentials: ChannelCredentials | undefined;
  /** For log lines: where decisions go. */
  readonly describe: string;
}

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Parses a configured endpoint once, at construction, so a typo fails start-up instead of every
 * export. The result always has a scheme: the OTel gRPC exporter takes plaintext for http:// and TLS
 * for https://, and with TLS it reads OTEL_EXPORTER_OTLP_*CERTIFICATE and _CLIENT_KEY for a private CA
 * or client certificates, which explicit credentials would bypass.
 */
function parseEndpoint(text: string, insecure: boolean | undefined): string {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  let parsed: URL;
  try {
    parsed = new URL(hasScheme ? text : `http://${text}`);
  } catch {
    throw new TypeError(`decision telemetry endpoint "${text}" is neither host:port nor http(s)://host:port`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`decision telemetry endpoint "${text}": the scheme must be http or https (OTLP/gRPC)`);
  }
  if (parsed.pathname !== '/' && parsed.pathname !== '') {
    throw new TypeError(`decision telemetry endpoint "${text}": an OTLP/gRPC endpoint has no path`);
  }
  if (parsed.hostname === '') throw new TypeError(`decision telemetry endpoint "${text}" has no host`);
  // A bare host:port on loopback is a local collector or agent, which rarely has a certificate; anywhere else, TLS.
  const plaintext = insecure ?? (hasScheme ? parsed.protocol === 'http:' : isLoopback(parsed.hostname));
  // URL drops a port equal to the scheme's default (http://h:80 reads as http://h), so it is taken from the text;
  // with no port at all, OTLP/gRPC's 4317 applies, not 80 or 443.
  const port = parsed.port !== '' ? parsed.port : (/:(\d+)\/?$/.exec(text)?.[1] ?? '4317');
  return `${plaintext ? 'http' : 'https'}://${parsed.hostname}:${port}`;
}

function nonBlank(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function exportTarget(options: DecisionTelemetryOptions, signal: 'TRACES' | 'LOGS', env: NodeJS.ProcessEnv): ExportTarget | undefined {
  const configured = nonBlank(options.endpoint);
  if (configured !== undefined) {
    const url = parseEndpoint(configured, options.insecure);
    return { url, credentials: undefined, describe: url };
  }
  const fromEnv = nonBlank(env[`OTEL_EXPORTER_OTLP_${signal}_ENDPOINT`]) ?? nonBlank(env.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (fromEnv === undefined) return undefined;
  return { url: undefined, credentials: options.insecure === true ? grpcCredentials.createInsecure() : undefined, describe: fromEnv };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`decision telemetry ${name} must be a positive number, got ${value}`);
  return value;
}

/**
 * The export queue's bound, kept in front of the SDK batch processor so that a full queue is
 * counted here (the SDK only drops, and tells no one but its diagnostic logger). `pending` is what was
 * let in and not yet handed to the exporter, which is exactly the batch processor's buffer.
 */
class ExportQueue {
  private pending = 0;

  constructor(private readonly capacity: number) {}

  admit(): boolean {
    if (this.pending >= this.capacity) return false;
    this.pending++;
    return true;
  }

  handed(n: number): void {
    this.pending = Math.max(0, this.pending - n);
  }
}

interface ItemExporter<T> {
  export(items: T[], done: (result: core.ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** Counts what the OTLP exporter sent or gave up on, and logs the first failure of a run of them. */
class AccountedExporter<T> implements ItemExporter<T> {
  private failing = false;

  constructor(
    private readonly inner: ItemExporter<T>,
    private readonly signal: GateTelemetrySignal,
    private readonly queue: ExportQueue,
    private readonly metrics: GateMetrics,
    private readonly logger: Logger,
    private readonly destination: string,
  ) {}

  export(items: T[], done: (result: core.ExportResult) => void): void {
    this.queue.handed(items.length);
    this.inner.export(items, (result) => {
      if (result.code === core.ExportResultCode.SUCCESS) {
        this.metrics.exportSent.inc({ signal: this.signal }, items.length);
        if (this.failing) this.logger.info({ signal: this.signal, destination: this.destination }, 'decision telemetry export recovered');
        this.failing = false;
      } else {
        this.metrics.exportDropped.inc({ signal: this.signal, reason: 'export_failed' }, items.length);
        // One line when the endpoint starts failing, not one per batch while it stays down; the counter has every batch.
        if (!this.failing) {
          this.logger.warn(
            { signal: this.signal, destination: this.destination, items: items.length, err: result.error?.message },
            'decision telemetry export failed; the decisions stand, their spans and log records are dropped until the endpoint answers',
          );
        }
        this.failing = true;
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * Items handed to a batch processor on the next turn of the event loop, all together, rather than
 * one by one as they come: when a batch fills, the SDK serialises it to protobuf at once, inside
 * whatever ended the span or emitted the record, and that is an evaluation round of every open gate.
 * Items wait at most one turn; flush() hands them over at once (forceFlush, shutdown).
 */
class NextTurn<T> {
  private items: T[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(private readonly handOver: (item: T) => void) {}

  push(item: T): void {
    this.items.push(item);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const items = this.items;
    this.items = [];
    for (const item of items) this.handOver(item);
  }
}

class AdmittingSpanProcessor implements tracing.SpanProcessor {
  private readonly pending: NextTurn<tracing.ReadableSpan>;

  constructor(
    private readonly inner: tracing.SpanProcessor,
    private readonly queue: ExportQueue,
    private readonly metrics: GateMetrics,
  ) {
    this.pending = new NextTurn((span) => inner.onEnd(span));
  }

  onStart(span: tracing.Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: tracing.ReadableSpan): void {
    if (this.queue.admit()) this.pending.push(span);
    else this.metrics.exportDropped.inc({ signal: 'traces', reason: 'queue_full' });
  }

  forceFlush(): Promise<void> {
    this.pending.flush();
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    this.pending.flush();
    return this.inner.shutdown();
  }
}

class AdmittingLogProcessor implements logs.LogRecordProcessor {
  private readonly pending: NextTurn<{ record: logs.ReadWriteLogRecord; context: Context | undefined }>;

  constructor(
    private readonly inner: logs.LogRecordProcessor,
    private readonly queue: ExportQueue,
    private readonly metrics: GateMetrics,
  ) {
    this.pending = new NextTurn(({ record, context }) => inner.onEmit(record, context));
  }

  onEmit(record: logs.ReadWriteLogRecord, context?: Context): void {
    if (this.queue.admit()) this.pending.push({ record, context });
    else this.metrics.exportDropped.inc({ signal: 'logs', reason: 'queue_full' });
  }

  forceFlush(): Promise<void> {
    this.pending.flush();
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    this.pending.flush();
    return this.inner.shutdown();
  }
}

interface Running {
  readonly tracerProvider: tracing.BasicTracerProvider;
  readonly ids: PinnedIdGenerator;
  readonly tracer: Tracer;
  readonly loggerProvider: logs.LoggerProvider | undefined;
  readonly otelLogger: ReturnType<logs.LoggerProvider['getLogger']> | undefined;
}

interface OpenGate {
  readonly opening: GateOpening;
  readonly traceId: string;
  readonly spanId: string;
  readonly openedAtMs: number;
  /** Evaluation spans are children of this remote-style parent: the gate span itself is only made when the gate ends. */
  readonly context: Context;
  evaluations: number;
}

const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');
const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * Hands out a gate's fixed ids to the one span started while they are pinned, random ids otherwise.
 * The gate's parent span is started only when the gate ends (it may have been opened by an earlier
 * process), and the SDK has no other way to start a span with given ids.
 */
class PinnedIdGenerator implements tracing.IdGenerator {
  private pinned: { traceId: string; spanId: string } | undefined;

  withPinned<T>(ids: { traceId: string; spanId: string }, fn: () => T): T {
    this.pinned = ids;
    try {
      return fn();
    } finally {
      this.pinned = undefined;
    }
  }

  generateTraceId(): string {
    return this.pinned?.traceId ?? randomHex(16);
  }

  generateSpanId(): string {
    const id = this.pinned?.spanId;
    if (id === undefined) return randomHex(8);
    // Only the gate span itself gets the pinned span id; nothing else is started inside withPinned, but be sure.
    this.pinned = { traceId: this.pinned!.traceId, spanId: randomHex(8) };
    return id;
  }
}

export class DecisionTelemetry {
  private readonly logger: Logger;
  private readonly metrics: GateMetrics;
  private readonly traceTarget: ExportTarget | undefined;
  private readonly logTarget: ExportTarget | undefined;
  private readonly exportTimeoutMs: number;
  private readonly maxQueueSize: number;
  private readonly scheduledDelayMs: number;
  private running: Running | undefined;
  private stopping: Promise<void> | undefined;
  private readonly open = new Map<string, OpenGate>();
  private readonly closedTraceIds = new Map<string, string>();

  constructor(
    private readonly options: DecisionTelemetryOptions,
    deps: DecisionTelemetryDeps,
  ) {
    this.logger = deps.logger;
    this.metrics = gateMetrics(deps.registry);
    this.exportTimeoutMs = positive('exportTimeoutMs', options.exportTimeoutMs, DEFAULT_EXPORT_TIMEOUT_MS);
    this.maxQueueSize = Math.floor(positive('maxQueueSize', options.maxQueueSize, DEFAULT_MAX_QUEUE_SIZE));
    this.scheduledDelayMs = positive('scheduledDelayMs', options.scheduledDelayMs, DEFAULT_SCHEDULED_DELAY_MS);
    this.traceTarget = exportTarget(options, 'TRACES', process.env);
    this.logTarget = options.logs === false ? undefined : exportTarget(options, 'LOGS', process.env);
  }

  /** Whether spans are exported (an endpoint is configured or set in the environment). */
  get exporting(): boolean {
    return this.traceTarget !== undefined;
  }

  async start(): Promise<void> {
    if (this.running || this.traceTarget === undefined) {
      if (this.traceTarget === undefined) this.logger.info('decision telemetry export is off (no endpoint configured or in OTEL_EXPORTER_OTLP_*); gate metrics are still kept');
      return;
    }
    // A shutdown still flushing must finish first, or its providers and the new ones would race.
    await this.stopping;
    const resource = resources.defaultResource().merge(
      resources.resourceFromAttributes({
        ...this.options.resourceAttributes,
        'service.name': this.options.serviceName ?? this.options.resourceAttributes?.['service.name'] ?? 'corrgate',
        ...(CORRGATE_VERSION !== undefined && this.options.resourceAttributes?.['service.version'] === undefined ? { 'service.version': CORRGATE_VERSION } : {}),
      }),
    );
    const batch = {
      maxQueueSize: this.maxQueueSize,
      maxExportBatchSize: Math.min(MAX_EXPORT_BATCH_SIZE, this.maxQueueSize),
      scheduledDelayMillis: this.scheduledDelayMs,
      exportTimeoutMillis: this.exportTimeoutMs,
    };

    const spanQueue = new ExportQueue(this.maxQueueSize);
    const spanExporter = new AccountedExporter(new OTLPTraceExporter(this.exporterConfig(this.traceTarget)), 'traces', spanQueue, this.metrics, this.logger, this.traceTarget.describe);
    const ids = new PinnedIdGenerator();
    const tracerProvider = new tracing.BasicTracerProvider({
      resource,
      idGenerator: ids,
      // Set here so OTEL_TRACES_SAMPLER or OTEL_SPAN_*_LIMIT in the environment cannot thin out decisions.
      sampler: new tracing.AlwaysOnSampler(),
      spanLimits: { attributeCountLimit: 128, eventCountLimit: 1024, linkCountLimit: MAX_LINKS, attributePerEventCountLimit: 64, attributePerLinkCountLimit: 16 },
      spanProcessors: [new AdmittingSpanProcessor(new tracing.BatchSpanProcessor(spanExporter, batch), spanQueue, this.metrics)],
    });

    let loggerProvider: logs.LoggerProvider | undefined;
    if (this.logTarget !== undefined) {
      const logQueue = new ExportQueue(this.maxQueueSize);
      const logExporter = new AccountedExporter(new OTLPLogExporter(this.exporterConfig(this.logTarget)), 'logs', logQueue, this.metrics, this.logger, this.logTarget.describe);
      loggerProvider = new logs.LoggerProvider({
        resource,
        processors: [new AdmittingLogProcessor(new logs.BatchLogRecordProcessor({ exporter: logExporter, ...batch }), logQueue, this.metrics)],
      });
    }
    this.running = {
      tracerProvider,
      ids,
      tracer: tracerProvider.getTracer(TRACER_NAME, CORRGATE_VERSION),
      loggerProvider,
      otelLogger: loggerProvider?.getLogger(TRACER_NAME, CORRGATE_VERSION),
    };
    this.logger.info({ traces: this.traceTarget.describe, logs: this.logTarget?.describe ?? 'off' }, 'decision telemetry exporting');
  }

  private exporterConfig(target: ExportTarget) {
    const headers = Object.entries(this.options.headers ?? {});
    let metadata: Metadata | undefined;
    if (headers.length > 0) {
      metadata = new Metadata();
      for (const [k, v] of headers) metadata.set(k, v);
    }
    return {
      ...(target.url !== undefined ? { url: target.url } : {}),
      ...(target.credentials !== undefined ? { credentials: target.credentials } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
      timeoutMillis: this.exportTimeoutMs,
    };
  }

  /**
   * Takes note of an open gate. Its parent span `gate <id>` (one trace per gate) is made when the gate
   * ends, with the gate's fixed ids and its opening time as start, so that a gate resumed after a
   * restart still has one trace; evaluation spans are its children from the start. A gate already
   * open keeps its trace.
   */
  gateOpened(gate: GateOpening): void {
    try {
      this.openGate(gate);
    } catch (err) {
      this.logger.warn({ err, gate: gate.id }, 'decision telemetry could not start the gate trace');
    }
  }

  private openGate(gate: GateOpening): OpenGate | undefined {
    const known = this.open.get(gate.id);
    if (known || !this.running) return known;
    const traceId = gate.traceId !== undefined && HEX_TRACE_ID.test(gate.traceId) ? gate.traceId : randomHex(16);
    const spanId = gate.spanId !== undefined && HEX_SPAN_ID.test(gate.spanId) ? gate.spanId : randomHex(8);
    const opened: OpenGate = {
      opening: gate,
      traceId,
      spanId,
      openedAtMs: gate.openedAtMs ?? Date.now(),
      context: trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: 1, isRemote: false }),
      evaluations: gate.evaluations ?? 0,
    };
    this.open.set(gate.id, opened);
    this.closedTraceIds.delete(gate.id);
    return opened;
  }

  /** One evaluation: a child span `gate.evaluate` of the gate's span, ended at once; a log record; metrics. Never throws, never awaits. */
  recordEvaluation(decision: GateDecision, durationMs: number): void {
    // Metrics first and unconditionally: they are the record of last resort when export is off or failing.
    try {
      this.metrics.decisions.inc({ gate: decision.gateId, decision: decision.decision });
      if (Number.isFinite(durationMs) && durationMs >= 0) this.metrics.evaluationDuration.observe(durationMs / 1000);
    } catch (err) {
      this.logger.warn({ err, gate: decision.gateId }, 'gate decision metrics could not be updated');
    }
    if (!this.running) return;
    try {
      this.exportEvaluation(this.running, decision, durationMs);
    } catch (err) {
      this.logger.warn({ err, gate: decision.gateId, evaluation: decision.evaluation }, 'decision telemetry could not record an evaluation');
    }
  }

  private exportEvaluation(running: Running, decision: GateDecision, durationMs: number): void {
    // A decision for a gate never opened here (the runner restarted it, say) still gets its gate's trace.
    const gate = this.openGate({
      id: decision.gateId,
      scope: decision.scope,
      windowStartMs: decision.window.startMs,
      ...(decision.window.endMs !== undefined ? { windowEndMs: decision.window.endMs } : {}),
      baselineKind: decision.baseline.kind,
      dryRun: decision.dryRun,
    });
    if (!gate) return;
    gate.evaluations++;
    // The span covers the evaluation as it ran, ending now: evaluatedAtMs is the runner's notion of
    // "as of" and may not be wall-clock time, so it is an attribute, not the timing.
    const endMs = Date.now();
    const startMs = endMs - (Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0);
    const content = decisionSpan(decision);
    const evaluatedAt = rfc3339(decision.evaluatedAtMs);
    const span = running.tracer.startSpan(
      EVALUATION_SPAN_NAME,
      {
        kind: SpanKind.INTERNAL,
        startTime: startMs,
        attributes: evaluatedAt !== undefined ? { ...content.attributes, 'corrgate.gate.evaluated_at': evaluatedAt } : content.attributes,
        links: content.links.map((l) => ({ context: { traceId: l.traceId, spanId: l.spanId, traceFlags: 1, isRemote: true }, attributes: l.attributes })),
      },
      gate.context,
    );
    for (const event of content.events) span.addEvent(event.name, event.attributes, endMs);
    span.setStatus(content.status);
    span.end(endMs);

    if (running.otelLogger) {
      const record = decisionLog(decision);
      running.otelLogger.emit({
        eventName: record.eventName,
        timestamp: endMs,
        severityNumber: record.severityNumber,
        severityText: record.severityText,
        body: record.body,
        attributes: record.attributes,
        context: trace.setSpan(ROOT_CONTEXT, span),
      });
    }
  }

  /** Ends the gate's parent span with the final decision (status and `gate.decision` event as on an evaluation). */
  gateClosed(gateId: string, final: GateDecision | undefined): void {
    const gate = this.open.get(gateId);
    if (!gate) return;
    try {
      this.endGate(gateId, gate, 'close', final);
    } catch (err) {
      this.logger.warn({ err, gate: gateId }, 'decision telemetry could not end the gate span');
    }
    this.flushSoon();
  }

  /**
   * A final decision is what a deploy tool and a person wait for, so it leaves now rather than at the
   * batch processor's next tick (scheduledDelayMs). Not awaited: the decision never waits on export.
   */
  private flushSoon(): void {
    const running = this.running;
    if (!running) return;
    const failed = (err: unknown) => this.logger.debug({ err }, 'decision telemetry flush failed; the batch processor retries on its own schedule');
    running.tracerProvider.forceFlush().catch(failed);
    running.loggerProvider?.forceFlush().catch(failed);
  }

  private endGate(gateId: string, gate: OpenGate, closedBy: 'close' | 'shutdown', final: GateDecision | undefined): void {
    this.open.delete(gateId);
    this.closedTraceIds.set(gateId, gate.traceId);
    if (this.closedTraceIds.size > MAX_CLOSED_GATES) {
      const oldest = this.closedTraceIds.keys().next();
      if (!oldest.done) this.closedTraceIds.delete(oldest.value);
    }
    const running = this.running;
    if (!running) return;
    const span = running.ids.withPinned(gate, () =>
      running.tracer.startSpan(
        gateSpanName(gateId),
        { kind: SpanKind.INTERNAL, root: true, startTime: gate.openedAtMs, attributes: gateOpeningAttributes(gate.opening) },
        ROOT_CONTEXT,
      ),
    );
    span.setAttributes({ 'corrgate.gate.closed_by': closedBy, 'corrgate.gate.evaluations': gate.evaluations });
    if (final) {
      span.setAttributes(decisionAttributes(final));
      span.addEvent(DECISION_EVENT_NAME, decisionEventAttributes(final));
      span.setStatus(decisionStatus(final));
    } else {
      span.setStatus({ code: SpanStatusCode.UNSET });
    }
    span.end();
  }

  /**
   * Ends the gates still open that live only in this process (status UNSET,
   * corrgate.gate.closed_by="shutdown"); durable gates keep their trace open, to be ended by the
   * process that resumes them. Then flushes and stops. Idempotent; safe before start.
   */
  async shutdown(): Promise<void> {
    const running = this.running;
    if (!running) {
      await this.stopping;
      return;
    }
    for (const [id, gate] of [...this.open]) {
      if (gate.opening.durable === true) continue;
      try {
        this.endGate(id, gate, 'shutdown', undefined);
      } catch (err) {
        this.logger.warn({ err, gate: id }, 'decision telemetry could not end the gate span');
      }
    }
    this.open.clear();
    this.running = undefined;
    this.stopping = Promise.allSettled([running.tracerProvider.shutdown(), running.loggerProvider?.shutdown()]).then((results) => {
      for (const r of results) {
        if (r.status === 'rejected') this.logger.warn({ err: r.reason instanceof Error ? r.reason.message : String(r.reason) }, 'decision telemetry did not flush cleanly at shutdown');
      }
    });
    await this.stopping;
  }

  /** The trace id of a gate's trace (for the API to link to), once its span has started; kept for recently closed gates. */
  traceIdOf(gateId: string): string | undefined {
    return this.open.get(gateId)?.traceId ?? this.closedTraceIds.get(gateId);
  }
}
