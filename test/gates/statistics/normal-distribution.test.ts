import { describe, expect, it } from 'vitest';
import { normalCdf, normalDensity, normalQuantile } from '../../../src/gates/statistics/normal-distribution.js';

// Reference values: Abramowitz & Stegun, Handbook of Mathematical Functions (1964), Table 26.1
// (P(x) to 15 decimals), 26.2 (Q(x) for large x) and the percentage points of Table 26.5.

function expectRelative(actual: number, expected: number, tolerance: number): void {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(tolerance);
}

describe('normalCdf', () => {
  it('is exactly one half at zero', () => {
    expect(normalCdf(0)).toBe(0.5);
  });

  it('matches the tabulated P(1.96) and its mirror', () => {
    // A&S Table 26.1: P(1.96) = 0.975002104851780.
    expect(normalCdf(1.96)).toBeCloseTo(0.97500210485178, 14);
    expect(normalCdf(-1.96)).toBeCloseTo(0.02499789514822, 14);
  });

  it('gives 0.99 and 0.01 at the 1% point 2.326347874040841', () => {
    // A&S Table 26.5: Q(x) = 0.01 at x = 2.32634 78740 40841.
    expect(normalCdf(2.326347874040841)).toBeCloseTo(0.99, 14);
    expectRelative(normalCdf(-2.326347874040841), 0.01, 1e-13);
  });

  it('keeps relative precision deep in the lower tail', () => {
    // A&S 26.2: Q(5) = 2.866515718791939e-7, Q(10) = 7.619853024160527e-24;
    // Q(6.361340902404056) = 1e-10 (the 1e-10 point of Table 26.5).
    expectRelative(normalCdf(-5), 2.866515718791939e-7, 1e-12);
    expectRelative(normalCdf(-10), 7.619853024160527e-24, 1e-12);
    expectRelative(normalCdf(-6.361340902404056), 1e-10, 1e-12);
    expectRelative(normalCdf(-3), 0.0013498980316301, 1e-12);
  });

  it('is continuous where the series hands over to the continued fraction (|z| = 3)', () => {
    const below = normalCdf(-3 + 1e-12);
    const at = normalCdf(-3);
    expect(Math.abs(below - at)).toBeLessThan(1e-14);
    expect(normalCdf(3) + normalCdf(-3)).toBeCloseTo(1, 15);
  });

  it('saturates at 0 and 1 and passes NaN through', () => {
    expect(normalCdf(-50)).toBe(0);
    expect(normalCdf(50)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });

  it('is symmetric: Phi(z) + Phi(-z) = 1', () => {
    for (let z = 0; z <= 8; z += 0.37) expect(normalCdf(z) + normalCdf(-z)).toBeCloseTo(1, 14);
  });
});

describe('normalDensity', () => {
  it('peaks at 1/sqrt(2 pi)', () => {
    expect(normalDensity(0)).toBeCloseTo(0.3989422804014327, 15);
    expect(normalDensity(1)).toBeCloseTo(0.24197072451914337, 15); // A&S Table 26.1, Z(1)
  });
});

describe('normalQuantile', () => {
  it('returns the tabulated percentage points', () => {
    // A&S Table 26.5: 2.5% point 1.95996 39845 40054, 1% point 2.32634 78740 40841.
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 13);
    expect(normalQuantile(0.99)).toBeCloseTo(2.326347874040841, 13);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874040841, 13);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('reaches the 1e-10 tails', () => {
    // A&S Table 26.5: Q(x) = 1e-10 at x = 6.36134 09024 04056.
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    expect(normalQuantile(1 - 1e-10)).toBeCloseTo(6.361340902404056, 5); // 1 - 1e-10 itself is rounded at 1e-16
  });

  it('maps 0 and 1 to the infinities and rejects probabilities out of range', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(() => normalQuantile(-0.1)).toThrow(RangeError);
    expect(() => normalQuantile(1.1)).toThrow(RangeError);
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
  });

  it('inverts normalCdf across the range (round trips)', () => {
    // Above z = 5, Phi(z) = 1 - Q(z) keeps only the few digits of Q that fit below 1 in a double, so the
    // round trip is ill-conditioned there; the lower tail is where precision exists and is checked.
    for (let z = -8; z <= 5; z += 0.125) {
      expect(normalQuantile(normalCdf(z))).toBeCloseTo(z, 9);
    }
    for (let e = -300; e <= -1; e += 7) {
      const p = 10 ** e;
      expectRelative(normalCdf(normalQuantile(p)), p, 1e-9);
    }
    for (const p of [0.001, 0.05, 0.1, 0.3, 0.49, 0.51, 0.7, 0.9, 0.95, 0.999]) {
      expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 14);
    }
  });
});
