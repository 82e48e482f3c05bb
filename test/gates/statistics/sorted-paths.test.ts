import { describe, expect, it } from 'vitest';
import { hodgesLehmannShift, hodgesLehmannShiftSorted } from '../../../src/gates/statistics/hodges-lehmann.js';
import { mannWhitneyU, mannWhitneyUSorted } from '../../../src/gates/statistics/mann-whitney.js';
import { kthPairwiseDifference, largestPairwiseDifferenceBelow, selectInPlace } from '../../../src/gates/statistics/pairwise-difference-selection.js';
import { compareSamples } from '../../../src/gates/statistics/sample-comparison.js';
import { sortedFiniteCopy, sortedMedian, trySortedFiniteCopy } from '../../../src/gates/statistics/sorted-sample.js';
import { allDifferences, ascending, lcg, referenceMannWhitney, referenceMedian, referenceShift, sample } from './reference-statistics.js';

// The sorted-sample paths (one sort shared by the median, the ranks and the shift; selection in
// place; results remembered per pair of arrays) checked against straightforward reference
// implementations (reference-statistics.ts): sort with a comparator, rank by the textbook, list every difference.

describe('sortedFiniteCopy and trySortedFiniteCopy', () => {
  it('give the ascending copy whether or not the input is already sorted, and leave the input alone', () => {
    const rnd = lcg(3);
    for (let t = 0; t < 50; t++) {
      const values = sample(rnd, 1 + Math.floor(rnd() * 300), t % 4);
      const input = t % 2 === 0 ? values : ascending(values);
      const before = [...input];
      const expected = Float64Array.from(input).sort();
      expect(sortedFiniteCopy(input, 'x')).toEqual(expected);
      expect(trySortedFiniteCopy(input)).toEqual(expected);
      expect(input).toEqual(before);
    }
  });

  it('orders -0 before 0 as a typed-array sort does, even when the input looks ascending', () => {
    const copy = sortedFiniteCopy([0, -0, 1], 'x');
    expect(Object.is(copy[0], -0)).toBe(true);
    expect(Object.is(copy[1], 0)).toBe(true);
  });

  it('write into a reused buffer when given one, growing it as needed', () => {
    const buffer = { buffer: new Float64Array(2) };
    const a = trySortedFiniteCopy([3, 1, 2, 5, 4], buffer)!;
    expect(Array.from(a)).toEqual([1, 2, 3, 4, 5]);
    expect(buffer.buffer.length).toBeGreaterThanOrEqual(5);
    const grown = buffer.buffer;
    const b = trySortedFiniteCopy([9, 8], buffer)!;
    expect(Array.from(b)).toEqual([8, 9]);
    expect(buffer.buffer).toBe(grown);
  });

  it('refuse empty and non-finite samples the same way', () => {
    expect(() => sortedFiniteCopy([], 'canary')).toThrow('canary sample is empty');
    expect(() => sortedFiniteCopy([1, 2, Number.NaN, Infinity], 'baseline')).toThrow('baseline sample holds a non-finite value at index 2: NaN');
    expect(trySortedFiniteCopy([])).toBeUndefined();
    expect(trySortedFiniteCopy([1, -Infinity])).toBeUndefined();
    expect(trySortedFiniteCopy([1, Number.NaN], { buffer: new Float64Array(4) })).toBeUndefined();
  });

  it('sortedMedian is the median of the sample', () => {
    const rnd = lcg(5);
    for (let t = 0; t < 30; t++) {
      const values = sample(rnd, 1 + Math.floor(rnd() * 100), t % 3);
      expect(sortedMedian(sortedFiniteCopy(values, 'x'))).toBe(referenceMedian(values));
    }
  });
});

describe('selectInPlace', () => {
  it('finds every rank of random and heavily tied data, leaving smaller values to the left', () => {
    const rnd = lcg(11);
    for (const [n, levels] of [[1, 10], [15, 3], [16, 1000], [17, 2], [100, 1e9], [1000, 5], [2500, 1e9]] as const) {
      const values = Float64Array.from({ length: n }, () => Math.floor(rnd() * levels) - levels / 2);
      const sorted = values.slice().sort();
      for (let rank = 0; rank < n; rank += Math.max(1, Math.floor(n / 37))) {
        const work = values.slice();
        expect(selectInPlace(work, 0, n - 1, rank)).toBe(sorted[rank]);
        let partitioned = true;
        for (let i = 0; i < n; i++) if (i < rank ? work[i]! > work[rank]! : i > rank && work[i]! < work[rank]!) partitioned = false;
        expect(partitioned).toBe(true);
        expect(work.slice().sort()).toEqual(sorted);
      }
    }
  });

  it('selects within a sub-range, counting the rank from its left end', () => {
    const values = Float64Array.from([9, 9, 5, 3, 8, 1, 7, 9, 9]);
    expect(selectInPlace(values, 2, 6, 0)).toBe(1);
    expect(selectInPlace(values, 2, 6, 4)).toBe(8);
    expect(Array.from(values.subarray(0, 2))).toEqual([9, 9]);
    expect(Array.from(values.subarray(7))).toEqual([9, 9]);
  });
});

describe('pairwise differences', () => {
  it('kthPairwiseDifference agrees with listing every difference on ties, spread and lopsided sizes', () => {
    const rnd = lcg(17);
    for (const [n1, n2, kind] of [[300, 280, 0], [257, 311, 1], [400, 400, 2], [1, 900, 0], [900, 2, 1], [120, 130, 3]] as const) {
      const a = Float64Array.from(sample(rnd, n1, kind)).sort();
      const b = Float64Array.from(sample(rnd, n2, kind, 1.1)).sort();
      const expected = allDifferences(Array.from(a), Array.from(b));
      for (const k of [0, 1, Math.floor(expected.length / 3), (expected.length >> 1) - 1, expected.length >> 1, expected.length - 2, expected.length - 1]) {
        if (k < 0 || k >= expected.length) continue;
        expect(kthPairwiseDifference(a, b, k)).toBe(expected[k]);
        expect(kthPairwiseDifference(a, b, k, 0)).toBe(expected[k]);
      }
    }
  });

  it('largestPairwiseDifferenceBelow finds the largest difference under a value and counts those under it', () => {
    const rnd = lcg(19);
    for (let t = 0; t < 20; t++) {
      const a = Float64Array.from(sample(rnd, 1 + Math.floor(rnd() * 60), t % 3)).sort();
      const b = Float64Array.from(sample(rnd, 1 + Math.floor(rnd() * 60), t % 3)).sort();
      const all = allDifferences(Array.from(a), Array.from(b));
      for (const value of [all[0]!, all[all.length >> 1]!, all[all.length - 1]!, all[all.length - 1]! + 1, 0]) {
        const below = Array.from(all).filter((d) => d < value);
        expect(largestPairwiseDifferenceBelow(a, b, value)).toEqual({ value: below.length > 0 ? below[below.length - 1] : Number.NEGATIVE_INFINITY, count: below.length });
      }
    }
  });
});

describe('the sorted-sample statistics against references', () => {
  it('hodgesLehmannShift and hodgesLehmannShiftSorted are exactly the median of all differences', () => {
    const rnd = lcg(23);
    for (let t = 0; t < 40; t++) {
      const canary = sample(rnd, 1 + Math.floor(rnd() * 250), t % 4, 1.2);
      const baseline = sample(rnd, 1 + Math.floor(rnd() * 250), t % 4);
      const expected = referenceShift(canary, baseline);
      expect(hodgesLehmannShift(canary, baseline)).toBe(expected);
      expect(hodgesLehmannShiftSorted(sortedFiniteCopy(canary, 'c'), sortedFiniteCopy(baseline, 'b'))).toBe(expected);
    }
  });

  it('is exact at the window sample size, where the selection takes several rounds (1024 x 1024)', () => {
    const rnd = lcg(29);
    for (const kind of [0, 1]) {
      const canary = sample(rnd, 1024, kind, 1.1);
      const baseline = sample(rnd, 1024, kind);
      expect(hodgesLehmannShift(canary, baseline)).toBe(referenceShift(canary, baseline));
    }
  });

  it('mannWhitneyU and mannWhitneyUSorted equal the textbook computation', () => {
    const rnd = lcg(31);
    for (let t = 0; t < 60; t++) {
      const canary = sample(rnd, 1 + Math.floor(rnd() * 300), t % 4, 1.1);
      const baseline = sample(rnd, 1 + Math.floor(rnd() * 300), t % 4);
      const expected = referenceMannWhitney(canary, baseline);
      const direct = mannWhitneyU(canary, baseline);
      expect(direct.u).toBe(expected.u);
      expect(direct.z).toBeCloseTo(expected.z, 12);
      expect(direct.pValueGreater).toBeCloseTo(expected.pValueGreater, 12);
      expect(direct.pValue).toBeCloseTo(expected.pValue, 12);
      expect(mannWhitneyUSorted(sortedFiniteCopy(canary, 'c'), sortedFiniteCopy(baseline, 'b'))).toEqual(direct);
    }
  });
});

describe('compareSamples', () => {
  it('gives what computing directly gives, and the same result again for the same arrays', () => {
    const rnd = lcg(37);
    const canary = ascending(sample(rnd, 400, 0, 1.2));
    const baseline = ascending(sample(rnd, 380, 0));
    const first = compareSamples(canary, baseline, sortedFiniteCopy(canary, 'c'), sortedFiniteCopy(baseline, 'b'));
    expect(first.test).toEqual(mannWhitneyU(canary, baseline));
    expect(first.shift).toBe(hodgesLehmannShift(canary, baseline));
    expect(compareSamples(canary, baseline, sortedFiniteCopy(canary, 'c'), sortedFiniteCopy(baseline, 'b'))).toBe(first);
    // The other way round is another pair.
    expect(compareSamples(baseline, canary, sortedFiniteCopy(baseline, 'b'), sortedFiniteCopy(canary, 'c')).shift).toBe(hodgesLehmannShift(baseline, canary));
  });

  it('computes again when an array it saw was changed in place', () => {
    const rnd = lcg(41);
    const canary = sample(rnd, 200, 1, 1.3);
    const baseline = sample(rnd, 200, 1);
    const first = compareSamples(canary, baseline, sortedFiniteCopy(canary, 'c'), sortedFiniteCopy(baseline, 'b'));
    canary[17] = canary[17]! + 1000;
    const second = compareSamples(canary, baseline, sortedFiniteCopy(canary, 'c'), sortedFiniteCopy(baseline, 'b'));
    expect(second).not.toBe(first);
    expect(second.test).toEqual(mannWhitneyU(canary, baseline));
    expect(second.shift).toBe(hodgesLehmannShift(canary, baseline));
    baseline[3] = -0;
    baseline[4] = 0;
    const third = compareSamples(canary, baseline, sortedFiniteCopy(canary, 'c'), sortedFiniteCopy(baseline, 'b'));
    expect(third.shift).toBe(hodgesLehmannShift(canary, baseline));
    baseline[3] = 0;
    baseline[4] = -0;
    // Only the sign of two zeros moved: still a change, so computed again rather than reused.
    expect(compareSamples(canary, baseline, sortedFiniteCopy(canary, 'c'), sortedFiniteCopy(baseline, 'b'))).not.toBe(third);
  });
});
