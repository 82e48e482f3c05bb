// The rank tests and the shift estimate all start from an ascending copy of a sample. A typed array
// sorts numerically without a comparator (several times faster than Array#sort with one) and leaves the
// caller's array alone, which keeps these functions pure.

/**
 * An ascending Float64Array copy of `values`. Throws RangeError if the sample is empty or holds a
 * non-finite value: NaN has no rank, and an infinite latency is a recording bug, not a slow request.
 */
export function sortedFiniteCopy(values: readonly number[], label: string): Float64Array {
  if (values.length === 0) throw new RangeError(`${label} sample is empty`);
  const sorted = Float64Array.from(values);
  for (let i = 0; i < sorted.length; i++) {
    if (!Number.isFinite(sorted[i]!)) throw new RangeError(`${label} sample holds a non-finite value at index ${i}: ${sorted[i]}`);
  }
  return sorted.sort();
}
