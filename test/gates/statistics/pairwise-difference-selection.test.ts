import { describe, expect, it } from 'vitest';
import { kthPairwiseDifference } from '../../../src/gates/statistics/pairwise-difference-selection.js';

/** A deterministic generator, so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function sorted(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** Every difference, sorted: the definition the selection must agree with. */
function allDifferences(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length * b.length);
  let n = 0;
  for (const x of a) for (const y of b) out[n++] = x - y;
  return out.sort();
}

describe('kthPairwiseDifference', () => {
  it('selects every rank of a small matrix by hand', () => {
    // {1, 4} - {0, 2}: 1, -1, 4, 2 -> -1, 1, 2, 4.
    const a = sorted([4, 1]);
    const b = sorted([2, 0]);
    expect([0, 1, 2, 3].map((k) => kthPairwiseDifference(a, b, k, 0))).toEqual([-1, 1, 2, 4]);
  });

  it('agrees with sorting all differences when forced through the pivoting rounds', () => {
    const rnd = lcg(1234);
    for (const [n1, n2, levels] of [[1, 50, 1000], [50, 1, 1000], [17, 23, 5], [40, 40, 1e9], [64, 9, 3]] as const) {
      // Coarse levels make many equal differences, which is where the < / <= bookkeeping matters.
      const a = sorted(Array.from({ length: n1 }, () => Math.floor(rnd() * levels)));
      const b = sorted(Array.from({ length: n2 }, () => Math.floor(rnd() * levels)));
      const expected = allDifferences(a, b);
      for (let k = 0; k < expected.length; k += Math.max(1, Math.floor(expected.length / 97))) {
        expect(kthPairwiseDifference(a, b, k, 0)).toBe(expected[k]);
        expect(kthPairwiseDifference(a, b, k, 7)).toBe(expected[k]);
      }
      expect(kthPairwiseDifference(a, b, expected.length - 1, 0)).toBe(expected[expected.length - 1]);
    }
  });

  it('is exact past a million pairs (1200 x 1000)', () => {
    const rnd = lcg(99);
    const a = sorted(Array.from({ length: 1200 }, () => Math.exp(rnd() * 5)));
    const b = sorted(Array.from({ length: 1000 }, () => Math.round(Math.exp(rnd() * 5))));
    const expected = allDifferences(a, b);
    for (const k of [0, 1, 599_999, 600_000, 1_199_999]) {
      expect(kthPairwiseDifference(a, b, k)).toBe(expected[k]);
    }
  });

  it('handles all-equal samples', () => {
    expect(kthPairwiseDifference(sorted([3, 3, 3]), sorted([1, 1]), 4, 0)).toBe(2);
  });

  it('rejects ranks outside the matrix', () => {
    const a = sorted([1, 2]);
    const b = sorted([1]);
    expect(() => kthPairwiseDifference(a, b, 2)).toThrow(RangeError);
    expect(() => kthPairwiseDifference(a, b, -1)).toThrow(RangeError);
    expect(() => kthPairwiseDifference(a, b, 0.5)).toThrow(RangeError);
  });
});
