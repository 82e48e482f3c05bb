import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Correlator } from '../../src/correlator/correlator.js';
import { GateRunner } from '../../src/gates/gate-runner.js';
import type { DecisionSink } from '../../src/gates/gate-runner.js';
import { parseGateSpec } from '../../src/gates/gate-spec.js';
import type { GateDecision } from '../../src/gates/gate-types.js';
import { str } from '../../src/model/attributes.js';
import { traceBatch } from '../../src/model/batch.js';
import { EMPTY_SCOPE } from '../../src/model/resource.js';
import { SpanKind, StatusCode } from '../../src/model/span.js';
import { makeSpan } from '../helpers/batches.js';
import { waitFor } from '../helpers/net.js';

/** Collects what the runner hands on: the sink contract, not a stand-in for the runner. */
class RecordingSink implements DecisionSink {
  readonly opened: string[] = [];
  readonly decisions: GateDecision[] = [];
  readonly closed: { id: string; final: GateDecision | undefined }[] = [];
  gateOpened(g: { id: string }): void {
    this.opened.push(g.id);
  }
  recordEvaluation(d: GateDecision): void {
    this.decisions.push(d);
  }
  gateClosed(id: string, final: GateDecision | undefined): void {
    this.closed.push({ id, final });
  }
}

function correlator(): Correlator {
  return new Correlator({
    evidence: { bucketWidthMs: 1000, retentionMs: 3_600_000, allowedLatenessMs: 600_000, clockSkewToleranceMs: 5_000, maxBuckets: 10_000, reservoirSize: 256, exemplars: 5, deviceEventSamples: 10 },
    traces: { maxTraces: 10_000, maxSpans: 100_000, maxErrorLogs: 1000, maxTraceAgeMs: 600_000 },
    chains: { intervalMs: 60_000, triggerEvents: new Set(['network.interface.down']), maxChains: 100, maxTracesPerChain: 10, maxLogsPerChain: 10, recentFailuresPerService: 10, maxTrackedServices: 100 },
    maxResources: 1000,
    maxLearnedEdges: 1000,
  });
}

/** `count` server spans of checkout@version, starting now, `errors` of them failed. */
function traffic(c: Correlator, version: string, count: number, errors: number, latencyMs: number): void {
  const now = Date.now();
  const spans = Array.from({ length: count }, (_, i) =>
    makeSpan({
      kind: SpanKind.Server,
      startTimeUnixNano: BigInt(now - 100 + (i % 50)) * 1_000_000n,
      endTimeUnixNano: BigInt(now - 100 + (i % 50)) * 1_000_000n + BigInt(Math.round(latencyMs * (1 + (i % 7) / 20) * 1e6)),
      status: { code: i < errors ? StatusCode.Error : StatusCode.Unset, message: '' },
    }),
  );
  c.observeTraces(traceBatch([{ resource: { attributes: [{ key: 'service.name', value: str('checkout') }, { key: 'service.version', value: str(version) }], droppedAttributesCount: 0 }, schemaUrl: '', scopeSpans: [{ scope: EMPTY_SCOPE, schemaUrl: '', spans }] }]));
}

const spec = (overrides: Record<string, unknown>) =>
  parseGateSpec(
    {
      id: 'checkout-canary',
      scope: { services: ['checkout'], versions: ['2.0.0'] },
      window: { start: 'now', duration: '800ms' },
      interval: '100ms',
      baseline: { kind: 'stable_version', versions: ['1.0.0'] },
      min_samples: 50,
      rules: [
        { name: 'errors', measure: 'two_proportion', confidence: 0.95, min_difference: 0.01 },
        { name: 'ceiling', measure: 'error_ratio', threshold: { max: 0.2 }, critical: true },
      ],
      ...overrides,
    },
    Date.now() - 1000,
  );

const logger = pino({ level: 'silent' });

describe('GateRunner', () => {
  it('reports RUNNING while the window is open and decides PASS when it closes, then stops', async () => {
    const c = correlator();
    const sink = new RecordingSink();
    const runner = new GateRunner(c, sink, logger);
    traffic(c, '1.0.0', 400, 8, 10);
    traffic(c, '2.0.0', 400, 8, 10);
    const s = spec({ window: { start: 'now', duration: '2s' } });
    runner.open(s);
    await waitFor('a running evaluation', () => sink.decisions.length > 0);
    expect(sink.decisions[0]!.decision).toBe('RUNNING');
    await waitFor('the final decision', () => sink.closed.length === 1);
    const final = sink.closed[0]!.final!;
    expect(final.decision).toBe('PASS');
    expect(final.final).toBe(true);
    expect(final.score).toBe(100);
    expect(runner.get('checkout-canary')!.status).toBe('decided');
    const count = sink.decisions.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.decisions.length).toBe(count);
    expect(sink.opened).toEqual(['checkout-canary']);
  });

  it('fails fast on a critical rule, while the window is still open', () => {
    const c = correlator();
    const sink = new RecordingSink();
    const runner = new GateRunner(c, sink, logger);
    traffic(c, '1.0.0', 400, 4, 10);
    traffic(c, '2.0.0', 400, 160, 10);
    runner.open(spec({ window: { start: 'now', duration: '1h' } }));
    const d = runner.evaluateNow('checkout-canary');
    expect(d.decision).toBe('FAIL');
    expect(d.final).toBe(true);
    expect(d.reason).toContain('ceiling');
    expect(d.evidence.errorTraces.length).toBeGreaterThan(0);
    expect(runner.get('checkout-canary')!.status).toBe('decided');
    expect(sink.closed.map((x) => x.final?.decision)).toEqual(['FAIL']);
    runner.shutdown();
  });

  it('gives INCONCLUSIVE, never PASS, without traffic; close() decides an open-ended gate; abort() ends one without a decision', () => {
    const c = correlator();
    const sink = new RecordingSink();
    const runner = new GateRunner(c, sink, logger);
    runner.open(spec({ window: { start: 'now', until_closed: true } }));
    expect(runner.evaluateNow('checkout-canary').decision).toBe('RUNNING');
    const closed = runner.close('checkout-canary');
    expect(closed.decision).toBe('INCONCLUSIVE');
    expect(runner.get('checkout-canary')!.status).toBe('closed');
    runner.open(spec({ id: 'other', window: { start: 'now', until_closed: true } }));
    expect(runner.abort('other').status).toBe('aborted');
    expect(sink.closed.map((x) => [x.id, x.final?.decision])).toEqual([
      ['checkout-canary', 'INCONCLUSIVE'],
      ['other', undefined],
    ]);
    expect(() => runner.evaluateNow('missing')).toThrow(/no gate missing/);
    runner.shutdown();
  });

  it('refuses a second open gate with the same id', () => {
    const runner = new GateRunner(correlator(), undefined, logger);
    runner.open(spec({ window: { start: 'now', until_closed: true } }));
    expect(() => runner.open(spec({ window: { start: 'now', until_closed: true } }))).toThrow(/already open/);
    runner.shutdown();
  });
});
