import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../../src/gates/statistics/normal-distribution.js';
import { twoProportionTest } from '../../../src/gates/statistics/two-proportion.js';

describe('twoProportionTest', () => {
  it('reproduces the cigarette-tax poll example', () => {
    // Penn State STAT 414/415 "Comparing two proportions" (Time magazine poll): 351 of 605 non-smokers
    // and 41 of 195 smokers favour the tax; the lesson reports Z = 8.99 and P < 0.0001.
    // By hand: p1 = 0.580165, p2 = 0.210256, pooled = 392/800 = 0.49,
    // SE = sqrt(0.49 * 0.51 * (1/605 + 1/195)) = 0.0411655, z = 0.369909/0.0411655 = 8.9859.
    const r = twoProportionTest(351, 605, 41, 195);
    expect(r.p1).toBeCloseTo(0.580165, 6);
    expect(r.p2).toBeCloseTo(0.210256, 6);
    expect(r.pooled).toBe(0.49);
    expect(r.difference).toBeCloseTo(0.369909, 6);
    expect(r.z).toBeCloseTo(8.9859, 4);
    expect(r.pValue).toBeLessThan(0.0001);
    expect(r.pValueGreater).toBeLessThan(1e-18);
  });

  it('matches a hand computation with moderate evidence', () => {
    // 10 of 100 canary failures vs 5 of 100: pooled 0.075, SE = sqrt(0.075 * 0.925 * 0.02) = 0.0372492,
    // z = 0.05/0.0372492 = 1.342312; one-sided p = 1 - Phi(1.3423) = 0.08975 (normal table: Phi(1.34) = 0.9099).
    const r = twoProportionTest(10, 100, 5, 100);
    expect(r.pooled).toBe(0.075);
    expect(r.z).toBeCloseTo(0.05 / Math.sqrt(0.075 * 0.925 * 0.02), 12);
    expect(r.z).toBeCloseTo(1.342312, 6);
    expect(r.pValueGreater).toBeCloseTo(0.08975, 4);
    expect(r.pValue).toBeCloseTo(2 * r.pValueGreater, 15);
    expect(r.pValueGreater).toBe(normalCdf(-r.z));
  });

  it('gives z = 0 for equal proportions', () => {
    const r = twoProportionTest(3, 60, 5, 100);
    expect(r.difference).toBe(0);
    expect(r.z).toBe(0);
    expect(r.pValue).toBe(1);
    expect(r.pValueGreater).toBe(0.5);
  });

  it('treats zero failures on both sides, or all failures, as no evidence', () => {
    for (const r of [twoProportionTest(0, 50, 0, 80), twoProportionTest(50, 50, 80, 80)]) {
      expect(r.z).toBe(0);
      expect(r.pValue).toBe(1);
      expect(Number.isNaN(r.pValueGreater)).toBe(false);
    }
  });

  it('handles a zero count on one side', () => {
    // 4 of 200 canary failures, none of 200 baseline: pooled 0.01, SE = sqrt(0.01 * 0.99 * 0.01) = 0.00994987,
    // z = 0.02/0.00994987 = 2.010076.
    const r = twoProportionTest(4, 200, 0, 200);
    expect(r.p2).toBe(0);
    expect(r.z).toBeCloseTo(2.010076, 6);
    expect(r.pValueGreater).toBeLessThan(0.025);
    expect(twoProportionTest(0, 200, 4, 200).z).toBeCloseTo(-2.010076, 6);
  });

  it('rejects impossible counts and totals', () => {
    expect(() => twoProportionTest(0, 0, 1, 10)).toThrow(RangeError);
    expect(() => twoProportionTest(1, 10, 0, -5)).toThrow(RangeError);
    expect(() => twoProportionTest(11, 10, 0, 10)).toThrow(RangeError);
    expect(() => twoProportionTest(-1, 10, 0, 10)).toThrow(RangeError);
    expect(() => twoProportionTest(Number.NaN, 10, 0, 10)).toThrow(RangeError);
  });
});
