import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { decide } from '../../src/gates/decide.js';
import { parseGateSpec } from '../../src/gates/gate-spec.js';
import type { RuleResult } from '../../src/gates/gate-types.js';
import { evaluateRules } from '../../src/gates/rules/evaluate-rule.js';
import { T0, evidence, lognormalLatencies } from './evidence-fixtures.js';

// The three worked examples of docs/gates.md, run against config/gates/checkout-canary.yaml, so the
// numbers in the documentation are the numbers the code gives.

const spec = parseGateSpec(parse(readFileSync(join(import.meta.dirname, '../../config/gates/checkout-canary.yaml'), 'utf8')), T0);
// The stable 2.0.0 over the same ten minutes: 1200 spans, 18 errors (1.5%), 600 latency samples kept.
const baseline = evidence({ spans: 1_200, errors: 18, latencySamples: lognormalLatencies(600, 120, 0.35, 41) });

function judge(current: ReturnType<typeof evidence>) {
  const results = evaluateRules(spec, current, baseline);
  const decision = decide(spec, results, { windowOpen: false, current, baseline, evaluation: 20, nowMs: T0 + 600_000 });
  const byName = Object.fromEntries(results.map((r) => [r.name, r])) as Record<string, RuleResult>;
  return { results, decision, byName };
}

const outcomes = (results: readonly RuleResult[]) => results.map((r) => `${r.name}:${r.outcome}`);

describe('docs/gates.md worked examples', () => {
  it('1: a raised error ratio fails the two-proportion rule and the gate', () => {
    const { results, decision, byName } = judge(evidence({ spans: 400, errors: 14, latencySamples: lognormalLatencies(400, 120, 0.35, 42) }));
    expect(outcomes(results)).toEqual([
      'errors-vs-stable:fail',
      'latency-vs-stable:pass',
      'error-ratio-ceiling:pass',
      'p99-vs-stable:pass',
      'p95-ceiling:pass',
      'no-failure-chains:pass',
    ]);
    const errors = byName['errors-vs-stable']!;
    expect(errors.statistic?.value).toBeCloseTo(2.474, 3);
    expect(errors.statistic?.pValue).toBeCloseTo(0.00667, 5);
    expect(errors.reason).toBe(
      'The canary fails more often: error ratio 0.035 (14/400) against 0.015 (18/1200) in the baseline, one-sided p = 0.0067 < 0.05, difference 0.02 > 0.01.',
    );
    expect(byName['latency-vs-stable']!.reason).toBe('No significant latency increase (one-sided p = 0.35, needs < 0.02); shift +1.046 ms (0.9016% of the baseline median 116 ms).');
    expect(byName['p99-vs-stable']!.reason).toBe('latency_p99 258.5 ms against a baseline of 253.4 ms is within the allowed 304 ms.');
    expect(decision).toMatchObject({ decision: 'FAIL', score: 70, final: true });
  });

  it('2: a 1.5x latency regression fails Mann-Whitney (and the relative p99) and the gate', () => {
    const slower = lognormalLatencies(400, 120, 0.35, 43).map((v) => Math.round(v * 1.5 * 1000) / 1000);
    const { results, decision, byName } = judge(evidence({ spans: 400, errors: 6, latencySamples: slower }));
    expect(outcomes(results)).toEqual([
      'errors-vs-stable:pass',
      'latency-vs-stable:fail',
      'error-ratio-ceiling:pass',
      'p99-vs-stable:fail',
      'p95-ceiling:pass',
      'no-failure-chains:pass',
    ]);
    const latency = byName['latency-vs-stable']!;
    expect(latency.statistic?.value).toBe(196_945.5);
    expect(latency.reason).toBe(
      'The canary is slower (Mann-Whitney one-sided p = 1.4e-66 < 0.02) by a Hodges-Lehmann shift of +66.45 ms (57.28% of the baseline median 116 ms), above the 25% floor.',
    );
    expect(byName['p99-vs-stable']!.reason).toBe('latency_p99 407.1 ms against a baseline of 253.4 ms is above the allowed 304 ms.');
    expect(byName['errors-vs-stable']!.statistic?.pValue).toBe(0.5);
    expect(decision).toMatchObject({ decision: 'FAIL', score: 60 });
  });

  it('3: a noisy 60-span canary that looks worse on every number passes', () => {
    const { results, decision, byName } = judge(evidence({ spans: 60, errors: 2, latencySamples: lognormalLatencies(60, 120, 0.35, 44) }));
    expect(results.every((r) => r.outcome === 'pass')).toBe(true);
    expect(byName['errors-vs-stable']!.reason).toBe(
      "The canary's error ratio 0.03333 (2/60) against 0.015 (18/1200) in the baseline is not significantly higher (one-sided p = 0.13, needs < 0.05).",
    );
    expect(byName['latency-vs-stable']!.reason).toBe('No significant latency increase (one-sided p = 0.029, needs < 0.02); shift +10.93 ms (9.425% of the baseline median 116 ms).');
    expect(byName['latency-vs-stable']!.observed).toBeCloseTo(131.861, 3);
    expect(byName['p99-vs-stable']!.reason).toBe('latency_p99 296 ms against a baseline of 253.4 ms is within the allowed 304 ms.');
    expect(decision).toMatchObject({ decision: 'PASS', score: 100, reason: 'Score 100 >= pass 90.' });
  });
});
