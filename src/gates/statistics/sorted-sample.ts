// The rank tests and the shift estimate all start from an ascending copy of a sample. A typed array
// sorts numerically without a comparator (several times faster than Array#sort with one) and leaves the
// caller's array alone, which keeps these functions pure. A sample that is already ascending (the
// correlator hands its latency samples over sorted) is only checked, not sorted again.

/** Index of the first non-finite value of `copy`, or -1; sorts `copy` in place unless already ascending. */
function sortFinite(copy: Float64Array): number {
  let ascending = true;
  for (let i = 0; i < copy.length; i++) {
    const v = copy[i]!;
    if (!Number.isFinite(v)) return i;
    if (ascending && i > 0) {
      const previous = copy[i - 1]!;
      // The typed-array order puts -0 before 0, so a -0 after a 0 needs the sort too.
      if (previous > v || (v === 0 && previous === 0 && 1 / previous > 0 && 1 / v < 0)) ascending = false;
    }
  }
  if (!ascending) copy.sort();
  return -1;
}

/**
 * An ascending Float64Array copy of `values`. Throws RangeError if the sample is empty or holds a
 * non-finite value: NaN has no rank, and an infinite latency is a recording bug, not a slow request.
 */
export function sortedFiniteCopy(values: readonly number[], label: string): Float64Array {
  if (values.length === 0) throw new RangeError(`${label} sample is empty`);
  const sorted = Float64Array.from(values);
  const bad = sortFinite(sorted);
  if (bad >= 0) throw new RangeError(`${label} sample holds a non-finite value at index ${bad}: ${sorted[bad]}`);
  return sorted;
}

/**
 * sortedFiniteCopy, or undefined where it would throw (an empty sample or a non-finite value). With
 * `into`, the copy is written there (grown when too short; read the result's length, not into's)
 * instead of a new array, for callers that sort many samples and keep none.
 */
export function trySortedFiniteCopy(values: readonly number[], into?: SampleBuffer): Float64Array | undefined {
  if (values.length === 0) return undefined;
  let sorted: Float64Array;
  if (into === undefined) sorted = Float64Array.from(values);
  else {
    if (into.buffer.length < values.length) into.buffer = new Float64Array(Math.max(values.length, 2 * into.buffer.length));
    sorted = into.buffer.subarray(0, values.length);
    for (let i = 0; i < values.length; i++) sorted[i] = values[i]!;
  }
  return sortFinite(sorted) >= 0 ? undefined : sorted;
}

/** A reusable backing array for trySortedFiniteCopy. */
export interface SampleBuffer {
  buffer: Float64Array;
}

/** The median of an ascending, non-empty sample (mean of the middle two for an even count). */
export function sortedMedian(sorted: Float64Array): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
