import { pino } from 'pino';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DecisionTelemetry } from '../../../src/gates/export/decision-telemetry.js';
import type { DecisionTelemetryOptions } from '../../../src/gates/export/decision-telemetry.js';
import type { GateDecision } from '../../../src/gates/gate-types.js';
import { anyValueToPlain, attributesToPlain, getAttribute } from '../../../src/model/attributes.js';
import { idToHex } from '../../../src/model/ids.js';
import type { Span } from '../../../src/model/span.js';
import { makeTestPki } from '../../helpers/certs.js';
import { freePort, waitFor } from '../../helpers/net.js';
import { CAPTURE_CONFIG, startService } from '../../helpers/service-harness.js';
import type { Harness } from '../../helpers/service-harness.js';
import { WINDOW_END_MS, WINDOW_START_MS, failDecision, runningDecision } from './decision-fixtures.js';

// How decision telemetry behaves around its endpoint: unreachable, refusing, full, configured through
// the standard variables, over TLS, absent; and its lifecycle. A second corrgate is the endpoint.

let back: Harness;

beforeAll(async () => {
  back = await startService(CAPTURE_CONFIG);
});

afterAll(async () => {
  await back?.service.shutdown();
});

const OTEL_VARS = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', 'OTEL_EXPORTER_OTLP_CERTIFICATE', 'OTEL_EXPORTER_OTLP_INSECURE', 'OTEL_EXPORTER_OTLP_HEADERS'];
// Each test starts from an environment without OTLP exporter variables, whatever the shell had.
const savedEnv = Object.fromEntries(OTEL_VARS.map((k) => [k, process.env[k]]));
const clearEnv = () => OTEL_VARS.forEach((k) => delete process.env[k]);
clearEnv();
afterEach(clearEnv);
afterAll(() => {
  for (const [k, v] of Object.entries(savedEnv)) if (v !== undefined) process.env[k] = v;
});

interface LogLine {
  level: number;
  msg: string;
  signal?: string;
  [key: string]: unknown;
}

function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  return { logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) }), lines };
}

function make(options: DecisionTelemetryOptions, logger: Logger = pino({ level: 'silent' })): { telemetry: DecisionTelemetry; registry: Registry } {
  const registry = new Registry();
  return { telemetry: new DecisionTelemetry({ scheduledDelayMs: 20, ...options }, { logger, registry }), registry };
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  return (await m.get()).values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)).reduce((sum, v) => sum + v.value, 0);
}

function decisionFor(gateId: string, over: Partial<GateDecision> = {}): GateDecision {
  return { ...failDecision, gateId, ...over };
}

function spansOf(h: Harness, gateId: string): Span[] {
  const out: Span[] = [];
  for (const batch of h.capture.traces)
    for (const rs of batch.resourceSpans)
      for (const ss of rs.scopeSpans) for (const span of ss.spans) if (anyValueToPlain(getAttribute(span.attributes, 'corrgate.gate.id') ?? { type: 'empty' }) === gateId) out.push(span);
  return out;
}

function logCountOf(h: Harness, gateId: string): number {
  let n = 0;
  for (const batch of h.capture.logs)
    for (const rl of batch.resourceLogs)
      for (const sl of rl.scopeLogs) for (const r of sl.logRecords) if (anyValueToPlain(getAttribute(r.attributes, 'corrgate.gate.id') ?? { type: 'empty' }) === gateId) n++;
  return n;
}

const opening = (id: string) => ({ id, scope: { services: ['checkout'] }, windowStartMs: WINDOW_START_MS, windowEndMs: WINDOW_END_MS, baselineKind: 'none', dryRun: false });

describe('an unreachable or refusing endpoint', () => {
  it('never delays or fails a decision: recordEvaluation returns at once, the decision is counted, the export failure is counted and logged once', async () => {
    const closed = await freePort();
    const { logger, lines } = capturingLogger();
    const { telemetry, registry } = make({ endpoint: `127.0.0.1:${closed}`, exportTimeoutMs: 300 }, logger);
    await telemetry.start();
    telemetry.gateOpened(opening('unreachable'));
    const returned: unknown = telemetry.recordEvaluation(decisionFor('unreachable'), 5);
    expect(returned).toBeUndefined();
    // Counted on return, while the export has not even been attempted (its batch timer cannot have run yet).
    expect(await metric(registry, 'corrgate_gate_decisions_total', { gate: 'unreachable', decision: 'FAIL' })).toBe(1);
    expect(await metric(registry, 'corrgate_gate_export_dropped_total')).toBe(0);

    await waitFor('the failed span and log exports to be counted', async () =>
      (await metric(registry, 'corrgate_gate_export_dropped_total', { signal: 'traces', reason: 'export_failed' })) >= 1 &&
      (await metric(registry, 'corrgate_gate_export_dropped_total', { signal: 'logs', reason: 'export_failed' })) >= 1);
    await expect(telemetry.shutdown()).resolves.toBeUndefined();
    // The gate span ended by shutdown is given up on too: every span and log record is accounted for.
    await waitFor('the shutdown flush to be counted', async () => (await metric(registry, 'corrgate_gate_export_dropped_total', { signal: 'traces', reason: 'export_failed' })) === 2);
    expect(await metric(registry, 'corrgate_gate_export_dropped_total', { signal: 'logs', reason: 'export_failed' })).toBe(1);
    expect(await metric(registry, 'corrgate_gate_export_sent_total')).toBe(0);

    const warnings = lines.filter((l) => l.level === 40 && l.msg.startsWith('decision telemetry export failed'));
    expect(warnings.map((l) => l.signal).sort()).toEqual(['logs', 'traces']);
    expect(warnings[0]!.destination).toBe(`http://127.0.0.1:${closed}`);
  });

  it('counts what a full queue sheds, and accounts for every span and log record', async () => {
    const closed = await freePort();
    const { telemetry, registry } = make({ endpoint: `127.0.0.1:${closed}`, exportTimeoutMs: 500, maxQueueSize: 2, scheduledDelayMs: 60_000 });
    await telemetry.start();
    for (let i = 1; i <= 5; i++) telemetry.recordEvaluation(decisionFor('full-queue', { evaluation: i, final: false }), 1);
    expect(await metric(registry, 'corrgate_gate_decisions_total', { gate: 'full-queue' })).toBe(5);
    expect(await metric(registry, 'corrgate_gate_export_dropped_total', { signal: 'traces', reason: 'queue_full' })).toBeGreaterThanOrEqual(1);
    expect(await metric(registry, 'corrgate_gate_export_dropped_total', { signal: 'logs', reason: 'queue_full' })).toBeGreaterThanOrEqual(1);
    await telemetry.shutdown();
    const accounted = async (signal: string) =>
      (await metric(registry, 'corrgate_gate_export_sent_total', { signal })) + (await metric(registry, 'corrgate_gate_export_dropped_total', { signal }));
    // Five evaluation spans and the gate span that shutdown ended; five log records.
    await waitFor('every span and log record to be sent or counted as dropped', async () => (await accounted('traces')) === 6 && (await accounted('logs')) === 5);
  });

  it('sends gRPC metadata from `headers`: a receiver that wants a bearer token refuses without it and takes it with it', async () => {
    const guarded = await startService(CAPTURE_CONFIG.replace('endpoint: 127.0.0.1:GRPC_PORT\n', 'endpoint: 127.0.0.1:GRPC_PORT\n        auth:\n          bearer_token: t0ken\n'));
    try {
      const without = make({ endpoint: `127.0.0.1:${guarded.grpcPort}`, logs: false });
      await without.telemetry.start();
      without.telemetry.recordEvaluation(decisionFor('no-token'), 1);
      await without.telemetry.shutdown();
      await waitFor('the refused export to be counted', async () => (await metric(without.registry, 'corrgate_gate_export_dropped_total', { signal: 'traces', reason: 'export_failed' })) === 2);

      const withToken = make({ endpoint: `127.0.0.1:${guarded.grpcPort}`, headers: { authorization: 'Bearer t0ken' }, logs: false });
      await withToken.telemetry.start();
      withToken.telemetry.recordEvaluation(decisionFor('with-token'), 1);
      await withToken.telemetry.shutdown();
      await waitFor('the spans to arrive', () => spansOf(guarded, 'with-token').length === 2);
      expect(await metric(withToken.registry, 'corrgate_gate_export_sent_total', { signal: 'traces' })).toBe(2);
      expect(spansOf(guarded, 'no-token')).toEqual([]);
      // logs: false means no log record, and no logs exporter to count.
      expect(logCountOf(guarded, 'with-token')).toBe(0);
      expect(await metric(withToken.registry, 'corrgate_gate_export_sent_total', { signal: 'logs' })).toBe(0);
    } finally {
      await guarded.service.shutdown();
    }
  });
});

describe('where decisions go', () => {
  it('honours OTEL_EXPORTER_OTLP_ENDPOINT when no endpoint is configured', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${back.grpcPort}`;
    const { telemetry, registry } = make({});
    expect(telemetry.exporting).toBe(true);
    await telemetry.start();
    telemetry.recordEvaluation(decisionFor('from-env'), 3);
    await telemetry.shutdown();
    await waitFor('the span and log record to arrive', () => spansOf(back, 'from-env').length === 2 && logCountOf(back, 'from-env') === 1);
    expect(await metric(registry, 'corrgate_gate_export_sent_total')).toBe(3);
  });

  it('prefers OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and _LOGS_ENDPOINT to the shared variable', async () => {
    const elsewhere = await startService(CAPTURE_CONFIG);
    try {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${await freePort()}`;
      process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `http://127.0.0.1:${back.grpcPort}`;
      process.env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT = `http://127.0.0.1:${elsewhere.grpcPort}`;
      const { telemetry } = make({});
      await telemetry.start();
      telemetry.recordEvaluation(decisionFor('per-signal'), 3);
      await telemetry.shutdown();
      await waitFor('the span at one instance and the log record at the other', () => spansOf(back, 'per-signal').length === 2 && logCountOf(elsewhere, 'per-signal') === 1);
      expect(logCountOf(back, 'per-signal')).toBe(0);
      expect(spansOf(elsewhere, 'per-signal')).toEqual([]);
    } finally {
      await elsewhere.service.shutdown();
    }
  });

  it('uses TLS for a bare host:port when insecure is false, trusting the CA named in OTEL_EXPORTER_OTLP_CERTIFICATE', async () => {
    const pki = makeTestPki();
    const secure = await startService(
      CAPTURE_CONFIG.replace('endpoint: 127.0.0.1:GRPC_PORT\n', `endpoint: 127.0.0.1:GRPC_PORT\n        tls:\n          cert_file: ${pki.serverCert}\n          key_file: ${pki.serverKey}\n`),
    );
    try {
      process.env.OTEL_EXPORTER_OTLP_CERTIFICATE = pki.caCert;
      const { telemetry, registry } = make({ endpoint: `localhost:${secure.grpcPort}`, insecure: false });
      await telemetry.start();
      telemetry.recordEvaluation(decisionFor('over-tls'), 3);
      await telemetry.shutdown();
      await waitFor('the span and log record to arrive over TLS', () => spansOf(secure, 'over-tls').length === 2 && logCountOf(secure, 'over-tls') === 1);
      expect(await metric(registry, 'corrgate_gate_export_dropped_total')).toBe(0);
    } finally {
      await secure.service.shutdown();
    }
  });

  it('turns export off when no endpoint is configured or set, and still counts decisions', async () => {
    const { logger, lines } = capturingLogger();
    const { telemetry, registry } = make({}, logger);
    expect(telemetry.exporting).toBe(false);
    await telemetry.start();
    telemetry.gateOpened(opening('offline'));
    telemetry.recordEvaluation(decisionFor('offline'), 7);
    telemetry.gateClosed('offline', decisionFor('offline'));
    expect(telemetry.traceIdOf('offline')).toBeUndefined();
    await telemetry.shutdown();
    expect(await metric(registry, 'corrgate_gate_decisions_total', { gate: 'offline', decision: 'FAIL' })).toBe(1);
    expect(await metric(registry, 'corrgate_gate_export_sent_total')).toBe(0);
    expect(lines.map((l) => l.msg)).toEqual(['decision telemetry export is off (no endpoint configured or in OTEL_EXPORTER_OTLP_*); gate metrics are still kept']);
  });

  it('rejects an endpoint it cannot use when constructed, naming it', () => {
    const deps = { logger: pino({ level: 'silent' }), registry: new Registry() };
    expect(() => new DecisionTelemetry({ endpoint: 'grpc://collector:4317' }, deps)).toThrow('decision telemetry endpoint "grpc://collector:4317": the scheme must be http or https (OTLP/gRPC)');
    expect(() => new DecisionTelemetry({ endpoint: 'http://collector:4317/v1/traces' }, deps)).toThrow('an OTLP/gRPC endpoint has no path');
    expect(() => new DecisionTelemetry({ endpoint: 'collector:notaport' }, deps)).toThrow('is neither host:port nor http(s)://host:port');
    expect(() => new DecisionTelemetry({ endpoint: '127.0.0.1:4317', maxQueueSize: 0 }, deps)).toThrow('maxQueueSize must be a positive number');
  });
});

describe('lifecycle', () => {
  it('shuts down before start, and twice', async () => {
    const { telemetry } = make({ endpoint: `127.0.0.1:${back.grpcPort}` });
    await telemetry.shutdown();
    await telemetry.shutdown();
  });

  it('ends the gates still open at shutdown with closed_by=shutdown and status UNSET, and starts again', async () => {
    const { telemetry, registry } = make({ endpoint: `127.0.0.1:${back.grpcPort}`, logs: false });
    await telemetry.start();
    telemetry.gateOpened(opening('restart-a'));
    telemetry.recordEvaluation(decisionFor('restart-a', { ...runningDecision, gateId: 'restart-a' }), 2);
    const traceA = telemetry.traceIdOf('restart-a');
    await telemetry.shutdown();
    expect(telemetry.traceIdOf('restart-a')).toBe(traceA);

    await telemetry.start();
    // Never opened here: the first evaluation opens the gate's trace from the decision.
    telemetry.recordEvaluation(decisionFor('restart-b', { decision: 'PASS', reported: 'PASS', reason: 'all rules pass' }), 2);
    telemetry.gateClosed('restart-b', decisionFor('restart-b', { decision: 'PASS', reported: 'PASS', reason: 'all rules pass' }));
    await telemetry.shutdown();

    await waitFor('both gates to arrive', () => spansOf(back, 'restart-a').length === 2 && spansOf(back, 'restart-b').length === 2);
    const gateA = spansOf(back, 'restart-a').find((s) => s.name === 'gate restart-a')!;
    expect(idToHex(gateA.traceId)).toBe(traceA);
    expect(attributesToPlain(gateA.attributes)).toEqual({
      'corrgate.gate.id': 'restart-a',
      'corrgate.gate.scope': '{"services":["checkout"]}',
      'corrgate.gate.window.start': '2025-11-25T06:00:00.000Z',
      'corrgate.gate.window.end': '2025-11-25T06:10:00.000Z',
      'corrgate.gate.baseline.kind': 'none',
      'corrgate.gate.dry_run': false,
      'corrgate.gate.closed_by': 'shutdown',
      'corrgate.gate.evaluations': 1,
    });
    expect(gateA.status).toEqual({ code: 0, message: '' });
    expect(gateA.events).toEqual([]);

    const gateB = spansOf(back, 'restart-b').find((s) => s.name === 'gate restart-b')!;
    const evalB = spansOf(back, 'restart-b').find((s) => s.name === 'gate.evaluate')!;
    expect(idToHex(evalB.parentSpanId)).toBe(idToHex(gateB.spanId));
    expect(idToHex(evalB.traceId)).toBe(idToHex(gateB.traceId));
    expect(idToHex(gateB.traceId)).not.toBe(traceA);
    expect(gateB.status).toEqual({ code: 1, message: '' });
    expect(evalB.status).toEqual({ code: 1, message: '' });
    expect(attributesToPlain(gateB.attributes)).toMatchObject({ 'corrgate.gate.closed_by': 'close', 'corrgate.gate.decision': 'PASS', 'corrgate.gate.evaluations': 1 });
    expect(await metric(registry, 'corrgate_gate_decisions_total')).toBe(2);
  });

  it('keeps a durable gate in one trace across a restart: no span at shutdown, the gate span made at close with its fixed ids and opening time', async () => {
    const traceId = '5b8efff798038103d269b633813fc60c';
    const spanId = 'eee19b7ec3c1b174';
    const openedAtMs = Date.now() - 60_000;
    const durable = { ...opening('durable'), traceId, spanId, openedAtMs, durable: true };
    const first = make({ endpoint: `127.0.0.1:${back.grpcPort}`, logs: false }).telemetry;
    await first.start();
    first.gateOpened({ ...durable, evaluations: 0 });
    first.recordEvaluation(decisionFor('durable', { ...runningDecision, gateId: 'durable', evaluation: 1 }), 2);
    expect(first.traceIdOf('durable')).toBe(traceId);
    await first.shutdown();

    const second = make({ endpoint: `127.0.0.1:${back.grpcPort}`, logs: false }).telemetry;
    await second.start();
    second.gateOpened({ ...durable, evaluations: 1 });
    const final = decisionFor('durable', { evaluation: 2 });
    second.recordEvaluation(final, 2);
    second.gateClosed('durable', final);
    await second.shutdown();

    await waitFor('the gate span and both evaluations', () => spansOf(back, 'durable').length === 3);
    const spans = spansOf(back, 'durable');
    const gate = spans.filter((s) => s.name === 'gate durable');
    expect(gate).toHaveLength(1);
    expect(idToHex(gate[0]!.traceId)).toBe(traceId);
    expect(idToHex(gate[0]!.spanId)).toBe(spanId);
    expect(gate[0]!.startTimeUnixNano).toBe(BigInt(openedAtMs) * 1_000_000n);
    expect(attributesToPlain(gate[0]!.attributes)).toMatchObject({ 'corrgate.gate.closed_by': 'close', 'corrgate.gate.evaluations': 2, 'corrgate.gate.decision': 'FAIL' });
    const evaluations = spans.filter((s) => s.name === 'gate.evaluate');
    expect(evaluations.map((s) => [idToHex(s.traceId), idToHex(s.parentSpanId)])).toEqual([
      [traceId, spanId],
      [traceId, spanId],
    ]);
    expect(new Set(evaluations.map((s) => idToHex(s.spanId))).size).toBe(2);
    expect(evaluations.every((s) => idToHex(s.spanId) !== spanId)).toBe(true);
  });

  it('shares one registry between instances without registering a metric twice', async () => {
    const registry = new Registry();
    const deps = { logger: pino({ level: 'silent' }), registry };
    const a = new DecisionTelemetry({}, deps);
    const b = new DecisionTelemetry({}, deps);
    a.recordEvaluation(decisionFor('shared'), 1);
    b.recordEvaluation(decisionFor('shared'), 1);
    expect(await metric(registry, 'corrgate_gate_decisions_total', { gate: 'shared', decision: 'FAIL' })).toBe(2);
    expect((await registry.getMetricsAsJSON()).map((m) => m.name).sort()).toEqual([
      'corrgate_gate_decisions_total',
      'corrgate_gate_evaluation_duration_seconds',
      'corrgate_gate_export_dropped_total',
      'corrgate_gate_export_sent_total',
    ]);
  });
});
