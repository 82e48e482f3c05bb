import { pino } from 'pino';
import { Correlator } from '../../src/correlator/correlator.js';
import type { DecisionSink, GateOpened } from '../../src/gates/gate-runner.js';
import { parseGateSpec } from '../../src/gates/gate-spec.js';
import type { GateDecision } from '../../src/gates/gate-types.js';
import { str } from '../../src/model/attributes.js';
import { traceBatch } from '../../src/model/batch.js';
import type { TraceBatch } from '../../src/model/batch.js';
import { EMPTY_SCOPE } from '../../src/model/resource.js';
import { SpanKind, StatusCode } from '../../src/model/span.js';
import { makeSpan } from './batches.js';

// Shared by the gate runner's tests: a small correlator, checkout traffic by version, a canary spec.

/** Collects what the runner hands on: the sink contract, not a stand-in for the runner. */
export class RecordingSink implements DecisionSink {
  readonly opened: string[] = [];
  readonly openings: GateOpened[] = [];
  readonly decisions: GateDecision[] = [];
  readonly closed: { id: string; final: GateDecision | undefined }[] = [];
  gateOpened(g: GateOpened): void {
    this.opened.push(g.id);
    this.openings.push(g);
  }
  recordEvaluation(d: GateDecision): void {
    this.decisions.push(d);
  }
  gateClosed(id: string, final: GateDecision | undefined): void {
    this.closed.push({ id, final });
  }
}

export function correlator(): Correlator {
  return new Correlator({
    evidence: { bucketWidthMs: 1000, retentionMs: 3_600_000, allowedLatenessMs: 600_000, clockSkewToleranceMs: 5_000, maxBuckets: 10_000, reservoirSize: 256, exemplars: 5, deviceEventSamples: 10 },
    traces: { maxTraces: 10_000, maxSpans: 100_000, maxErrorLogs: 1000, maxTraceAgeMs: 600_000 },
    chains: { intervalMs: 60_000, triggerEvents: new Set(['network.interface.down']), maxChains: 100, maxTracesPerChain: 10, maxLogsPerChain: 10, recentFailuresPerService: 10, maxTrackedServices: 100 },
    maxResources: 1000,
    maxLearnedEdges: 1000,
  });
}

/**
 * `count` server spans of `service`@`version` ending about now, `errors` of them failed, taking about
 * `latencyMs`; `attributes` are added to the resource (k8s.deployment.name, say).
 */
export function trafficBatch(service: string, version: string, count: number, errors: number, latencyMs: number, attributes: Record<string, string> = {}): TraceBatch {
  const now = Date.now();
  const spans = Array.from({ length: count }, (_, i) =>
    makeSpan({
      kind: SpanKind.Server,
      startTimeUnixNano: BigInt(now - 100 + (i % 50)) * 1_000_000n,
      endTimeUnixNano: BigInt(now - 100 + (i % 50)) * 1_000_000n + BigInt(Math.round(latencyMs * (1 + (i % 7) / 20) * 1e6)),
      status: { code: i < errors ? StatusCode.Error : StatusCode.Unset, message: '' },
    }),
  );
  const resource = [
    { key: 'service.name', value: str(service) },
    { key: 'service.version', value: str(version) },
    ...Object.entries(attributes).map(([key, v]) => ({ key, value: str(v) })),
  ];
  return traceBatch([{ resource: { attributes: resource, droppedAttributesCount: 0 }, schemaUrl: '', scopeSpans: [{ scope: EMPTY_SCOPE, schemaUrl: '', spans }] }]);
}

/** `count` server spans of checkout@version, starting now, `errors` of them failed. */
export function traffic(c: Correlator, version: string, count: number, errors: number, latencyMs: number): void {
  c.observeTraces(trafficBatch('checkout', version, count, errors, latencyMs));
}

export const spec = (overrides: Record<string, unknown>) =>
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

export const silentLogger = pino({ level: 'silent' });

