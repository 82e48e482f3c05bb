import { describe, expect, it } from 'vitest';
import { Correlator } from '../../src/correlator/correlator.js';
import type { CorrelatorOptions } from '../../src/correlator/correlator.js';
import { int, str } from '../../src/model/attributes.js';
import { logBatch } from '../../src/model/batch.js';
import type { LogBatch } from '../../src/model/batch.js';
import { SeverityNumber } from '../../src/model/log-record.js';
import type { LogRecord } from '../../src/model/log-record.js';
import { EMPTY_SCOPE } from '../../src/model/resource.js';
import { SpanKind } from '../../src/model/span.js';
import type { Span } from '../../src/model/span.js';
import { ms, request, resource, spans } from '../helpers/correlator-batches.js';

const NOW = 1_800_000_000_000;

function options(overrides: Partial<CorrelatorOptions> = {}): CorrelatorOptions {
  return {
    evidence: { bucketWidthMs: 10_000, retentionMs: 3_600_000, allowedLatenessMs: 120_000, clockSkewToleranceMs: 5_000, maxBuckets: 100_000, reservoirSize: 64, exemplars: 3, deviceEventSamples: 10 },
    traces: { maxTraces: 10_000, maxSpans: 100_000, maxErrorLogs: 1_000, maxTraceAgeMs: 600_000 },
    chains: { intervalMs: 60_000, triggerEvents: new Set(['network.interface.down']), maxChains: 100, maxTracesPerChain: 10, maxLogsPerChain: 10, recentFailuresPerService: 20, maxTrackedServices: 100 },
    maxResources: 1000,
    maxLearnedEdges: 1000,
    now: () => NOW + 600_000,
    ...overrides,
  };
}



function logs(attrs: Record<string, string>, list: LogRecord[]): LogBatch {
  return logBatch([{ resource: resource(attrs), schemaUrl: '', scopeLogs: [{ scope: EMPTY_SCOPE, schemaUrl: '', logRecords: list }] }]);
}


function record(timeMs: number, severity: SeverityNumber, body: string, attrs: Record<string, string | number> = {}, trace?: Span): LogRecord {
  return {
    timeUnixNano: ms(timeMs), observedTimeUnixNano: ms(timeMs), severityNumber: severity, severityText: '', body: str(body),
    attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: typeof v === 'number' ? int(v) : str(v) })),
    droppedAttributesCount: 0, flags: 0, traceId: trace?.traceId ?? new Uint8Array(0), spanId: trace?.spanId ?? new Uint8Array(0), eventName: '',
  };
}

describe('Correlator', () => {
  it('answers canary against stable in the same window, and the previous window as baseline, by merging buckets', () => {
    const c = new Correlator(options());
    const stable = { 'service.name': 'checkout', 'service.version': '1.0.0', 'deployment.environment.name': 'prod' };
    const canary = { ...stable, 'service.version': '2.0.0' };
    for (let i = 0; i < 200; i++) c.observeTraces(spans(stable, [request(NOW + i * 100, 10 + (i % 10), i % 100 === 0)]));
    for (let i = 0; i < 100; i++) c.observeTraces(spans(canary, [request(NOW + i * 200, 30 + (i % 10), i % 10 === 0)]));
    for (let i = 0; i < 50; i++) c.observeTraces(spans(stable, [request(NOW - 60_000 + i * 100, 12, false)])); // the previous window
    const window = { startMs: NOW, endMs: NOW + 60_000 };
    const s = c.query({ scope: { services: ['checkout'], versions: ['1.0.0'] }, ...window });
    const k = c.query({ scope: { services: ['checkout'], versions: ['2.0.0'] }, ...window });
    const previous = c.query({ scope: { services: ['checkout'], versions: ['1.0.0'] }, startMs: NOW - 60_000, endMs: NOW });
    expect([s.spans.count, s.spans.errors]).toEqual([200, 2]);
    expect([k.spans.count, k.spans.errors]).toEqual([100, 10]);
    expect(k.spans.errorRatio).toBeCloseTo(0.1);
    expect(k.latencyMs.p50!).toBeGreaterThan(s.latencyMs.p99!);
    expect(k.latencySamples).toHaveLength(100);
    expect(previous.spans.count).toBe(50);
    expect(c.query({ scope: { environment: 'prod' }, ...window }).spans.count).toBe(300);
  });

  it('learns the service graph from client/server pairs and services on hosts, and chains through them', () => {
    const c = new Correlator(options({ topology: { devices: [{ name: 'tor-3', addresses: ['10.0.3.1'], hosts: ['node-3'], services: [], interfaces: [] }], hosts: [] } as never }));
    const parent = request(NOW, 50, false, { kind: SpanKind.Client, attributes: [{ key: 'server.address', value: str('payments.svc') }] });
    const child = request(NOW + 1, 40, false, { traceId: parent.traceId, parentSpanId: parent.spanId });
    c.observeTraces(spans({ 'service.name': 'frontend', 'host.name': 'node-1' }, [parent]));
    c.observeTraces(spans({ 'service.name': 'payments', 'host.name': 'node-3' }, [child]));
    const view = c.topology.describe();
    expect(view.learned.calls.map((e) => [e.client, e.server].join('->'))).toEqual(['service||frontend|||->service||payments|||']);
    // A link-down on the switch in front of node-3 affects payments (runs there) and frontend (calls it).
    c.observeLogs(logs({ 'host.name': 'tor-3' }, [{ ...record(NOW + 5_000, SeverityNumber.Error, 'Interface Gi0/3 down', { 'event.name': 'network.interface.down', 'network.interface.name': 'Gi0/3' }) }]));
    const failing = request(NOW + 6_000, 40, true, { traceId: parent.traceId, parentSpanId: parent.spanId });
    c.observeTraces(spans({ 'service.name': 'payments', 'host.name': 'node-3' }, [failing]));
    const [chain] = c.query({ scope: { services: ['frontend'] }, startMs: NOW, endMs: NOW + 60_000 }).chains;
    expect(chain!.device).toBe('tor-3');
    expect([...chain!.affectedServices].sort()).toEqual(['frontend', 'payments']);
    expect(chain!.failingServices).toEqual(['payments']);
  });

  it('reads access logs and spans under the older mesh conventions as errors', () => {
    const c = new Correlator(options());
    const envoy = { 'service.name': 'istio-ingressgateway' };
    c.observeTraces(spans(envoy, [request(NOW, 5, false, { attributes: [{ key: 'http.status_code', value: str('503') }, { key: 'upstream_cluster', value: str('outbound|80||cart') }] })]));
    c.observeLogs(logs(envoy, [record(NOW, SeverityNumber.Info, '[access] GET /cart 503 UF', { response_code: 503, response_flags: 'UF' })]));
    const e = c.query({ scope: { services: ['istio-ingressgateway'] }, startMs: NOW, endMs: NOW + 10_000 });
    expect(e.spans.errors).toBe(1);
    expect(e.logs.bySeverity.INFO).toBe(1);
    expect(c.chains.size.chains).toBe(0);
  });

  it('counts and drops data later than the allowed lateness', () => {
    const c = new Correlator(options());
    c.observeTraces(spans({ 'service.name': 'a' }, [request(NOW + 500_000, 1, false)]));
    c.observeTraces(spans({ 'service.name': 'a' }, [request(NOW + 500_000 - 100_000, 1, false), request(NOW, 1, false)]));
    expect(c.stats().lateDropped).toBe(1);
    expect(c.query({ scope: { services: ['a'] }, startMs: NOW - 1, endMs: NOW + 600_000 }).spans.count).toBe(2);
  });

  it('stays within every limit under a high-cardinality flood, and says what it shed', () => {
    const limits = options({
      maxResources: 50,
      traces: { maxTraces: 500, maxSpans: 2_000, maxErrorLogs: 100, maxTraceAgeMs: 600_000 },
      evidence: { ...options().evidence, maxBuckets: 200 },
    });
    const c = new Correlator(limits);
    let x = 12345;
    const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 5_000; i++) {
      const svc = { 'service.name': `svc-${rnd().toString(36)}` };
      const span = request(NOW + (i % 50_000), 1, i % 7 === 0);
      c.observeTraces(spans(svc, [span]));
      c.observeLogs(logs(svc, [record(NOW + (i % 50_000), SeverityNumber.Error, 'boom', {}, span)]));
    }
    const s = c.stats();
    expect(s.resources).toBeLessThanOrEqual(50);
    expect(s.traces).toBeLessThanOrEqual(500);
    expect(s.spans).toBeLessThanOrEqual(2_000);
    expect(s.errorLogs).toBeLessThanOrEqual(100);
    expect(s.buckets).toBeLessThanOrEqual(200);
    expect(s.evicted.resources).toBe(5_000 - 50);
    expect(s.evicted.traces).toBe(5_000 - 500);
    expect(s.evicted.buckets).toBeGreaterThanOrEqual(5_000 - 200 - s.evicted.resources);
  });
});
