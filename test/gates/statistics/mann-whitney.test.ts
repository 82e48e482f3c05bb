import { describe, expect, it } from 'vitest';
import { mannWhitneyU } from '../../../src/gates/statistics/mann-whitney.js';

/** A deterministic generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** U1 by definition: over all pairs, 1 when canary > baseline, 1/2 on a tie. */
function bruteForceU(canary: readonly number[], baseline: readonly number[]): number {
  let u = 0;
  for (const x of canary) for (const y of baseline) u += x > y ? 1 : x === y ? 0.5 : 0;
  return u;
}

describe('mannWhitneyU', () => {
  it('reproduces the Hollander & Wolfe permeability example', () => {
    // Hollander & Wolfe, Nonparametric Statistical Methods (1973), p. 69, also the example in R's
    // ?wilcox.test: W (= U of x) = 35. By hand: mean n1 n2/2 = 25, sigma^2 = 10*5*16/12 = 66.667 (no ties),
    // z = (35 - 25 - 0.5)/8.16497 = 1.16351; one-sided p = 1 - Phi(1.16351) = 0.12231, two-sided 0.24462.
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const r = mannWhitneyU(x, y);
    expect(r.u).toBe(35);
    expect(r.n1).toBe(10);
    expect(r.n2).toBe(5);
    expect(r.z).toBeCloseTo(9.5 / Math.sqrt(200 / 3), 12);
    expect(r.z).toBeCloseTo(1.16351, 5);
    expect(r.pValueGreater).toBeCloseTo(0.12231, 5);
    expect(r.pValue).toBeCloseTo(0.24462, 5);
    expect(r.commonLanguageEffect).toBe(0.7);
  });

  it('uses mid-ranks and the tie-corrected variance', () => {
    // By hand: canary {1,2,2,3}, baseline {2,3,4}. Ranks: 1->1; the three 2s -> 3; the two 3s -> 5.5; 4->7.
    // R1 = 1 + 3 + 3 + 5.5 = 12.5, U1 = 12.5 - 10 = 2.5. Tie groups t = 3 and 2: sum(t^3 - t) = 24 + 6 = 30.
    // sigma^2 = 4*3/12 * (8 - 30/(7*6)) = 7.285714; z = (2.5 - 6 + 0.5)/2.699206 = -1.111438; p = 0.26638.
    const r = mannWhitneyU([1, 2, 2, 3], [2, 3, 4]);
    expect(r.u).toBe(2.5);
    expect(r.z).toBeCloseTo(-3 / Math.sqrt(8 - 30 / 42), 12);
    expect(r.z).toBeCloseTo(-1.111438, 6);
    expect(r.pValue).toBeCloseTo(0.26638, 5);
    // P(U >= 2.5) is large: the canary is, if anything, faster.
    expect(r.pValueGreater).toBeGreaterThan(0.8);
  });

  it('finds no difference between identical samples', () => {
    const rnd = lcg(11);
    const sample = Array.from({ length: 200 }, () => Math.round(rnd() * 500));
    const r = mannWhitneyU(sample, [...sample].reverse());
    expect(r.u).toBe(200 * 200 / 2);
    expect(r.z).toBe(0);
    expect(r.pValue).toBe(1);
    expect(r.commonLanguageEffect).toBe(0.5);
  });

  it('treats samples that are all one value as no evidence', () => {
    const r = mannWhitneyU([5, 5, 5], [5, 5]);
    expect(r.u).toBe(3);
    expect(r.z).toBe(0);
    expect(r.pValue).toBe(1);
    expect(r.pValueGreater).toBe(1);
  });

  it('gives a tiny p-value for completely separated samples', () => {
    // Every canary above every baseline: U1 = n1 n2 = 2500. By hand: sigma = sqrt(2500*101/12) = 145.0575,
    // z = (2500 - 1250 - 0.5)/145.0575 = 8.6138, and 1 - Phi(8.6138) is about 3.5e-18.
    const rnd = lcg(3);
    const baseline = Array.from({ length: 50 }, () => 10 + rnd() * 10);
    const canary = baseline.map((v) => v + 100);
    const r = mannWhitneyU(canary, baseline);
    expect(r.u).toBe(2500);
    expect(r.commonLanguageEffect).toBe(1);
    expect(r.z).toBeCloseTo(1249.5 / Math.sqrt((2500 * 101) / 12), 12);
    expect(r.pValueGreater).toBeLessThan(1e-17);
    expect(r.pValueGreater).toBeGreaterThan(1e-19);
    expect(r.pValue).toBeCloseTo(2 * r.pValueGreater, 30);
    // The other direction: baseline slower than canary is not evidence of a slower canary.
    expect(mannWhitneyU(baseline, canary).pValueGreater).toBeCloseTo(1, 12);
  });

  it('detects a moderate shift and ignores noise', () => {
    const rnd = lcg(99);
    const base = Array.from({ length: 300 }, () => 50 + rnd() * 20);
    const slower = Array.from({ length: 300 }, () => 55 + rnd() * 20);
    const same = Array.from({ length: 300 }, () => 50 + rnd() * 20);
    expect(mannWhitneyU(slower, base).pValueGreater).toBeLessThan(1e-6);
    expect(mannWhitneyU(same, base).pValue).toBeGreaterThan(0.01);
  });

  it('satisfies U1 + U2 = n1 n2 and agrees with the pairwise definition, ties included', () => {
    const rnd = lcg(42);
    for (const [n1, n2] of [[1, 1], [1, 7], [13, 4], [60, 45], [200, 311]] as const) {
      const canary = Array.from({ length: n1 }, () => Math.round(rnd() * 20));
      const baseline = Array.from({ length: n2 }, () => Math.round(rnd() * 20));
      const forward = mannWhitneyU(canary, baseline);
      const backward = mannWhitneyU(baseline, canary);
      expect(forward.u + backward.u).toBe(n1 * n2);
      expect(forward.u).toBe(bruteForceU(canary, baseline));
      expect(forward.z).toBeCloseTo(-backward.z, 12);
      expect(forward.pValue).toBeCloseTo(backward.pValue, 12);
    }
  });

  it('does not modify its inputs', () => {
    const canary = [3, 1, 2];
    const baseline = [9, 0];
    mannWhitneyU(canary, baseline);
    expect(canary).toEqual([3, 1, 2]);
    expect(baseline).toEqual([9, 0]);
  });

  it('rejects empty and non-finite samples', () => {
    expect(() => mannWhitneyU([], [1])).toThrow(RangeError);
    expect(() => mannWhitneyU([1], [])).toThrow(RangeError);
    expect(() => mannWhitneyU([1, Number.NaN], [1])).toThrow(RangeError);
    expect(() => mannWhitneyU([1], [Number.POSITIVE_INFINITY])).toThrow(RangeError);
  });
});
