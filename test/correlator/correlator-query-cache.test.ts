import { describe, expect, it } from 'vitest';
import { Correlator } from '../../src/correlator/correlator.js';
import type { CorrelatorOptions } from '../../src/correlator/correlator.js';
import { resolveScope } from '../../src/correlator/scope-selector.js';
import type { ScopeSelector } from '../../src/correlator/scope-selector.js';
import { str } from '../../src/model/attributes.js';
import { logBatch } from '../../src/model/batch.js';
import { SeverityNumber } from '../../src/model/log-record.js';
import { EMPTY_SCOPE } from '../../src/model/resource.js';
import { SpanKind } from '../../src/model/span.js';
import { ms, request, resource, spans } from '../helpers/correlator-batches.js';

// Correlator.query remembers, until the correlator next takes in data, what it derives from the
// registry, topology and trace index (resolved scopes, trace summaries), and draws the latency
// sample only when it is read. None of that may change what a query answers.

const NOW = 1_800_000_000_000;

function options(): CorrelatorOptions {
  return {
    evidence: { bucketWidthMs: 10_000, retentionMs: 3_600_000, allowedLatenessMs: 120_000, clockSkewToleranceMs: 5_000, maxBuckets: 100_000, reservoirSize: 64, exemplars: 3, deviceEventSamples: 10 },
    traces: { maxTraces: 10_000, maxSpans: 100_000, maxErrorLogs: 1_000, maxTraceAgeMs: 600_000 },
    chains: { intervalMs: 60_000, triggerEvents: new Set(['network.interface.down']), maxChains: 100, maxTracesPerChain: 10, maxLogsPerChain: 10, recentFailuresPerService: 20, maxTrackedServices: 100 },
    maxResources: 1000,
    maxLearnedEdges: 1000,
    now: () => NOW + 600_000,
  };
}




const service = (name: string, version: string, extra: Record<string, string> = {}) => ({
  'service.name': name,
  'service.namespace': 'shop',
  'service.version': version,
  'deployment.environment.name': 'prod',
  'host.name': `node-${name.length % 3}`,
  ...extra,
});

const window = { startMs: NOW, endMs: NOW + 60_000 };

describe('Correlator.query caches', () => {
  it('answers a repeated query alike, and sees a new resource once data arrives', () => {
    const c = new Correlator(options());
    for (let i = 0; i < 30; i++) c.observeTraces(spans(service('checkout', '1.0.0'), [request(NOW + i * 1000, 10 + i, i % 7 === 0)]));
    const scope: ScopeSelector = { services: ['checkout'] };
    const first = c.query({ scope, ...window });
    const again = c.query({ scope, ...window });
    expect(again).toEqual(first);
    expect(again.latencySamples).toEqual(first.latencySamples);
    c.observeTraces(spans(service('checkout', '2.0.0'), [request(NOW + 500, 99, true)]));
    const after = c.query({ scope, ...window });
    expect(after.scope.resources.map((r) => r.key)).toHaveLength(2);
    expect(after.spans.count).toBe(31);
    expect(after.latencyMs.max).toBe(99);
  });

  it('resolves scopes through its name index exactly as resolveScope does over the whole registry', () => {
    const c = new Correlator(options());
    const batches = [
      spans(service('checkout', '1.0.0'), [request(NOW, 5, false)]),
      spans(service('checkout', '2.0.0'), [request(NOW, 5, false)]),
      spans({ ...service('checkout', '1.0.0'), 'service.namespace': 'other' }, [request(NOW, 5, false)]),
      spans(service('payments', '1.0.0'), [request(NOW, 5, false, { kind: SpanKind.Client, attributes: [{ key: 'server.address', value: str('ledger.svc') }] })]),
      spans(service('ledger', '1.0.0'), [request(NOW, 5, false)]),
      spans(service('shop/odd', '1.0.0'), [request(NOW, 5, false)]),
      spans({ 'host.name': 'db-1' }, [request(NOW, 5, false)]),
    ];
    for (const b of batches) c.observeTraces(b);
    c.observeLogs(
      logBatch([
        {
          resource: resource({ 'host.name': 'edge-sw-1' }),
          schemaUrl: '',
          scopeLogs: [
            {
              scope: EMPTY_SCOPE,
              schemaUrl: '',
              logRecords: [
                { timeUnixNano: ms(NOW), observedTimeUnixNano: ms(NOW), severityNumber: SeverityNumber.Warn, severityText: '', body: str('link down'), attributes: [{ key: 'syslog.vendor', value: str('cisco') }], droppedAttributesCount: 0, flags: 0, traceId: new Uint8Array(0), spanId: new Uint8Array(0), eventName: '' },
              ],
            },
          ],
        },
      ]),
    );
    const selectors: ScopeSelector[] = [
      { services: ['checkout'] },
      { services: ['shop/checkout'] },
      { services: ['other/checkout', 'ledger'] },
      { services: ['nope/checkout'] },
      { services: ['shop/odd'] },
      { services: ['odd'] },
      { services: ['payments'], includeDependencies: true },
      { services: ['checkout'], versions: ['2.0.0'], environment: 'prod' },
      { services: ['checkout'], hosts: ['db-1'] },
      { services: ['checkout'], devices: ['edge-sw-1'] },
      { hosts: ['db-1', 'node-2'], includeDependents: true },
      { environment: 'prod' },
      { attributes: { 'service.namespace': 'other' } },
      {},
      { services: [] },
      { services: ['unknown'] },
    ];
    for (const selector of selectors) {
      const expected = resolveScope(selector, c.registry, c.topology);
      const got = c.query({ scope: selector, ...window });
      expect(got.scope.resources.map((r) => r.id), JSON.stringify(selector)).toEqual([...expected.resourceIds].filter((id) => c.registry.byId(id) !== undefined));
      expect(got.scope.resources.filter((r) => r.viaTopology).map((r) => r.id)).toEqual([...expected.resourceIds].filter((id) => expected.viaTopology.has(id)));
    }
  });

  it('draws the latency sample from the window as it was queried, even when read after more data came', () => {
    const c = new Correlator(options());
    for (let i = 0; i < 10; i++) c.observeTraces(spans(service('checkout', '1.0.0'), [request(NOW + i * 100, 10 + i, false)]));
    const before = c.query({ scope: { services: ['checkout'] }, ...window });
    for (let i = 0; i < 10; i++) c.observeTraces(spans(service('checkout', '1.0.0'), [request(NOW + 50 + i * 100, 500 + i, false)]));
    expect(before.latencySamples).toEqual(Array.from({ length: 10 }, (_, i) => 10 + i));
    const after = c.query({ scope: { services: ['checkout'] }, ...window });
    expect(after.latencySamples).toHaveLength(20);
    expect(after.latencySamples).toEqual([...after.latencySamples].sort((a, b) => a - b));
  });

  it('summarises exemplar traces as they are now, not as they were at an earlier query', () => {
    const c = new Correlator(options());
    const root = request(NOW + 1000, 80, true);
    c.observeTraces(spans(service('checkout', '1.0.0'), [root]));
    const first = c.query({ scope: { services: ['checkout'] }, ...window });
    expect(first.exemplars.errors[0]?.trace?.spanCount).toBe(1);
    const child = request(NOW + 1010, 20, true, { traceId: root.traceId, parentSpanId: root.spanId, kind: SpanKind.Internal });
    c.observeTraces(spans(service('payments', '1.0.0'), [child]));
    const second = c.query({ scope: { services: ['checkout'] }, ...window });
    expect(second.exemplars.errors[0]?.trace?.spanCount).toBe(2);
    expect(second.exemplars.errors[0]?.trace?.services).toEqual(expect.arrayContaining(['checkout@1.0.0', 'payments@1.0.0']));
  });
});
