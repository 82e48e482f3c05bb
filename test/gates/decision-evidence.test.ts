import { describe, expect, it } from 'vitest';
import { decisionEvidence } from '../../src/gates/decision-evidence.js';
import { T0, chain, deviceEvent, evidence, exemplar } from './evidence-fixtures.js';

const id = (n: number) => n.toString(16).padStart(32, '0');

describe('decisionEvidence', () => {
  it('picks error and slow traces, device events, chains and the error logs of the picked traces', () => {
    const current = evidence({
      spans: 100,
      errorExemplars: [exemplar(id(1), T0 + 30, 12, ['payment backend unreachable']), exemplar(id(2), T0 + 10, 15, ['card declined', 'retry failed'])],
      slowExemplars: [exemplar(id(3), T0 + 20, 900), exemplar(id(4), T0 + 40, 2_400, ['upstream timeout'])],
      deviceEvents: [deviceEvent('network.interface.up', T0 + 200, 'Gi0/1'), deviceEvent('network.interface.down', T0 + 100, 'Gi0/1')],
      chains: [chain(1, 'device.config.changed', 2, T0), chain(2, 'network.interface.down', 9, T0 + 100)],
    });
    const picked = decisionEvidence(current);
    expect(picked.errorTraces.map((t) => t.traceIdHex)).toEqual([id(1), id(2)]);
    // Slowest first.
    expect(picked.slowTraces.map((t) => t.traceIdHex)).toEqual([id(4), id(3)]);
    expect(picked.deviceEvents.map((e) => e.eventName)).toEqual(['network.interface.down', 'network.interface.up']);
    // Most failures first.
    expect(picked.chains.map((c) => c.id)).toEqual([2, 1]);
    expect(picked.errorLogs).toEqual([
      { traceId: id(2), service: 'checkout@2.1.0', body: 'card declined', timeMs: T0 + 10 },
      { traceId: id(2), service: 'checkout@2.1.0', body: 'retry failed', timeMs: T0 + 11 },
      { traceId: id(1), service: 'checkout@2.1.0', body: 'payment backend unreachable', timeMs: T0 + 30 },
      { traceId: id(4), service: 'checkout@2.1.0', body: 'upstream timeout', timeMs: T0 + 40 },
    ]);
  });

  it('is bounded, counts a trace that is both failing and slow once, and skips evicted traces', () => {
    const both = exemplar(id(7), T0, 3_000, ['boom']);
    const evicted = { traceIdHex: id(8), timeMs: T0, durationMs: 5, trace: undefined };
    const current = evidence({
      errorExemplars: [both, evicted, ...Array.from({ length: 8 }, (_, i) => exemplar(id(100 + i), T0 + i, 5))],
      slowExemplars: [both],
      deviceEvents: Array.from({ length: 30 }, (_, i) => deviceEvent('network.interface.down', T0 + i)),
    });
    const picked = decisionEvidence(current, { traces: 3, deviceEvents: 10, chains: 1, errorLogs: 5 });
    expect(picked.errorTraces).toHaveLength(3);
    expect(picked.deviceEvents).toHaveLength(10);
    expect(picked.errorLogs).toEqual([{ traceId: id(7), service: 'checkout@2.1.0', body: 'boom', timeMs: T0 }]);
  });
});
