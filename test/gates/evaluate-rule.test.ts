import { describe, expect, it } from 'vitest';
import { decide } from '../../src/gates/decide.js';
import { parseGateSpec } from '../../src/gates/gate-spec.js';
import { evaluateRules, ruleFamilyOf } from '../../src/gates/rules/evaluate-rule.js';
import { T0, chain, evidence, lognormalLatencies } from './evidence-fixtures.js';

const spec = parseGateSpec(
  {
    id: 'checkout-canary',
    scope: { services: ['checkout'], versions: ['2.1.0'] },
    window: { start: '2026-11-25T10:00:00Z', duration: '10m' },
    baseline: { kind: 'stable_version', versions: ['2.0.0'] },
    rules: [
      { name: 'errors-vs-stable', measure: 'two_proportion', weight: 2 },
      { name: 'latency-vs-stable', measure: 'mann_whitney', weight: 2 },
      { name: 'error-ceiling', measure: 'error_ratio', threshold: { max: 0.05 }, critical: true },
      { name: 'p99-vs-stable', measure: 'latency_p99', relative: { max_increase_ratio: 1.2 } },
      { name: 'flaps', measure: 'device_events', event: 'network.interface.down' },
      { name: 'no-chains', measure: 'chains' },
    ],
  },
  T0,
);

describe('evaluateRules', () => {
  it('sends each rule to its family, in the spec order', () => {
    expect(spec.rules.map(ruleFamilyOf)).toEqual(['two_proportion', 'mann_whitney', 'threshold', 'relative', 'device_events', 'chains']);
  });

  it('evaluates a healthy canary to PASS', () => {
    const baseline = evidence({ latencySamples: lognormalLatencies(400, 100, 0.4, 31), errors: 8 });
    const current = evidence({ latencySamples: lognormalLatencies(400, 100, 0.4, 32), errors: 9 });
    const results = evaluateRules(spec, current, baseline);
    expect(results.map((r) => [r.name, r.outcome])).toEqual([
      ['errors-vs-stable', 'pass'],
      ['latency-vs-stable', 'pass'],
      ['error-ceiling', 'pass'],
      ['p99-vs-stable', 'pass'],
      ['flaps', 'pass'],
      ['no-chains', 'pass'],
    ]);
    expect(decide(spec, results, { windowOpen: false, current, baseline, evaluation: 20, nowMs: T0 + 600_000 })).toMatchObject({ decision: 'PASS', score: 100 });
  });

  it('fails fast on an erroring canary through its critical ceiling', () => {
    const baseline = evidence({ latencySamples: lognormalLatencies(400, 100, 0.4, 31), errors: 8 });
    const current = evidence({ latencySamples: lognormalLatencies(400, 100, 0.4, 32), errors: 40, chains: [chain(1, 'network.interface.down', 40, T0)] });
    const results = evaluateRules(spec, current, baseline);
    const outcomes = Object.fromEntries(results.map((r) => [r.name, r.outcome]));
    expect(outcomes).toEqual({ 'errors-vs-stable': 'fail', 'latency-vs-stable': 'pass', 'error-ceiling': 'fail', 'p99-vs-stable': 'pass', flaps: 'pass', 'no-chains': 'fail' });
    const d = decide(spec, results, { windowOpen: true, current, baseline, evaluation: 4, nowMs: T0 + 120_000 });
    expect(d).toMatchObject({ decision: 'FAIL', final: true });
    expect(d.reason).toBe('Critical rule "error-ceiling" failed: error_ratio 0.1 is above the maximum 0.05.');
    expect(d.evidence.chains).toHaveLength(1);
  });
});
