import { describe, expect, it } from 'vitest';
import { hodgesLehmannShift } from '../../../src/gates/statistics/hodges-lehmann.js';

/** A deterministic generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32; // never 0, so log() below stays finite
  };
}

/** Standard normal draws by the Box-Muller transform. */
function gaussian(rnd: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
}

describe('hodgesLehmannShift', () => {
  it('is the median of the pairwise differences on small samples (by hand)', () => {
    // {1,2,3} - {0}: differences 1, 2, 3; median 2.
    expect(hodgesLehmannShift([1, 2, 3], [0])).toBe(2);
    // {2,4} - {1,3}: differences 1, -1, 3, 1 -> sorted -1, 1, 1, 3; median (1 + 1)/2 = 1.
    expect(hodgesLehmannShift([2, 4], [1, 3])).toBe(1);
    // {10, 20, 30} - {1, 2}: 9, 8, 19, 18, 29, 28 -> 8, 9, 18, 19, 28, 29; median (18 + 19)/2 = 18.5.
    expect(hodgesLehmannShift([30, 10, 20], [2, 1])).toBe(18.5);
    // One value each: the difference itself.
    expect(hodgesLehmannShift([7], [2.5])).toBe(4.5);
  });

  it('matches the permeability example of Hollander & Wolfe', () => {
    // Hollander & Wolfe (1973) p. 69, R's ?wilcox.test example with conf.int = TRUE: "difference in
    // location 0.305". Listing the 50 differences, the 25th and 26th smallest are 1.45 - 1.15 = 0.30 and
    // 1.46 - 1.15 = 0.31, so the estimate is their mean 0.305.
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    expect(hodgesLehmannShift(x, y)).toBeCloseTo(0.305, 12);
  });

  it('is antisymmetric and equivariant under a common shift', () => {
    const rnd = lcg(5);
    const a = Array.from({ length: 41 }, () => rnd() * 100);
    const b = Array.from({ length: 30 }, () => rnd() * 100);
    expect(hodgesLehmannShift(a, b)).toBeCloseTo(-hodgesLehmannShift(b, a), 12);
    expect(hodgesLehmannShift(a.map((v) => v + 7), b)).toBeCloseTo(hodgesLehmannShift(a, b) + 7, 10);
  });

  it('recovers ln(1.3) exactly on the log scale when canary = baseline * 1.3 (large samples, no materialising)', () => {
    // 1500 x 1500 = 2.25e6 pairs, past the 1e6 point. The differences ln(1.3) + l_i - l_j are symmetric
    // about ln(1.3) (l_i - l_j = -(l_j - l_i), the diagonal is 0), so their median is ln(1.3) itself.
    const normal = gaussian(lcg(2024));
    const baseline = Array.from({ length: 1500 }, () => Math.exp(3 + 0.6 * normal()));
    const canary = baseline.map((v) => v * 1.3);
    expect(hodgesLehmannShift(canary.map(Math.log), baseline.map(Math.log))).toBeCloseTo(Math.log(1.3), 12);
  });

  it('estimates a known shift between independent large samples within sampling error', () => {
    // Baseline ~ lognormal(mu = 3, sigma = 0.5), canary an independent draw * 1.3: on the log scale the
    // true shift is ln(1.3) = 0.262364. The estimator's standard error there is about
    // sqrt((1/n1 + 1/n2) / (12 f^2)) with f = 1/(2 sqrt(pi) sigma) = 0.5642, i.e. 0.0102 for 5000 each;
    // 0.04 is about four standard errors. 5000 x 5000 = 2.5e7 pairs.
    const normal = gaussian(lcg(77));
    const baseline = Array.from({ length: 5000 }, () => Math.exp(3 + 0.5 * normal()));
    const canary = Array.from({ length: 5000 }, () => 1.3 * Math.exp(3 + 0.5 * normal()));
    const logShift = hodgesLehmannShift(canary.map(Math.log), baseline.map(Math.log));
    expect(Math.abs(logShift - Math.log(1.3))).toBeLessThan(0.04);
    // On the raw scale the population value is the m with P(1.3 X - Y <= m) = 1/2 for X, Y iid
    // lognormal(3, 0.5): one-dimensional quadrature over X gives m = 5.6744 (0.2825 times the baseline
    // median e^3, less than 0.3 because the differences are right-skewed). The standard error of the
    // estimate at 5000 per side is about 0.26 (simulated); 1.1 is about four of them.
    expect(Math.abs(hodgesLehmannShift(canary, baseline) - 5.6744)).toBeLessThan(1.1);
  });

  it('estimates an additive shift of 10 on large samples', () => {
    const normal = gaussian(lcg(8));
    const baseline = Array.from({ length: 3000 }, () => 100 + 15 * normal());
    const canary = Array.from({ length: 2000 }, () => 110 + 15 * normal());
    // Standard error about 15 * sqrt(pi/3) * sqrt(1/3000 + 1/2000) = 0.44; 2.0 is over four of them.
    expect(Math.abs(hodgesLehmannShift(canary, baseline) - 10)).toBeLessThan(2);
  });

  it('rejects empty and non-finite samples', () => {
    expect(() => hodgesLehmannShift([], [1])).toThrow(RangeError);
    expect(() => hodgesLehmannShift([1], [])).toThrow(RangeError);
    expect(() => hodgesLehmannShift([Number.NaN], [1])).toThrow(RangeError);
  });
});
