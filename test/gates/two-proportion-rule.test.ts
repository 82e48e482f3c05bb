import { describe, expect, it } from 'vitest';
import { twoProportionRuleSchema } from '../../src/gates/gate-spec.js';
import { evaluateTwoProportion } from '../../src/gates/rules/two-proportion.js';
import { bernoulliErrors, evidence } from './evidence-fixtures.js';

const rule = twoProportionRuleSchema.parse({ name: 'errors-vs-stable', measure: 'two_proportion' });

describe('two_proportion rule', () => {
  it('defaults to 95% confidence and a 0.01 minimum difference', () => {
    expect(rule).toMatchObject({ confidence: 0.95, min_difference: 0.01, critical: false, weight: 1 });
  });

  it('fails a 10% -> 20% error canary with 500 samples per side', () => {
    const baselineErrors = bernoulliErrors(500, 0.1, 1);
    const canaryErrors = bernoulliErrors(500, 0.2, 2);
    expect([canaryErrors, baselineErrors]).toEqual([110, 59]);
    const result = evaluateTwoProportion(rule, evidence({ spans: 500, errors: canaryErrors }), evidence({ spans: 500, errors: baselineErrors }), { minSamples: 50 });
    expect(result.outcome).toBe('fail');
    expect(result.observed).toBeCloseTo(0.22, 12);
    expect(result.baseline).toBeCloseTo(0.118, 12);
    expect(result.statistic?.name).toBe('two_proportion_z');
    expect(result.statistic?.value).toBeCloseTo(4.3035, 3);
    expect(result.statistic?.pValue).toBeLessThan(1e-5);
    expect(result.statistic?.effectSize).toBeCloseTo(0.102, 12);
    expect(result.samples).toEqual({ current: 500, baseline: 500 });
    expect(result.reason).toMatch(/^The canary fails more often: error ratio 0.22 \(110\/500\) against 0.118 \(59\/500\)/);
  });

  it('does not fail the same 10% -> 20% rates drawn on 30 samples per side: the test is not significant', () => {
    const baselineErrors = bernoulliErrors(30, 0.1, 5);
    const canaryErrors = bernoulliErrors(30, 0.2, 6);
    expect([canaryErrors, baselineErrors]).toEqual([6, 4]);
    const result = evaluateTwoProportion(rule, evidence({ spans: 30, errors: canaryErrors }), evidence({ spans: 30, errors: baselineErrors }), { minSamples: 30 });
    expect(result.outcome).toBe('pass');
    expect(result.statistic?.pValue).toBeCloseTo(0.2442, 3);
    expect(result.reason).toContain('not significantly higher (one-sided p = 0.24, needs < 0.05)');
  });

  it('gives nodata on 30 samples per side under the default min_samples of 50', () => {
    const result = evaluateTwoProportion(rule, evidence({ spans: 30, errors: 6 }), evidence({ spans: 30, errors: 1 }), { minSamples: 50 });
    expect(result.outcome).toBe('nodata');
    expect(result.reason).toBe('30 canary and 30 baseline spans; each side needs min_samples 50 to compare error ratios.');
  });

  it('passes a significant but tiny increase below min_difference', () => {
    // 0.8% vs 0.2% over 100k spans each: z ~ 18.9, but only +0.006.
    const result = evaluateTwoProportion(rule, evidence({ spans: 100_000, errors: 800 }), evidence({ spans: 100_000, errors: 200 }), { minSamples: 50 });
    expect(result.outcome).toBe('pass');
    expect(result.statistic?.pValue).toBeLessThan(1e-10);
    expect(result.statistic?.effectSize).toBeCloseTo(0.006, 12);
    expect(result.reason).toContain('significantly higher');
    expect(result.reason).toContain('the difference 0.006 is within 0.01');
  });

  it('never fails a canary with fewer errors than the baseline', () => {
    const result = evaluateTwoProportion(rule, evidence({ spans: 500, errors: 5 }), evidence({ spans: 500, errors: 100 }), { minSamples: 50 });
    expect(result.outcome).toBe('pass');
    expect(result.statistic?.pValue).toBeGreaterThan(0.99);
  });

  it('gives nodata without a baseline', () => {
    expect(evaluateTwoProportion(rule, evidence({ spans: 500, errors: 100 }), undefined, { minSamples: 50 }).outcome).toBe('nodata');
  });
});
