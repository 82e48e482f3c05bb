import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecisionTelemetry } from '../../../src/gates/export/decision-telemetry.js';
import { attributesToPlain, anyValueToPlain, getAttribute } from '../../../src/model/attributes.js';
import { idToHex } from '../../../src/model/ids.js';
import type { LogRecord } from '../../../src/model/log-record.js';
import type { Resource } from '../../../src/model/resource.js';
import type { Span } from '../../../src/model/span.js';
import { waitFor } from '../../helpers/net.js';
import { CAPTURE_CONFIG, startService } from '../../helpers/service-harness.js';
import type { Harness } from '../../helpers/service-harness.js';
import {
  CHAIN_ONLY_TRACE,
  ERROR_SPAN_1,
  ERROR_SPAN_2,
  ERROR_TRACE_1,
  ERROR_TRACE_2,
  GATE_ID,
  SLOW_TRACE,
  WINDOW_END_MS,
  WINDOW_START_MS,
  failDecision,
  runningDecision,
} from './decision-fixtures.js';

// A corrgate exports its gate decisions over OTLP/gRPC to a second corrgate, whose capture sink is
// where every span, event, link and log record is checked, field by field.

let back: Harness;
let registry: Registry;
let telemetry: DecisionTelemetry;
let traceId: string | undefined;

interface Found {
  readonly span: Span;
  readonly resource: Resource;
  readonly scope: { readonly name: string; readonly version: string };
}

function spans(): Found[] {
  const out: Found[] = [];
  for (const batch of back.capture.traces)
    for (const rs of batch.resourceSpans)
      for (const ss of rs.scopeSpans) for (const span of ss.spans) out.push({ span, resource: rs.resource, scope: { name: ss.scope.name, version: ss.scope.version } });
  return out;
}

function logRecords(): { record: LogRecord; resource: Resource; scopeName: string }[] {
  const out: { record: LogRecord; resource: Resource; scopeName: string }[] = [];
  for (const batch of back.capture.logs)
    for (const rl of batch.resourceLogs) for (const sl of rl.scopeLogs) for (const record of sl.logRecords) out.push({ record, resource: rl.resource, scopeName: sl.scope.name });
  return out;
}

const evaluationOf = (f: Found) => Number(anyValueToPlain(getAttribute(f.span.attributes, 'corrgate.gate.evaluation')!));
const evaluations = () => spans().filter((f) => f.span.name === 'gate.evaluate').sort((a, b) => evaluationOf(a) - evaluationOf(b));
const gateSpan = () => spans().find((f) => f.span.name === `gate ${GATE_ID}`);

const SCOPE_JSON = '{"services":["checkout"],"versions":["2.4.1"],"devices":["edge-sw-1"]}';

const failAttributes = {
  'corrgate.gate.id': GATE_ID,
  'corrgate.gate.evaluation': 2,
  'corrgate.gate.decision': 'FAIL',
  'corrgate.gate.reported_decision': 'FAIL',
  'corrgate.gate.score': 0.31,
  'corrgate.gate.final': true,
  'corrgate.gate.dry_run': false,
  'corrgate.gate.reason': 'critical rule error-ratio failed: error ratio 8.3% is above the limit of 5%',
  'corrgate.gate.scope': SCOPE_JSON,
  'corrgate.gate.window.start': '2025-11-25T06:00:00.000Z',
  'corrgate.gate.window.end': '2025-11-25T06:10:00.000Z',
  'corrgate.gate.baseline.kind': 'previous_window',
  'corrgate.gate.baseline.window.start': '2025-11-25T05:50:00.000Z',
  'corrgate.gate.baseline.window.end': '2025-11-25T06:00:00.000Z',
  'corrgate.gate.rules.total': 3,
  'corrgate.gate.rules.failed': 1,
  'corrgate.gate.rules.nodata': 1,
  'corrgate.gate.samples.current': 1200,
  'corrgate.gate.samples.baseline': 5400,
  'corrgate.gate.evidence.error_traces': 2,
  'corrgate.gate.evidence.slow_traces': 1,
  'corrgate.gate.evidence.chains': 1,
  'corrgate.gate.evidence.device_events': 1,
  'corrgate.gate.evidence.error_logs': 1,
};

const runningAttributes = {
  'corrgate.gate.id': GATE_ID,
  'corrgate.gate.evaluation': 1,
  'corrgate.gate.decision': 'RUNNING',
  'corrgate.gate.reported_decision': 'RUNNING',
  'corrgate.gate.score': 0.92,
  'corrgate.gate.final': false,
  'corrgate.gate.dry_run': false,
  'corrgate.gate.reason': 'all rules pass so far; the window is still open',
  'corrgate.gate.scope': SCOPE_JSON,
  'corrgate.gate.window.start': '2025-11-25T06:00:00.000Z',
  'corrgate.gate.window.end': '2025-11-25T06:10:00.000Z',
  'corrgate.gate.baseline.kind': 'previous_window',
  'corrgate.gate.baseline.window.start': '2025-11-25T05:50:00.000Z',
  'corrgate.gate.baseline.window.end': '2025-11-25T06:00:00.000Z',
  'corrgate.gate.rules.total': 1,
  'corrgate.gate.rules.failed': 0,
  'corrgate.gate.rules.nodata': 0,
  'corrgate.gate.samples.current': 1200,
  'corrgate.gate.samples.baseline': 5400,
  'corrgate.gate.evidence.error_traces': 0,
  'corrgate.gate.evidence.slow_traces': 0,
  'corrgate.gate.evidence.chains': 0,
  'corrgate.gate.evidence.device_events': 0,
  'corrgate.gate.evidence.error_logs': 0,
};

async function metricValues(name: string): Promise<{ labels: Record<string, unknown>; value: number; metricName?: string }[]> {
  const m = registry.getSingleMetric(name);
  if (!m) throw new Error(`no metric ${name}`);
  // Histogram values carry the series name (_bucket, _sum, _count), which prom-client's type leaves out.
  return (await m.get()).values.map((v: { labels: object; value: number; metricName?: string }) => ({ labels: { ...v.labels }, value: v.value, ...(v.metricName !== undefined ? { metricName: v.metricName } : {}) }));
}

beforeAll(async () => {
  back = await startService(CAPTURE_CONFIG);
  registry = new Registry();
  telemetry = new DecisionTelemetry(
    {
      endpoint: `127.0.0.1:${back.grpcPort}`,
      serviceName: 'corrgate-test',
      resourceAttributes: { 'deployment.environment.name': 'ci', 'service.instance.id': 'gate-runner-1' },
      scheduledDelayMs: 50,
      exportTimeoutMs: 5000,
    },
    { logger: pino({ level: 'silent' }), registry },
  );
  await telemetry.start();
  telemetry.gateOpened({ id: GATE_ID, scope: { services: ['checkout'], versions: ['2.4.1'], devices: ['edge-sw-1'] }, windowStartMs: WINDOW_START_MS, windowEndMs: WINDOW_END_MS, baselineKind: 'previous_window', dryRun: false });
  traceId = telemetry.traceIdOf(GATE_ID);
  telemetry.recordEvaluation(runningDecision, 12);
  telemetry.recordEvaluation(failDecision, 30);
  telemetry.gateClosed(GATE_ID, failDecision);
  await telemetry.shutdown();
  await waitFor('three spans and two log records at the second instance', () => spans().length >= 3 && logRecords().length >= 2);
});

afterAll(async () => {
  await telemetry?.shutdown();
  await back?.service.shutdown();
});

describe('gate decisions exported over OTLP/gRPC to a second corrgate', () => {
  it('makes the gate one trace: the parent `gate checkout-canary` span and one `gate.evaluate` child per evaluation', () => {
    expect(spans()).toHaveLength(3);
    const parent = gateSpan()!;
    expect(parent).toBeDefined();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(telemetry.traceIdOf(GATE_ID)).toBe(traceId);
    expect(idToHex(parent.span.traceId)).toBe(traceId);
    expect(parent.span.parentSpanId.length).toBe(0);
    expect(parent.span.kind).toBe(1); // INTERNAL
    const children = evaluations();
    expect(children).toHaveLength(2);
    for (const child of children) {
      expect(idToHex(child.span.traceId)).toBe(traceId);
      expect(idToHex(child.span.parentSpanId)).toBe(idToHex(parent.span.spanId));
      expect(child.span.kind).toBe(1);
      expect(child.span.endTimeUnixNano).toBeLessThanOrEqual(parent.span.endTimeUnixNano);
    }
    expect(new Set(children.map((c) => idToHex(c.span.spanId))).size).toBe(2);
    // The span lasts exactly as long as the runner said the evaluation took.
    expect(children[0]!.span.endTimeUnixNano - children[0]!.span.startTimeUnixNano).toBe(12_000_000n);
    expect(children[1]!.span.endTimeUnixNano - children[1]!.span.startTimeUnixNano).toBe(30_000_000n);
  });

  it('names the resource and the instrumentation scope', () => {
    for (const f of spans()) {
      expect(f.scope.name).toBe('corrgate.gates');
      expect(f.scope.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(attributesToPlain(f.resource.attributes)).toMatchObject({
        'service.name': 'corrgate-test',
        'deployment.environment.name': 'ci',
        'service.instance.id': 'gate-runner-1',
        'telemetry.sdk.language': 'nodejs',
      });
    }
  });

  it('puts the corrgate.gate.* attributes on each evaluation span', () => {
    const [running, failed] = evaluations();
    expect(attributesToPlain(running!.span.attributes)).toEqual({ ...runningAttributes, 'corrgate.gate.evaluated_at': '2025-11-25T06:00:30.000Z' });
    expect(attributesToPlain(failed!.span.attributes)).toEqual({ ...failAttributes, 'corrgate.gate.evaluated_at': '2025-11-25T06:01:30.000Z' });
    // Counts travel as OTLP ints, measures as doubles.
    expect(getAttribute(failed!.span.attributes, 'corrgate.gate.evaluation')?.type).toBe('int');
    expect(getAttribute(failed!.span.attributes, 'corrgate.gate.score')?.type).toBe('double');
  });

  it('sets the span status from the decision: UNSET while running, ERROR with the reason on FAIL', () => {
    const [running, failed] = evaluations();
    expect(running!.span.status).toEqual({ code: 0, message: '' });
    expect(failed!.span.status).toEqual({ code: 2, message: failAttributes['corrgate.gate.reason'] });
  });

  it('adds a gate.rule event per rule with its outcome and values', () => {
    const [running, failed] = evaluations();
    const rules = (f: Found) => f.span.events.filter((e) => e.name === 'gate.rule').map((e) => attributesToPlain(e.attributes));
    expect(rules(running!)).toEqual([
      {
        'corrgate.rule.name': 'error-ratio',
        'corrgate.rule.outcome': 'pass',
        'corrgate.rule.measure': 'error_ratio',
        'corrgate.rule.observed': 0.01,
        'corrgate.rule.threshold': '<= 0.05',
        'corrgate.rule.baseline': 0.004,
        'corrgate.rule.samples.current': 1200,
        'corrgate.rule.samples.baseline': 5400,
        'corrgate.rule.critical': true,
        'corrgate.rule.weight': 2,
        'corrgate.rule.reason': 'error ratio 1% is within 5%',
      },
    ]);
    expect(rules(failed!)).toEqual([
      {
        'corrgate.rule.name': 'error-ratio',
        'corrgate.rule.outcome': 'fail',
        'corrgate.rule.measure': 'error_ratio',
        'corrgate.rule.observed': 0.083,
        'corrgate.rule.threshold': '<= 0.05',
        'corrgate.rule.baseline': 0.004,
        'corrgate.rule.samples.current': 1200,
        'corrgate.rule.samples.baseline': 5400,
        'corrgate.rule.critical': true,
        'corrgate.rule.weight': 2,
        'corrgate.rule.reason': 'error ratio 8.3% is above the limit of 5%',
      },
      {
        'corrgate.rule.name': 'latency-shift',
        'corrgate.rule.outcome': 'pass',
        'corrgate.rule.measure': 'mann_whitney',
        'corrgate.rule.observed': 212.5,
        'corrgate.rule.threshold': 'shift <= 10% of baseline median',
        'corrgate.rule.baseline': 198.1,
        'corrgate.rule.samples.current': 950,
        'corrgate.rule.samples.baseline': 4000,
        'corrgate.rule.critical': false,
        'corrgate.rule.weight': 1,
        'corrgate.rule.statistic.name': 'mann_whitney_u',
        'corrgate.rule.statistic.value': 1843210,
        'corrgate.rule.statistic.p_value': 0.031,
        'corrgate.rule.statistic.effect_size': 0.073,
        'corrgate.rule.reason': 'latency shifted by 7.3%, within 10%',
      },
      {
        'corrgate.rule.name': 'cpu-saturation',
        'corrgate.rule.outcome': 'nodata',
        'corrgate.rule.measure': 'cpu_utilization',
        'corrgate.rule.threshold': '<= 0.9',
        'corrgate.rule.samples.current': 0,
        'corrgate.rule.critical': false,
        'corrgate.rule.weight': 1,
        'corrgate.rule.reason': 'no cpu samples in the window',
      },
    ]);
  });

  it('adds a gate.evidence event per key evidence item', () => {
    const [running, failed] = evaluations();
    expect(running!.span.events.filter((e) => e.name === 'gate.evidence')).toEqual([]);
    expect(failed!.span.events.filter((e) => e.name === 'gate.evidence').map((e) => attributesToPlain(e.attributes))).toEqual([
      {
        'corrgate.evidence.kind': 'error_trace',
        'corrgate.evidence.trace_id': ERROR_TRACE_1,
        'corrgate.evidence.span_id': ERROR_SPAN_1,
        'corrgate.evidence.linked': true,
        'corrgate.evidence.time': '2025-11-25T06:01:01.000Z',
        'corrgate.evidence.duration_ms': 812,
        'corrgate.evidence.service': 'checkout',
        'corrgate.evidence.services': ['checkout', 'payments'],
        'corrgate.evidence.span_count': 9,
        'corrgate.evidence.error_span_count': 2,
        'corrgate.evidence.body': 'payment backend unavailable: connect ECONNREFUSED 10.0.3.7:8443',
      },
      {
        'corrgate.evidence.kind': 'error_trace',
        'corrgate.evidence.trace_id': ERROR_TRACE_2,
        'corrgate.evidence.span_id': ERROR_SPAN_2,
        'corrgate.evidence.linked': true,
        'corrgate.evidence.time': '2025-11-25T06:02:04.000Z',
        'corrgate.evidence.duration_ms': 1503,
        'corrgate.evidence.service': 'checkout',
        'corrgate.evidence.services': ['checkout'],
        'corrgate.evidence.span_count': 4,
        'corrgate.evidence.error_span_count': 1,
        'corrgate.evidence.body': `${'x'.repeat(255)}…`,
      },
      {
        'corrgate.evidence.kind': 'slow_trace',
        'corrgate.evidence.trace_id': SLOW_TRACE,
        'corrgate.evidence.linked': false,
        'corrgate.evidence.time': '2025-11-25T06:03:20.000Z',
        'corrgate.evidence.duration_ms': 4210,
      },
      {
        'corrgate.evidence.kind': 'chain',
        'corrgate.evidence.chain.id': 7,
        'corrgate.evidence.device': 'edge-sw-1',
        'corrgate.evidence.event.name': 'network.interface.down',
        'corrgate.evidence.interface': 'GigabitEthernet0/1',
        'corrgate.evidence.time': '2025-11-25T06:01:00.000Z',
        'corrgate.evidence.affected_services': ['checkout'],
        'corrgate.evidence.failing_services': ['checkout', 'payments'],
        'corrgate.evidence.failure_count': 14,
        'corrgate.evidence.trace_ids': [ERROR_TRACE_2, CHAIN_ONLY_TRACE],
        'corrgate.evidence.body': 'upstream connect error',
      },
      {
        'corrgate.evidence.kind': 'device_event',
        'corrgate.evidence.event.name': 'network.interface.down',
        'corrgate.evidence.interface': 'GigabitEthernet0/1',
        'corrgate.evidence.time': '2025-11-25T06:01:00.000Z',
        'corrgate.evidence.body': '%LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down',
      },
      {
        'corrgate.evidence.kind': 'error_log',
        'corrgate.evidence.trace_id': ERROR_TRACE_1,
        'corrgate.evidence.span_id': ERROR_SPAN_1,
        'corrgate.evidence.linked': true,
        'corrgate.evidence.service': 'payments',
        'corrgate.evidence.time': '2025-11-25T06:01:01.500Z',
        'corrgate.evidence.body': 'payment backend unavailable: connect ECONNREFUSED 10.0.3.7:8443',
      },
    ]);
  });

  it('links the evaluation span to the evidence traces it can name a span of, one link per trace', () => {
    const [running, failed] = evaluations();
    expect(running!.span.links).toEqual([]);
    expect(failed!.span.links.map((l) => ({ traceId: idToHex(l.traceId), spanId: idToHex(l.spanId), attributes: attributesToPlain(l.attributes) }))).toEqual([
      { traceId: ERROR_TRACE_1, spanId: ERROR_SPAN_1, attributes: { 'corrgate.evidence.kind': 'error_trace' } },
      { traceId: ERROR_TRACE_2, spanId: ERROR_SPAN_2, attributes: { 'corrgate.evidence.kind': 'error_trace', 'corrgate.evidence.chain.id': 7 } },
    ]);
    expect(failed!.span.droppedLinksCount).toBe(0);
  });

  it('ends each evaluation span with a gate.decision event, after the rule and evidence events, all at the span end', () => {
    for (const [f, decision] of evaluations().map((f, i) => [f, i === 0 ? runningDecision : failDecision] as const)) {
      const last = f.span.events.at(-1)!;
      expect(last.name).toBe('gate.decision');
      expect(attributesToPlain(last.attributes)).toEqual({
        'corrgate.gate.decision': decision.decision,
        'corrgate.gate.reported_decision': decision.reported,
        'corrgate.gate.score': decision.score,
        'corrgate.gate.final': decision.final,
        'corrgate.gate.reason': decision.reason,
      });
      expect(f.span.events.map((e) => e.name)).toEqual([...decision.rules.map(() => 'gate.rule'), ...Array(f.span.events.length - decision.rules.length - 1).fill('gate.evidence'), 'gate.decision']);
      for (const e of f.span.events) expect(e.timeUnixNano).toBe(f.span.endTimeUnixNano);
    }
    expect(evaluations()[1]!.span.events).toHaveLength(3 + 6 + 1);
  });

  it('closes the parent span with the final decision', () => {
    const parent = gateSpan()!;
    expect(attributesToPlain(parent.span.attributes)).toEqual({ ...failAttributes, 'corrgate.gate.closed_by': 'close', 'corrgate.gate.evaluations': 2 });
    expect(parent.span.status).toEqual({ code: 2, message: failAttributes['corrgate.gate.reason'] });
    expect(parent.span.events.map((e) => [e.name, attributesToPlain(e.attributes)])).toEqual([
      [
        'gate.decision',
        {
          'corrgate.gate.decision': 'FAIL',
          'corrgate.gate.reported_decision': 'FAIL',
          'corrgate.gate.score': 0.31,
          'corrgate.gate.final': true,
          'corrgate.gate.reason': failAttributes['corrgate.gate.reason'],
        },
      ],
    ]);
    expect(parent.span.links).toEqual([]);
  });

  it('writes a log record per decision, with severity by decision and the evaluation span as its trace context', () => {
    const records = logRecords().sort((a, b) => Number(anyValueToPlain(getAttribute(a.record.attributes, 'corrgate.gate.evaluation')!)) - Number(anyValueToPlain(getAttribute(b.record.attributes, 'corrgate.gate.evaluation')!)));
    expect(records).toHaveLength(2);
    const [running, failed] = evaluations();
    const expectations = [
      { r: records[0]!, span: running!, attrs: runningAttributes, severity: 9, text: 'INFO', body: runningDecision.reason },
      { r: records[1]!, span: failed!, attrs: failAttributes, severity: 17, text: 'ERROR', body: failDecision.reason },
    ];
    for (const { r, span, attrs, severity, text, body } of expectations) {
      expect(anyValueToPlain(r.record.body)).toBe(body);
      expect(r.record.severityNumber).toBe(severity);
      expect(r.record.severityText).toBe(text);
      expect(r.record.eventName).toBe('corrgate.gate.decision');
      expect(attributesToPlain(r.record.attributes)).toEqual(attrs);
      expect(idToHex(r.record.traceId)).toBe(traceId);
      expect(idToHex(r.record.spanId)).toBe(idToHex(span.span.spanId));
      expect(r.record.flags & 1).toBe(1);
      expect(r.record.timeUnixNano).toBe(span.span.endTimeUnixNano);
      expect(r.scopeName).toBe('corrgate.gates');
      expect(attributesToPlain(r.resource.attributes)).toMatchObject({ 'service.name': 'corrgate-test', 'service.instance.id': 'gate-runner-1' });
    }
  });

  it('counts decisions by gate and decision, and evaluation durations', async () => {
    expect(await metricValues('corrgate_gate_decisions_total')).toEqual([
      { labels: { gate: GATE_ID, decision: 'RUNNING' }, value: 1 },
      { labels: { gate: GATE_ID, decision: 'FAIL' }, value: 1 },
    ]);
    const histogram = await metricValues('corrgate_gate_evaluation_duration_seconds');
    const bucket = (le: number) => histogram.find((v) => v.metricName === 'corrgate_gate_evaluation_duration_seconds_bucket' && v.labels.le === le)!.value;
    expect(bucket(0.01)).toBe(0);
    expect(bucket(0.025)).toBe(1);
    expect(bucket(0.05)).toBe(2);
    expect(histogram.find((v) => v.metricName === 'corrgate_gate_evaluation_duration_seconds_count')!.value).toBe(2);
    expect(histogram.find((v) => v.metricName === 'corrgate_gate_evaluation_duration_seconds_sum')!.value).toBeCloseTo(0.042, 12);
  });

  it('counts what the endpoint took, and drops nothing', async () => {
    const sent = await metricValues('corrgate_gate_export_sent_total');
    expect(Object.fromEntries(sent.map((v) => [v.labels.signal, v.value]))).toEqual({ traces: 3, logs: 2 });
    expect(await metricValues('corrgate_gate_export_dropped_total')).toEqual([]);
    expect(await back.metric('corrgate_receiver_accepted_spans_total', { transport: 'grpc' })).toBe(3);
    expect(await back.metric('corrgate_receiver_accepted_log_records_total', { transport: 'grpc' })).toBe(2);
  });
});
