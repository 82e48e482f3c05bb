import { describe, expect, it } from 'vitest';
import { mannWhitneyRuleSchema } from '../../src/gates/gate-spec.js';
import { evaluateMannWhitney } from '../../src/gates/rules/mann-whitney.js';
import { evidence, lognormalLatencies } from './evidence-fixtures.js';

const rule = mannWhitneyRuleSchema.parse({ name: 'latency-vs-stable', measure: 'mann_whitney' });
const ctx = { minSamples: 50 };
const scaled = (values: readonly number[], factor: number) => values.map((v) => v * factor);

describe('mann_whitney rule', () => {
  it("defaults to Kayenta's 98% confidence and a 0.25 effect-size floor", () => {
    expect(rule).toMatchObject({ confidence: 0.98, effect_size_floor: 0.25 });
  });

  it('fails a canary 1.5x slower than the baseline', () => {
    const baseline = lognormalLatencies(500, 100, 0.5, 11);
    const canary = scaled(lognormalLatencies(500, 100, 0.5, 12), 1.5);
    const result = evaluateMannWhitney(rule, evidence({ latencySamples: canary }), evidence({ latencySamples: baseline }), ctx);
    expect(result.outcome).toBe('fail');
    expect(result.samples).toEqual({ current: 500, baseline: 500 });
    expect(result.baseline).toBeCloseTo(99.648, 3);
    expect(result.observed).toBeCloseTo(146.977, 3);
    expect(result.statistic?.name).toBe('mann_whitney_u');
    expect(result.statistic?.value).toBe(178_860);
    expect(result.statistic?.pValue).toBeLessThan(1e-30);
    expect(result.statistic?.effectSize).toBeCloseTo(0.4447, 3);
    expect(result.reason).toBe(
      'The canary is slower (Mann-Whitney one-sided p = 2.1e-32 < 0.02) by a Hodges-Lehmann shift of +44.31 ms (44.47% of the baseline median 99.65 ms), above the 25% floor.',
    );
  });

  it('passes a canary 1.05x slower: significant on tight samples, but under the effect floor', () => {
    const baseline = lognormalLatencies(500, 100, 0.2, 11);
    const canary = scaled(lognormalLatencies(500, 100, 0.2, 12), 1.05);
    const result = evaluateMannWhitney(rule, evidence({ latencySamples: canary }), evidence({ latencySamples: baseline }), ctx);
    expect(result.outcome).toBe('pass');
    expect(result.statistic?.pValue).toBeLessThan(0.02);
    expect(result.statistic?.effectSize).toBeGreaterThan(0);
    expect(result.statistic?.effectSize).toBeLessThan(0.1);
    expect(result.reason).toMatch(/^The canary is slower \(one-sided p = .*\) but only by \+.* ms .*within the 25% floor\.$/);
  });

  it('passes the 1.05x canary on wide samples, where the shift is not even significant', () => {
    const baseline = lognormalLatencies(500, 100, 0.5, 11);
    const canary = scaled(lognormalLatencies(500, 100, 0.5, 12), 1.05);
    const result = evaluateMannWhitney(rule, evidence({ latencySamples: canary }), evidence({ latencySamples: baseline }), ctx);
    expect(result.outcome).toBe('pass');
    expect(result.statistic?.pValue).toBeCloseTo(0.168, 2);
    expect(result.reason).toMatch(/^No significant latency increase \(one-sided p = 0.17, needs < 0.02\)/);
  });

  it('never fails a faster canary', () => {
    const baseline = lognormalLatencies(500, 100, 0.5, 11);
    const canary = scaled(lognormalLatencies(500, 100, 0.5, 12), 0.5);
    const result = evaluateMannWhitney(rule, evidence({ latencySamples: canary }), evidence({ latencySamples: baseline }), ctx);
    expect(result.outcome).toBe('pass');
    expect(result.statistic?.effectSize).toBeLessThan(-0.4);
  });

  it('gives nodata below min_samples on either side', () => {
    const many = lognormalLatencies(200, 100, 0.5, 1);
    const few = lognormalLatencies(49, 300, 0.5, 2);
    const thinCanary = evaluateMannWhitney(rule, evidence({ latencySamples: few }), evidence({ latencySamples: many }), ctx);
    expect(thinCanary).toMatchObject({ outcome: 'nodata', samples: { current: 49, baseline: 200 } });
    expect(thinCanary.reason).toBe('49 canary and 200 baseline latency samples; each side needs min_samples 50 for a rank test.');
    expect(evaluateMannWhitney(rule, evidence({ latencySamples: many }), evidence({ latencySamples: few }), ctx).outcome).toBe('nodata');
    expect(evaluateMannWhitney(rule, evidence({ latencySamples: many }), undefined, ctx).outcome).toBe('nodata');
  });

  it('honours a stricter confidence and a lower floor', () => {
    const strict = mannWhitneyRuleSchema.parse({ name: 'l', measure: 'mann_whitney', confidence: 0.999, effect_size_floor: 0.1 });
    const baseline = lognormalLatencies(500, 100, 0.5, 11);
    const canary = scaled(lognormalLatencies(500, 100, 0.5, 12), 1.2);
    const result = evaluateMannWhitney(strict, evidence({ latencySamples: canary }), evidence({ latencySamples: baseline }), ctx);
    // p ~ 9e-8 < 0.001 and the shift ~ 16.7% > 10%: fails here, though it passes the default 25% floor.
    expect(result.outcome).toBe('fail');
    expect(evaluateMannWhitney(rule, evidence({ latencySamples: canary }), evidence({ latencySamples: baseline }), ctx).outcome).toBe('pass');
  });
});
